"""A QEMU function's config space (ConfigSpace over ECAM) and BARs (BarRegion over qtest)."""
from __future__ import annotations

from ..access.base import CONFIG_SIZE_EXTENDED, CONFIG_SIZE_LEGACY, ConfigSpace
from ..errors import ConfigReadError, ReadOnlyError, RegionAccessError
from ..mmio import BarRegion, refused
from ..schema.capability_ids import PCI_EXPRESS, PCI_X
from .ecam import Bdf, Ecam, parse_value, read_command, write_command
from .qtest import QtestProcess


def config_size(ecam: Ecam, bdf: Bdf) -> int:
    """256 or 4096, decided as Linux decides it (``pci_cfg_space_size``).

    Only a PCI Express (or PCI-X) function can have extended config space, and
    it has none when offset 0x100 reads all ones or aliases offset 0.
    """
    if not ecam.read(bdf, 0x06, 2) & 0x10:
        return CONFIG_SIZE_LEGACY
    pointer, seen = ecam.read(bdf, 0x34, 1) & 0xFC, set()
    while pointer >= 0x40 and pointer not in seen:
        seen.add(pointer)
        header = ecam.read(bdf, pointer, 2)
        if header & 0xFF in (PCI_EXPRESS, PCI_X):
            first = ecam.read(bdf, 0x100, 4)
            aliased = first == ecam.read(bdf, 0, 4)
            return CONFIG_SIZE_LEGACY if first == 0xFFFF_FFFF or aliased else CONFIG_SIZE_EXTENDED
        pointer = header >> 8 & 0xFC
    return CONFIG_SIZE_LEGACY


class QemuConfig(ConfigSpace):
    """Config space of one QEMU function: every read and write is one ECAM access of its width.

    Writes go to the emulated device (it is an emulator: nothing here reaches
    hardware). 8-byte accesses are two dword accesses, low first, as ECAM
    carries at most a dword.
    """

    def __init__(self, ecam: Ecam, bdf: Bdf, size: int) -> None:
        self.ecam, self.bdf, self.size = ecam, bdf, size

    def read_block(self, offset: int, length: int) -> bytes:
        """``length`` bytes from ``offset`` (dword reads in one batch)."""
        return self.ecam.read_block(self.bdf, offset, length)

    def read(self, offset: int, width: int) -> int:
        """One config read of ``width`` bytes (8: two dwords)."""
        if width not in (1, 2, 4, 8):
            raise ValueError(f"width must be 1, 2, 4 or 8, not {width}")
        if not self.readable(offset, width):
            raise ConfigReadError(offset, width, self.size)
        if width == 8:
            return self.ecam.read(self.bdf, offset, 4) | self.ecam.read(self.bdf, offset + 4, 4) << 32
        return self.ecam.read(self.bdf, offset, width)

    def write(self, offset: int, width: int, value: int) -> None:
        """One config write of ``width`` bytes (8: two dwords, low first)."""
        if width not in (1, 2, 4, 8):
            raise ValueError(f"width must be 1, 2, 4 or 8, not {width}")
        if not self.readable(offset, width):
            raise ReadOnlyError(f"config write of {width} byte(s) at 0x{offset:03x} is beyond the {self.size} bytes")
        if not 0 <= value < 1 << (8 * width):
            raise ValueError(f"value {value:#x} does not fit in {width} byte(s)")
        if width == 8:
            self.ecam.write(self.bdf, offset, 4, value & 0xFFFF_FFFF)
            self.ecam.write(self.bdf, offset + 4, 4, value >> 32)
        else:
            self.ecam.write(self.bdf, offset, width, value)


class QemuBar(BarRegion):
    """One assigned memory BAR of a QEMU function: each call is one qtest access of that width.

    What QEMU answers is what its device model does for that access, including
    its departures from the spec (a 2-byte MSI-X table read answers 0).
    """

    __slots__ = ("qtest", "address", "size", "readonly")

    def __init__(self, qtest: QtestProcess, address: int, size: int) -> None:
        self.qtest, self.address, self.size, self.readonly = qtest, address, size, False

    def __repr__(self) -> str:
        return f"<QemuBar {self.address:#x} {self.size:#x} bytes>"

    def close(self) -> None:
        """Nothing to release (the machine owns the memory); here so callers can close any region."""

    def __enter__(self) -> "QemuBar":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _at(self, offset: int, width: int) -> int:
        if offset < 0 or offset % width or offset + width > self.size:
            raise refused(offset, width, self.size)
        return self.address + offset

    def _read(self, offset: int, width: int) -> int:
        command = read_command(width, self._at(offset, width))
        return parse_value(self.qtest.exchange(command), command) & ((1 << 8 * width) - 1)

    def _write(self, offset: int, width: int, value: int) -> None:
        address = self._at(offset, width)
        if not isinstance(value, int) or not 0 <= value < 1 << (8 * width):
            raise RegionAccessError(f"value {value!r} does not fit in an unsigned {8 * width}-bit store",
                                    offset, width, self.size)
        self.qtest.exchange(write_command(width, address, value))

    def read8(self, offset: int) -> int:
        """One 1-byte qtest read."""
        return self._read(offset, 1)

    def read16(self, offset: int) -> int:
        """One 2-byte qtest read."""
        return self._read(offset, 2)

    def read32(self, offset: int) -> int:
        """One 4-byte qtest read."""
        return self._read(offset, 4)

    def read64(self, offset: int) -> int:
        """One 8-byte qtest read."""
        return self._read(offset, 8)

    def write8(self, offset: int, value: int) -> None:
        """One 1-byte qtest write."""
        self._write(offset, 1, value)

    def write16(self, offset: int, value: int) -> None:
        """One 2-byte qtest write."""
        self._write(offset, 2, value)

    def write32(self, offset: int, value: int) -> None:
        """One 4-byte qtest write."""
        self._write(offset, 4, value)

    def write64(self, offset: int, value: int) -> None:
        """One 8-byte qtest write."""
        self._write(offset, 8, value)
