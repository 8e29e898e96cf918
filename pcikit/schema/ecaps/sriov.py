"""Single Root I/O Virtualization extended capability (ID 0x0010).

``vf_bars`` lists the programmed VF BARs the way the registers pair them: a
64-bit BAR takes the next dword as its upper half. A 64-bit VF BAR5 has no
next BAR; the dword after it (VF Migration State Array Offset) is what sits
there, and the decoder records that as a problem.
"""
from __future__ import annotations

from construct import Array, Container, Int8ul, Int16ul, Int32ul, Padding, Struct

from ..attributes import RW, RW1C, FieldBits, has
from ..bars import MEMORY_ADDRESS_MASK, PREFETCHABLE, is_64bit, memory_type, pair
from ..bits import Bit, Bits, Register, Scalar, whole
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

SRIOV_CAPABILITIES = Register(
    Int32ul,
    Bit("vf_migration_capable", 0),
    Bit("ari_capable_hierarchy_preserved", 1),
    Bit("vf_10bit_tag_requester_supported", 2),
    Bits("vf_migration_interrupt_message_number", 21, 11),
)

# PCIe 9.3.3.3: the migration controls need VF Migration Capable, the 10-bit tag enable its support.
SRIOV_CONTROL = Register(
    Int16ul,
    Bit("vf_enable", 0, RW),
    Bit("vf_migration_enable", 1, RW, when=has("sriov_capabilities.vf_migration_capable")),
    Bit("vf_migration_interrupt_enable", 2, RW, when=has("sriov_capabilities.vf_migration_capable")),
    Bit("vf_mse", 3, RW),
    Bit("ari_capable_hierarchy", 4, RW),
    Bit("vf_10bit_tag_requester_enable", 5, RW, when=has("sriov_capabilities.vf_10bit_tag_requester_supported")),
)

SRIOV_STATUS = Register(Int16ul, Bit("vf_migration_status", 0, RW1C))

# System Page Size: one of the Supported Page Sizes (bit n: 2^(n+12) bytes); resets to 4 KiB.
SYSTEM_PAGE_SIZE = Scalar(Int32ul, Bits("page_size", 0, 32, access=RW, reset=1,
                                        when=FieldBits("supported_page_sizes")))

VF_MIGRATION_STATE_ARRAY_OFFSET = Register(
    Int32ul,
    Bits("bir", 0, 3),
    Bits("offset", 3, 29, shift=3),
)

VF_BAR_COUNT = 6

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "sriov_capabilities" / SRIOV_CAPABILITIES,
    "sriov_control" / SRIOV_CONTROL,
    "sriov_status" / SRIOV_STATUS,
    "initial_vfs" / Int16ul,
    "total_vfs" / Int16ul,
    "num_vfs" / whole(Int16ul, RW),
    "function_dependency_link" / Int8ul,
    Padding(1),
    "first_vf_offset" / Int16ul,
    "vf_stride" / Int16ul,
    Padding(2),
    "vf_device_id" / Int16ul,
    "supported_page_sizes" / Int32ul,
    "system_page_size" / SYSTEM_PAGE_SIZE,
    "vf_bar" / Array(VF_BAR_COUNT, Int32ul),  # sized like BARs (by the function's VF BAR sizes)
    "vf_migration_state_array_offset" / VF_MIGRATION_STATE_ARRAY_OFFSET,
)

def _vf_bar(index: int, raw: int, upper: int) -> Container:
    wide = is_64bit(raw, memory_only=True)  # VF BARs: memory only (bit 0 hardwired 0)
    base = raw & MEMORY_ADDRESS_MASK
    return Container(
        index=index,
        raw=raw,
        memory_type=memory_type(raw),
        prefetchable=bool(raw & PREFETCHABLE),
        bits=64 if wide else 32,
        upper=upper if wide else None,
        address=(upper << 32) | base if wide else base,
    )


def vf_bars(dwords: list[int], after_last: int) -> tuple[list[Container], list[str]]:
    """Programmed VF BARs (0 and all-ones registers are skipped) and any problems."""
    bars, problems = [], []
    index = 0
    while index < len(dwords):
        raw = dwords[index]
        if raw in (0, 0xFFFFFFFF):
            index += 1
            continue
        paired = pair(dwords, index, memory_only=True)
        upper = 0
        if is_64bit(raw, memory_only=True):
            upper = paired.upper if paired.upper is not None else after_last
            if paired.upper is None:
                problems.append(f"VF BAR{index} is 64-bit but is the last VF BAR")
        bars.append(_vf_bar(index, raw, upper))
        index += paired.registers
    return bars, problems


def decode(ctx: DecodeContext) -> Container:
    """Decode SR-IOV and pair up the VF BARs."""
    fields = parse_fixed(ctx, SCHEMA)
    bars, problems = vf_bars(list(fields.vf_bar), fields.vf_migration_state_array_offset.raw)
    fields["vf_bars"] = bars
    if problems:
        fields["problems"] = problems
    return fields
