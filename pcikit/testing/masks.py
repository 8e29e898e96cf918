"""Which config bits software may write: the header's and each known capability's registers.

Everything not listed here is read-only (IDs, class code, capability headers and
bodies, capability registers such as DevCap and LnkCap). Values follow the PCI
Local Bus spec 3.0 and the PCIe Base spec (register attributes RW, RW1C), as
QEMU's ``hw/pci/pci.c``, ``msi.c``, ``msix.c`` and ``pcie.c`` set their masks.
"""
from __future__ import annotations

from typing import NamedTuple, Optional


class RegisterMask(NamedTuple):
    """Attributes of one register: writable bits, write-1-to-clear bits, reset value.

    ``reset`` None keeps the value the device started with (Interrupt Line).
    """

    offset: int
    width: int
    wmask: int
    w1cmask: int = 0
    reset: Optional[int] = 0


COMMAND_WRITABLE = 0x0547  # I/O, Memory, Bus Master, Parity Error Response, SERR#, Interrupt Disable
STATUS_RW1C = 0xF900  # Master Data Parity Error, Signaled/Received Target Abort, Received Master Abort, Signaled System Error, Detected Parity Error
INTERRUPT_LINE = 0x3C


def header_registers(header_type: int) -> list[RegisterMask]:
    """The writable registers of a type 0, 1 or 2 header (BARs and ROM are planned apart)."""
    common = [
        RegisterMask(0x04, 2, COMMAND_WRITABLE),
        RegisterMask(0x06, 2, 0, STATUS_RW1C),
        RegisterMask(0x0C, 1, 0xFF),
        RegisterMask(INTERRUPT_LINE, 1, 0xFF, reset=None),
    ]
    if header_type != 1:
        return common
    return common + [
        RegisterMask(0x18, 3, 0xFFFFFF),  # primary, secondary, subordinate bus numbers
        RegisterMask(0x1C, 2, 0xF0F0),  # I/O base and limit (low nibbles: addressing type)
        RegisterMask(0x1E, 2, 0, STATUS_RW1C),  # secondary status
        RegisterMask(0x20, 4, 0xFFF0FFF0),  # memory base and limit
        RegisterMask(0x24, 4, 0xFFF0FFF0),  # prefetchable base and limit
        RegisterMask(0x3E, 2, 0x007F),  # bridge control
    ]


def bridge_upper_registers(image: bytes) -> list[RegisterMask]:
    """Upper-half window registers of a bridge that implements 64-bit / 32-bit windows."""
    registers = []
    if image[0x24] & 0xF == 1:
        registers += [RegisterMask(0x28, 4, 0xFFFFFFFF), RegisterMask(0x2C, 4, 0xFFFFFFFF)]
    if image[0x1C] & 0xF == 1:
        registers += [RegisterMask(0x30, 4, 0xFFFFFFFF)]
    return registers


def _u16(image: bytes, offset: int) -> int:
    return int.from_bytes(image[offset : offset + 2], "little")


def _u32(image: bytes, offset: int) -> int:
    return int.from_bytes(image[offset : offset + 4], "little")


def _pm(image: bytes, cap: int) -> list[RegisterMask]:
    pme_support = _u16(image, cap + 2) >> 11
    return [RegisterMask(cap + 4, 2, 0x0103 if pme_support else 0x0003, 0x8000 if pme_support else 0)]


def msi_layout(control: int, cap: int) -> dict[str, Optional[int]]:
    """Absolute offsets of the MSI registers at ``cap`` with Message Control ``control``."""
    wide, masking = bool(control & 0x80), bool(control & 0x100)
    data = cap + (0x0C if wide else 0x08)
    return {
        "control": cap + 2,
        "address": cap + 4,
        "upper_address": cap + 8 if wide else None,
        "data": data,
        "mask": data + 4 if masking else None,
        "pending": data + 8 if masking else None,
    }


def _msi(image: bytes, cap: int) -> list[RegisterMask]:
    control = _u16(image, cap + 2)
    layout = msi_layout(control, cap)
    extended_data = bool(control & 0x200)
    registers = [
        RegisterMask(cap + 2, 2, 0x0071 | (0x0400 if extended_data else 0)),
        RegisterMask(cap + 4, 4, 0xFFFFFFFC),
        RegisterMask(layout["data"], 4 if extended_data else 2, 0xFFFFFFFF if extended_data else 0xFFFF),
    ]
    if layout["upper_address"] is not None:
        registers.append(RegisterMask(layout["upper_address"], 4, 0xFFFFFFFF))
    if layout["mask"] is not None:
        capable = 1 << min((control >> 1) & 7, 5)
        registers.append(RegisterMask(layout["mask"], 4, (1 << capable) - 1))
    return registers


def _msix(image: bytes, cap: int) -> list[RegisterMask]:
    return [RegisterMask(cap + 2, 2, 0xC000)]


PORT_ROOT, PORT_DOWNSTREAM = 4, 6
_NO_LINK = (9, 10)  # Root Complex integrated endpoint, Root Complex event collector


def _express(image: bytes, cap: int) -> list[RegisterMask]:
    flags = _u16(image, cap + 2)
    port_type, version = (flags >> 4) & 0xF, flags & 0xF
    flr = port_type in (0, 1, 9) and _u32(image, cap + 4) & (1 << 28)
    is_port = port_type in (PORT_ROOT, PORT_DOWNSTREAM)
    registers = [
        RegisterMask(cap + 0x08, 2, 0x7FFF | (0x8000 if flr or port_type not in (0, 1, 9) else 0), reset=0x2810),
        RegisterMask(cap + 0x0A, 2, 0, 0x000F),
    ]
    if port_type not in _NO_LINK:
        registers += [
            RegisterMask(cap + 0x10, 2, 0x0FDB if is_port else 0x03CB),
            RegisterMask(cap + 0x12, 2, 0, 0xC000 if is_port else 0),
        ]
    if is_port and flags & 0x100:  # Slot Implemented
        registers += [RegisterMask(cap + 0x18, 2, 0x1FFF), RegisterMask(cap + 0x1A, 2, 0, 0x011F)]
    if port_type in (PORT_ROOT, 10):
        registers += [RegisterMask(cap + 0x1C, 2, 0x001F), RegisterMask(cap + 0x20, 4, 0, 0x00010000)]
    if version >= 2:
        registers.append(RegisterMask(cap + 0x28, 2, 0xFFFF))
        if port_type not in _NO_LINK:
            registers += [RegisterMask(cap + 0x30, 2, 0xFFBF), RegisterMask(cap + 0x32, 2, 0, 0x0020)]
    return registers


_AER_UNCORRECTABLE = 0x07FFF030
_AER_CORRECTABLE = 0x0000F1C1


def _aer(image: bytes, cap: int, port_type: Optional[int]) -> list[RegisterMask]:
    capabilities = _u32(image, cap + 0x18)
    ecrc = (0x40 if capabilities & 0x20 else 0) | (0x100 if capabilities & 0x80 else 0)
    registers = [
        RegisterMask(cap + 0x04, 4, 0, _AER_UNCORRECTABLE),
        RegisterMask(cap + 0x08, 4, _AER_UNCORRECTABLE),
        RegisterMask(cap + 0x0C, 4, _AER_UNCORRECTABLE),
        RegisterMask(cap + 0x10, 4, 0, _AER_CORRECTABLE),
        RegisterMask(cap + 0x14, 4, _AER_CORRECTABLE),
        RegisterMask(cap + 0x18, 4, ecrc),
    ]
    if port_type in (PORT_ROOT, 10):
        registers += [RegisterMask(cap + 0x2C, 4, 0x7), RegisterMask(cap + 0x30, 4, 0, 0x7F)]
    return registers


def capability_registers(cap_id: int, cap: int, image: bytes) -> list[RegisterMask]:
    """Writable registers of the standard capability ``cap_id`` at ``cap``."""
    builders = {0x01: _pm, 0x05: _msi, 0x10: _express, 0x11: _msix}
    builder = builders.get(cap_id)
    return builder(image, cap) if builder else []


def extended_registers(cap_id: int, cap: int, image: bytes, port_type: Optional[int]) -> list[RegisterMask]:
    """Writable registers of the extended capability ``cap_id`` at ``cap``."""
    return _aer(image, cap, port_type) if cap_id == 0x01 else []
