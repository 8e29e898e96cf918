"""Config images built byte by byte for the TUI tests, and the TUI's bundled example dump.

Every value is chosen from the PCI/PCIe specs (register layouts in the comments);
none is taken from pcikit's output. ``python -m tests.tui_devices`` rewrites
``pcikit/tui/data/examples.txt`` from these builders.
"""
from __future__ import annotations

import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "pcikit" / "tui" / "data" / "examples.txt"


def put(buf: bytearray, offset: int, width: int, value: int) -> None:
    """Store a little-endian value."""
    buf[offset : offset + width] = value.to_bytes(width, "little")


def header(size: int, vendor: int, device: int, class_code: int, *, command: int = 0x0006,
           status: int = 0x0010, revision: int = 0, header_type: int = 0, cap_pointer: int = 0) -> bytearray:
    """Common 16 bytes plus the capabilities pointer at 0x34 (type 0/1)."""
    buf = bytearray(size)
    put(buf, 0x00, 2, vendor)
    put(buf, 0x02, 2, device)
    put(buf, 0x04, 2, command)
    put(buf, 0x06, 2, status)
    put(buf, 0x08, 1, revision)
    put(buf, 0x09, 3, class_code)
    put(buf, 0x0E, 1, header_type)
    if size > 0x34:
        put(buf, 0x34, 1, cap_pointer)
    return buf


def ext_header(cap_id: int, version: int, next_offset: int) -> int:
    """Extended capability header: ID 15:0, version 19:16, next 31:20."""
    return cap_id | version << 16 | next_offset << 20


def pm(buf: bytearray, at: int, next_offset: int) -> None:
    """Power Management: PMC version 3, PME from D0/D3hot/D3cold; PMCSR D0, No_Soft_Reset."""
    put(buf, at, 1, 0x01)
    put(buf, at + 1, 1, next_offset)
    put(buf, at + 2, 2, 0x0003 | 1 << 11 | 1 << 14 | 1 << 15)
    put(buf, at + 4, 2, 0x0008)


def msi_64(buf: bytearray, at: int, next_offset: int, enabled: bool, address: int = 0, data: int = 0) -> None:
    """MSI, 64-bit address, Multiple Message Capable = 8 vectors (log2 3)."""
    put(buf, at, 1, 0x05)
    put(buf, at + 1, 1, next_offset)
    put(buf, at + 2, 2, (1 if enabled else 0) | 3 << 1 | 1 << 7)
    put(buf, at + 4, 4, address)
    put(buf, at + 12, 2, data)


def msix(buf: bytearray, at: int, next_offset: int, table_size: int, table: tuple[int, int],
         pba: tuple[int, int], enabled: bool = True) -> None:
    """MSI-X: Table Size N-1 in 10:0, Enable bit 15; Table/PBA = offset | BIR."""
    put(buf, at, 1, 0x11)
    put(buf, at + 1, 1, next_offset)
    put(buf, at + 2, 2, (table_size - 1) | (0x8000 if enabled else 0))
    put(buf, at + 4, 4, table[1] | table[0])
    put(buf, at + 8, 4, pba[1] | pba[0])


def express(buf: bytearray, at: int, next_offset: int, root_port: bool) -> None:
    """PCI Express capability v2 (0x3c bytes): an x4 Gen3 endpoint or an x16 root port trained x4."""
    put(buf, at, 1, 0x10)
    put(buf, at + 1, 1, next_offset)
    put(buf, at + 0x02, 2, 0x0142 if root_port else 0x0002)  # version 2; type 4 + slot, or type 0
    # Device Capabilities: MPS 256B, extended tag, L0s/L1 no limit, role-based errors, FLR (endpoint).
    put(buf, at + 0x04, 4, 0x00008001 if root_port else 0x10008FE1)
    put(buf, at + 0x08, 2, 0x2937)  # error reporting on, relaxed ordering, MPS 256, MRRS 512
    put(buf, at + 0x0A, 2, 0x0010)  # AUX power detected
    if root_port:  # Gen3 x16, ASPM L1, port 1, DLL link active reporting
        put(buf, at + 0x0C, 4, 0x01176903)
        put(buf, at + 0x12, 2, 0x3043)  # Gen3 x4, slot clock, DLL active
        put(buf, at + 0x14, 4, 0x00082580)  # physical slot 1, 75 W
        put(buf, at + 0x1A, 2, 0x0040)  # presence detect
        put(buf, at + 0x24, 4, 0x0000083F)  # completion timeouts, ARI forwarding, LTR
        put(buf, at + 0x28, 2, 0x0420)  # ARI forwarding and LTR enabled
    else:  # Gen3 x4, ASPM L1, clock PM
        put(buf, at + 0x0C, 4, 0x00076843)
        put(buf, at + 0x12, 2, 0x1043)
        put(buf, at + 0x24, 4, 0x0001081F)
        put(buf, at + 0x28, 2, 0x0400)
    put(buf, at + 0x10, 2, 0x004A)  # ASPM L1 enabled, RCB 128, common clock
    put(buf, at + 0x2C, 4, 0x0000000E)  # 2.5/5/8 GT/s supported
    put(buf, at + 0x30, 2, 0x0003)  # target 8 GT/s
    put(buf, at + 0x32, 2, 0x001E)  # equalization phases complete


def aer(buf: bytearray, at: int, next_offset: int, root: bool) -> None:
    """Advanced Error Reporting: default severities, Advisory Non-Fatal masked, ECRC capable."""
    put(buf, at, 4, ext_header(0x0001, 1, next_offset))
    put(buf, at + 0x0C, 4, 0x00462030)
    put(buf, at + 0x14, 4, 0x00002000)
    put(buf, at + 0x18, 4, 0x000000A0)


def dsn(buf: bytearray, at: int, next_offset: int, serial: int) -> None:
    """Device Serial Number: the 64-bit number in two dwords."""
    put(buf, at, 4, ext_header(0x0003, 1, next_offset))
    put(buf, at + 4, 8, serial)


def ltr(buf: bytearray, at: int, next_offset: int) -> None:
    """Latency Tolerance Reporting: max snoop/no-snoop latency 70 x 1024 ns (value 9:0, scale 12:10)."""
    put(buf, at, 4, ext_header(0x0018, 1, next_offset))
    put(buf, at + 4, 4, 0x08460846)


def acs(buf: bytearray, at: int, next_offset: int) -> None:
    """Access Control Services: SV, TB, RR, CR, UF capable; nothing enabled."""
    put(buf, at, 4, ext_header(0x000D, 1, next_offset))
    put(buf, at + 4, 2, 0x001F)


def host_bridge() -> bytearray:
    """00:00.0 host bridge with a vendor-specific capability (256 bytes)."""
    buf = header(256, 0x8086, 0x3E30, 0x060000, command=0x0006, status=0x0090, revision=0x0D, cap_pointer=0xE0)
    put(buf, 0x2C, 2, 0x1043)
    put(buf, 0x2E, 2, 0x8694)
    put(buf, 0xE0, 1, 0x09)
    put(buf, 0xE2, 1, 0x10)  # length 16
    put(buf, 0xE4, 4, 0x0109B051)
    return buf


def root_port() -> bytearray:
    """00:01.0 PCIe root port to bus 01 (4096 bytes): SSVID, PM, MSI, PCIe; AER and ACS."""
    buf = header(4096, 0x8086, 0x1901, 0x060400, command=0x0407, revision=0x0D, header_type=0x01, cap_pointer=0x88)
    put(buf, 0x18, 1, 0x00)  # primary
    put(buf, 0x19, 1, 0x01)  # secondary
    put(buf, 0x1A, 1, 0x01)  # subordinate
    put(buf, 0x1C, 2, 0x00F0)  # I/O window closed
    put(buf, 0x20, 2, 0xDE00)  # memory base 0xde000000
    put(buf, 0x22, 2, 0xDE00)  # memory limit 0xde0fffff
    put(buf, 0x24, 2, 0xFFF1)  # prefetchable window closed (64-bit type)
    put(buf, 0x26, 2, 0x0001)
    put(buf, 0x3C, 1, 0x0B)
    put(buf, 0x3D, 1, 0x01)
    put(buf, 0x88, 1, 0x0D)
    put(buf, 0x89, 1, 0x80)
    put(buf, 0x8C, 2, 0x1043)
    put(buf, 0x8E, 2, 0x8694)
    pm(buf, 0x80, 0x90)
    msi_64(buf, 0x90, 0xA0, enabled=True, address=0xFEE00258, data=0x0022)
    express(buf, 0xA0, 0x00, root_port=True)
    aer(buf, 0x100, 0x140, root=True)
    acs(buf, 0x140, 0x000)
    return buf


def nvme() -> bytearray:
    """01:00.0 NVMe SSD (4096 bytes): PM, MSI, PCIe, MSI-X (33 vectors in BAR 0); AER, DSN, LTR."""
    buf = header(4096, 0x144D, 0xA808, 0x010802, command=0x0406, cap_pointer=0x40)
    put(buf, 0x10, 4, 0xDE000004)  # 64-bit memory BAR 0
    put(buf, 0x2C, 2, 0x144D)
    put(buf, 0x2E, 2, 0xA801)
    put(buf, 0x3C, 1, 0xFF)
    put(buf, 0x3D, 1, 0x01)
    pm(buf, 0x40, 0x50)
    msi_64(buf, 0x50, 0x70, enabled=False)
    express(buf, 0x70, 0xB0, root_port=False)
    msix(buf, 0xB0, 0x00, 33, table=(0, 0x3000), pba=(0, 0x2000))
    aer(buf, 0x100, 0x148, root=False)
    dsn(buf, 0x148, 0x158, 0x002538B181C0FFEE)
    ltr(buf, 0x158, 0x000)
    return buf


def virtio_cap(buf: bytearray, at: int, next_offset: int, cfg_type: int, bar: int, offset: int,
               length: int, extra: int = 0) -> None:
    """virtio-pci capability (virtio 1.x, 4.1.4): vendor-specific ID 9, cap_len, cfg_type, bar."""
    size = 0x14 if cfg_type in (2, 5) else 0x10
    put(buf, at, 1, 0x09)
    put(buf, at + 1, 1, next_offset)
    put(buf, at + 2, 1, size)
    put(buf, at + 3, 1, cfg_type)
    put(buf, at + 4, 1, bar)
    put(buf, at + 8, 4, offset)
    put(buf, at + 12, 4, length)
    if size == 0x14:
        put(buf, at + 16, 4, extra)


def virtio_net() -> bytearray:
    """00:03.0 modern virtio-net (256 bytes): MSI-X in BAR 1, virtio structures in BAR 4."""
    buf = header(256, 0x1AF4, 0x1041, 0x020000, command=0x0407, revision=0x01, cap_pointer=0x98)
    put(buf, 0x14, 4, 0xFEBD1000)  # BAR 1, 32-bit memory
    put(buf, 0x20, 4, 0xFE00000C)  # BAR 4, 64-bit prefetchable
    put(buf, 0x2C, 2, 0x1AF4)
    put(buf, 0x2E, 2, 0x1100)
    put(buf, 0x3C, 1, 0x0B)
    put(buf, 0x3D, 1, 0x01)
    msix(buf, 0x98, 0x84, 3, table=(1, 0x000), pba=(1, 0x800))
    virtio_cap(buf, 0x84, 0x70, 5, 0, 0, 0)
    virtio_cap(buf, 0x70, 0x60, 2, 4, 0x3000, 0x1000, extra=4)
    virtio_cap(buf, 0x60, 0x50, 4, 4, 0x2000, 0x1000)
    virtio_cap(buf, 0x50, 0x40, 3, 4, 0x1000, 0x1000)
    virtio_cap(buf, 0x40, 0x00, 1, 4, 0x0000, 0x1000)
    return buf


def legacy_serial() -> bytearray:
    """00:05.0 PCI serial card, INTx only, as a non-root user reads it: 64 bytes."""
    buf = header(64, 0x1415, 0x9501, 0x070006, command=0x0003, status=0x0280, header_type=0x80)
    put(buf, 0x10, 4, 0x0000D001)  # I/O BAR 0
    put(buf, 0x14, 4, 0xFEBD0000)  # memory BAR 1
    put(buf, 0x2C, 2, 0x1415)
    put(buf, 0x2E, 2, 0x0001)
    put(buf, 0x3C, 1, 0x0A)
    put(buf, 0x3D, 1, 0x01)
    return buf


def broken_chain_audio() -> bytearray:
    """00:1f.3 audio device whose capability list runs into an all-ones dword at 0x60."""
    buf = header(256, 0x8086, 0xA348, 0x040300, command=0x0006, revision=0x10, cap_pointer=0x50)
    put(buf, 0x10, 4, 0xDF010004)
    put(buf, 0x3C, 1, 0x10)
    put(buf, 0x3D, 1, 0x01)
    pm(buf, 0x50, 0x60)
    put(buf, 0x60, 4, 0xFFFFFFFF)
    return buf


EXAMPLE_DEVICES = (
    ("00:00.0", "Host bridge: Intel Corporation 8th/9th Gen Core 8-core Desktop Processor Host Bridge", host_bridge),
    ("00:01.0", "PCI bridge: Intel Corporation 6th-10th Gen Core Processor PCIe Controller (x16)", root_port),
    ("00:03.0", "Ethernet controller: Red Hat, Inc. Virtio 1.0 network device", virtio_net),
    ("00:05.0", "Serial controller: Oxford Semiconductor Ltd OX16PCI954 (64 bytes: read without root)",
     legacy_serial),
    ("00:1f.3", "Audio device: Intel Corporation Cannon Lake PCH cAVS (broken capability list)", broken_chain_audio),
    ("01:00.0", "Non-Volatile memory controller: Samsung Electronics Co Ltd NVMe SSD Controller SM981", nvme),
)


def dump_text(devices: list[tuple[str, str, bytes]]) -> str:
    """lspci -x/-xxx/-xxxx style text: a title line, 16-byte hex rows, a blank line."""
    lines = []
    for slot, title, data in devices:
        lines.append(f"{slot} {title}")
        lines.extend(
            f"{base:02x}: " + " ".join(f"{b:02x}" for b in data[base : base + 16])
            for base in range(0, len(data), 16)
        )
        lines.append("")
    return "\n".join(lines) + "\n"


def examples_text() -> str:
    """The bundled example dump, with a comment line lspci -F ignores."""
    note = "# pcikit TUI example devices, built byte by byte from the PCI/PCIe specs (tests/tui_devices.py)\n"
    return note + dump_text([(slot, title, bytes(build())) for slot, title, build in EXAMPLE_DEVICES])


if __name__ == "__main__":
    EXAMPLES.write_text(examples_text())
    sys.stdout.write(f"wrote {EXAMPLES}\n")
