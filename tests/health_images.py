"""Config images for the health tests, built byte by byte from the PCIe spec's register layouts.

Offsets are the spec's: Type 0/1 header (PCIe 7.5.1), PCI Express Capability at 0x40
(7.5.3: Link Capabilities +0x0C, Link Control +0x10, Link Status +0x12, Slot Status
+0x1A, Link Capabilities 2 +0x2C, Link Control 2 +0x30), AER at 0x100 (7.8.4) and DPC
(7.9.15) chained after it. Nothing here uses pcikit.
"""
from __future__ import annotations

from typing import Optional

from .conftest import put

EXP = 0x40
AER = 0x100
DPC = 0x140
ROOT_PORT, DOWNSTREAM_PORT, UPSTREAM_PORT, ENDPOINT = 0x4, 0x6, 0x5, 0x0


def function(
    port_type: int,
    max_width: int,
    max_speed: int,
    width: int,
    speed: int,
    *,
    bus: Optional[tuple[int, int]] = None,
    speeds_vector: Optional[int] = None,
    version: int = 2,
    dll_active: bool = True,
    dll_reporting: bool = True,
    training: bool = False,
    aspm_support: int = 0x3,
    aspm_control: int = 0,
    slot_presence: Optional[bool] = None,
    target_speed: int = 0,
    size: int = 4096,
) -> bytearray:
    """A PCIe function: a bridge (type 1 header, ``bus`` = (secondary, subordinate)) or an endpoint."""
    img = bytearray(size)
    put(img, 0x00, 2, 0x1AB4)  # Vendor ID (any valid, non-0xffff)
    put(img, 0x02, 2, 0x1000 + port_type)
    put(img, 0x06, 2, 0x0010)  # Status: Capabilities List
    if bus is not None:
        put(img, 0x0A, 2, 0x0604)  # PCI-to-PCI bridge class
        put(img, 0x0E, 1, 0x01)
        put(img, 0x19, 1, bus[0])
        put(img, 0x1A, 1, bus[1])
    else:
        put(img, 0x0A, 2, 0x0200)  # Ethernet controller
    put(img, 0x34, 1, EXP)
    put(img, EXP, 1, 0x10)
    slot = slot_presence is not None
    put(img, EXP + 0x02, 2, version | port_type << 4 | int(slot) << 8)
    put(img, EXP + 0x0C, 4, max_speed | max_width << 4 | aspm_support << 10 | int(dll_reporting) << 20)
    put(img, EXP + 0x10, 2, aspm_control)
    put(img, EXP + 0x12, 2, speed | width << 4 | int(training) << 11 | int(dll_active) << 13)
    if slot:
        put(img, EXP + 0x1A, 2, int(slot_presence) << 6)
    if version >= 2:
        vector = (1 << max_speed) - 1 if speeds_vector is None else speeds_vector
        put(img, EXP + 0x2C, 4, vector << 1)
        put(img, EXP + 0x30, 2, target_speed)
    return img


def add_aer(img: bytearray, uncorrectable: int = 0, severity: int = 0, correctable: int = 0,
            header_log: tuple[int, int, int, int] = (0, 0, 0, 0), next_offset: int = 0) -> bytearray:
    """An AER capability at 0x100 with these status/severity words and header log."""
    put(img, AER, 4, 0x0001 | 1 << 16 | next_offset << 20)
    put(img, AER + 0x04, 4, uncorrectable)
    put(img, AER + 0x0C, 4, severity)
    put(img, AER + 0x10, 4, correctable)
    for i, dword in enumerate(header_log):
        put(img, AER + 0x1C + 4 * i, 4, dword)
    return img


def add_dpc(img: bytearray, status: int, source: int = 0) -> bytearray:
    """AER (clean) at 0x100 chained to DPC at 0x140 with this DPC Status and Error Source ID."""
    add_aer(img, next_offset=DPC)
    put(img, DPC, 4, 0x001D | 1 << 16)
    put(img, DPC + 0x08, 2, status)
    put(img, DPC + 0x0A, 2, source)
    return img


def add_msix(img: bytearray, enable: bool, function_mask: bool, table_size: int = 4, bar: int = 0,
             at: int = 0x80) -> bytearray:
    """MSI-X (ID 0x11) chained after the PCIe capability; table at BAR ``bar`` offset 0, PBA at 0x800."""
    put(img, EXP + 1, 1, at)
    put(img, at, 1, 0x11)
    put(img, at + 2, 2, (table_size - 1) | int(function_mask) << 14 | int(enable) << 15)
    put(img, at + 4, 4, bar)
    put(img, at + 8, 4, 0x800 | bar)
    put(img, 0x10 + 4 * bar, 4, 0xFE000000)  # a 32-bit memory BAR
    return img
