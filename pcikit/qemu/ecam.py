"""Config space of a QEMU q35 machine over qtest: the MCH's ECAM window, opened first.

QEMU's q35 MCH leaves ECAM (PCI Express enhanced configuration access) off until
firmware programs PCIEXBAR (00:00.0, config 0x60, 64-bit). :func:`open_ecam`
does that through the legacy 0xcf8/0xcfc ports; afterwards config offset ``O``
of ``B:D.F`` is memory at ``base + (B << 20 | D << 15 | F << 12 | O)`` and every
access is one qtest ``readb/readw/readl`` or ``writeb/writew/writel`` of exactly
the asked width.
"""
from __future__ import annotations

from typing import NamedTuple

from .qtest import QemuError, QtestProcess

ECAM_BASE = 0xB000_0000  # where SeaBIOS puts it on q35: 256 buses below the 32-bit PCI hole
PCIEXBAR = 0x60
PCIEXBAR_ENABLE = 0x1  # length field (bits 2:1) 0 = 256 buses
CONFIG_ADDRESS, CONFIG_DATA = 0xCF8, 0xCFC
_READ = {1: "readb", 2: "readw", 4: "readl", 8: "readq"}
_WRITE = {1: "writeb", 2: "writew", 4: "writel", 8: "writeq"}


class Bdf(NamedTuple):
    """Bus, device, function on segment 0."""

    bus: int
    device: int
    function: int

    def __str__(self) -> str:
        return f"{self.bus:02x}:{self.device:02x}.{self.function}"


def read_command(width: int, address: int) -> str:
    """The qtest command reading ``width`` bytes at ``address``."""
    return f"{_READ[width]} {address:#x}"


def write_command(width: int, address: int, value: int) -> str:
    """The qtest command writing ``value`` (``width`` bytes) at ``address``."""
    return f"{_WRITE[width]} {address:#x} {value:#x}"


def parse_value(answer: str, command: str) -> int:
    """The integer in a qtest ``OK 0x...`` answer."""
    try:
        return int(answer, 16)
    except ValueError:
        raise QemuError(f"QEMU answered {answer!r} to {command!r}, not a value") from None


def open_ecam(qtest: QtestProcess, base: int = ECAM_BASE) -> "Ecam":
    """Program the MCH's PCIEXBAR (as firmware does) and return the ECAM accessor."""
    qtest.exchange_many([
        f"outl {CONFIG_ADDRESS:#x} {0x8000_0000 | PCIEXBAR + 4:#x}", f"outl {CONFIG_DATA:#x} 0x0",
        f"outl {CONFIG_ADDRESS:#x} {0x8000_0000 | PCIEXBAR:#x}", f"outl {CONFIG_DATA:#x} {base | PCIEXBAR_ENABLE:#x}",
    ])
    ecam = Ecam(qtest, base)
    if ecam.read(Bdf(0, 0, 0), PCIEXBAR, 4) != base | PCIEXBAR_ENABLE:
        raise QemuError("the machine has no q35 PCIEXBAR: ECAM could not be enabled (is it -machine q35?)")
    return ecam


class Ecam:
    """Exact-width config reads and writes of any function through ECAM."""

    def __init__(self, qtest: QtestProcess, base: int = ECAM_BASE) -> None:
        self.qtest = qtest
        self.base = base

    def address(self, bdf: Bdf, offset: int) -> int:
        """The memory address of config ``offset`` of ``bdf``."""
        return self.base + (bdf.bus << 20 | bdf.device << 15 | bdf.function << 12 | offset)

    def read(self, bdf: Bdf, offset: int, width: int) -> int:
        """One config read of ``width`` (1, 2 or 4) bytes."""
        command = read_command(width, self.address(bdf, offset))
        return parse_value(self.qtest.exchange(command), command)

    def write(self, bdf: Bdf, offset: int, width: int, value: int) -> None:
        """One config write of ``width`` (1, 2 or 4) bytes."""
        self.qtest.exchange(write_command(width, self.address(bdf, offset), value))

    def read_block(self, bdf: Bdf, offset: int, length: int) -> bytes:
        """``length`` bytes from ``offset`` as dword reads sent in one batch (bytes at the edges)."""
        plan = []  # (address, width) covering [offset, offset + length)
        position, end = offset, offset + length
        while position < end:
            width = 4 if position % 4 == 0 and end - position >= 4 else 1
            plan.append((position, width))
            position += width
        commands = [read_command(width, self.address(bdf, at)) for at, width in plan]
        answers = self.qtest.exchange_many(commands)
        return b"".join(
            parse_value(answer, command).to_bytes(width, "little")
            for (_, width), answer, command in zip(plan, answers, commands)
        )
