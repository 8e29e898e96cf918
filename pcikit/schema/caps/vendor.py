"""Vendor Specific capability (ID 0x09); virtio-pci structures (virtio spec 4.1.4) and Intel's decoded."""
from __future__ import annotations

from construct import Bytes, Construct, Container, If, Int8ul, Int32ul, Struct, this

from ..attributes import RW, Equals
from ..bits import whole
from ..context import DecodeContext

GENERIC = Struct("cap_id" / Int8ul, "next" / Int8ul, "length" / Int8ul)

VIRTIO_CFG_TYPES = {
    1: "common",
    2: "notify",
    3: "isr",
    4: "device",
    5: "pci_cfg",
    8: "shared_memory",
    9: "vendor",
}

VIRTIO_PCI_CFG = 5
# In the PCI configuration access capability the driver writes bar, offset and length to choose
# what pci_cfg_data (the dword after the structure) reaches (virtio 1.2, 4.1.4.9).
_WINDOW = Equals("cfg_type", VIRTIO_PCI_CFG)

# Every other field of a virtio structure (cfg_type, region_id, the offsets and lengths of the
# common/notify/ISR/device/shared-memory structures, notify_off_multiplier) is RO (virtio 1.2, 4.1.4).
VIRTIO = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "length" / Int8ul,
    "cfg_type" / Int8ul,
    "bar" / whole(Int8ul, RW, when=_WINDOW),
    "region_id" / Int8ul,
    "padding" / Bytes(2),
    "region_offset" / whole(Int32ul, RW, when=_WINDOW),
    "region_length" / whole(Int32ul, RW, when=_WINDOW),
    "notify_off_multiplier" / If(this.cfg_type == 2, Int32ul),
    "region_offset_hi" / If(this.cfg_type == 8, Int32ul),
    "region_length_hi" / If(this.cfg_type == 8, Int32ul),
)

VIRTIO_VENDOR = 0x1AF4
INTEL_VENDOR = 0x8086  # its capability is decoded by vendor_intel, loaded for Intel functions only
VIRTIO_DEVICES = range(0x1000, 0x1080)


def is_virtio(vendor_id: int, device_id: int) -> bool:
    """True for the Red Hat/virtio vendor and device ID range."""
    return vendor_id == VIRTIO_VENDOR and device_id in VIRTIO_DEVICES


def schema_of(fields: Container) -> Construct:
    """The schema ``fields`` were decoded with (the register catalogue walks it)."""
    return VIRTIO if fields.get("kind") == "virtio" else GENERIC


def decode(ctx: DecodeContext) -> Container:
    """Decode virtio-pci and Intel capabilities; other vendors keep the generic header."""
    length = ctx.u8(2)
    if is_virtio(ctx.vendor_id, ctx.device_id) and length >= 16 and ctx.readable(0, length):
        fields = ctx.parse(VIRTIO)
        fields["kind"] = "virtio"
        fields["cfg_type_name"] = VIRTIO_CFG_TYPES.get(fields.cfg_type)
        return fields
    fields = ctx.parse(GENERIC)
    if ctx.vendor_id == INTEL_VENDOR:
        from .vendor_intel import decode_intel

        return decode_intel(ctx, fields)
    fields["kind"] = "generic"
    return fields
