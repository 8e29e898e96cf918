"""Build fixtures/coverage/capabilities.lspci.txt: one device holding every capability no corpus
dump exercises, each laid out with its PCIe base spec size (registers zero unless noted).

Run ``python3 -m tests.make_coverage_fixture``; the differential test compares the result with lspci.
"""
from __future__ import annotations

from pathlib import Path

from pcikit.access.dump import iter_hex_rows
from pcikit.testing import DeviceBuilder

OUT = Path(__file__).resolve().parent.parent / "fixtures" / "coverage" / "capabilities.lspci.txt"

STANDARD = [
    (0x04, bytes([0x23, 0x05])),                  # Slot ID: 3 slots, First In Chassis, chassis 5
    (0x0B, bytes(2)),                             # CompactPCI Central Resource Control
    (0x0E, bytes(2)),                             # AGP 8x
    (0x0F, bytes(0x16)),                          # Secure Device (0x18 bytes)
    (0x15, bytes(2) + (0x00000301).to_bytes(4, "little") + bytes(0x1C)),  # FPB: RID+MEM Low decode
]

EXTENDED = [
    (0x24, (0x000000F0).to_bytes(4, "little") + (0x0320).to_bytes(4, "little")),  # VF ReBAR: 1-8 MB, BAR0
    (0x06, bytes(8)),                             # Root Complex Internal Link Control
    (0x0A, bytes(0x10)),                          # Root Complex Register Block Header
    (0x0C, bytes(4)),                             # Configuration Access Correlation
    (0x11, bytes(8)),                             # Multi-Root I/O Virtualization
    (0x16, bytes(0x0C)),                          # Dynamic Power Allocation
    (0x1A, bytes(0x0C)),                          # Protocol Multiplexing
    (0x1C, bytes(4)),                             # LN Requester
    (0x20, bytes(0x0C)),                          # PCI Express over M-PHY
    (0x21, bytes(0x0C)),                          # FRS Queueing
    (0x22, bytes(8)),                             # Readiness Time Reporting
    (0x28, bytes(4)),                             # Hierarchy ID
    (0x29, bytes(0x0C)),                          # Native PCIe Enclosure Management
    (0x2C, bytes(4)),                             # System Firmware Intermediary
    (0x2D, bytes(4)),                             # Shadow Functions
    (0x31, bytes(0x0C) + bytes(1)),               # Physical Layer 64.0 GT/s (x1: one lane byte)
    (0x32, bytes(0x0C)),                          # Flit Logging
    (0x33, bytes(0x0C)),                          # Flit Performance Measurement
    (0x34, bytes(0x1C)),                          # Flit Error Injection
    (0x36, bytes(0x0C)),                          # MMIO Register Block Locator
]


def build() -> bytes:
    """The config image of the coverage device."""
    builder = DeviceBuilder(0x1234, 0xC0FE, class_code=0xFF0000).pcie()
    for cap_id, body in STANDARD:
        builder.capability(cap_id, body)
    for cap_id, body in EXTENDED:
        builder.extended_capability(cap_id, body)
    return builder.image()


def main() -> None:
    """Write the dump."""
    OUT.parent.mkdir(parents=True, exist_ok=True)
    rows = "\n".join(iter_hex_rows(build()))
    OUT.write_text(f"00:00.0 Coverage device: capabilities no corpus dump exercises\n{rows}\n\n")


if __name__ == "__main__":
    main()
