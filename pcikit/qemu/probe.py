"""Which config bits an emulated function lets software change, found by writing to it.

For every dword of the header (BARs and the ROM excepted: their writable bits are
their sizes) and of each capability (up to the next one), :func:`probe` writes all
ones, reads back, writes zeros, reads back and restores the original value:

* writable bits read back 1 after the ones and 0 after the zeros;
* write-1-to-clear bits were 1, and read 0 after the ones (a RW1C bit that was 0
  cannot be told from a read-only 0: the catalogue's attribute stands for it).

Bits whose write starts an action are never written as ones (only their zero is
probed: one that was set and reads 0 after the zeros is writable): Initiate
Function Level Reset, Secondary Bus Reset, BIST start, Link Disable / Retrain
Link, the Slot Control indicators, power controller and interlock, SR-IOV VF
Enable and VF Memory Space. Memory and I/O decode stay off while the rest is probed.

Only ever on an emulator: :func:`probe` refuses a config space that is not QEMU's.
"""
from __future__ import annotations

from typing import NamedTuple

from ..errors import PcikitError
from ..fixture.spec import MaskSpec
from ..model import Device
from ..schema import registry
from ..schema.capability_ids import PCI_EXPRESS as CAP_ID_EXP
from .access import QemuConfig

ECAP_ID_SRIOV = registry.extended_id("Single Root I/O Virtualization")
COMMAND = 0x04
_HEADER_SKIPPED = {0: (0x10, 0x14, 0x18, 0x1C, 0x20, 0x24, 0x30), 1: (0x10, 0x14, 0x38), 2: (0x10,)}
_STANDARD_END, _EXTENDED_END = 0x100, 0x1000


class ProbeError(PcikitError):
    """A probe refused (not an emulator)."""


class Readback(NamedTuple):
    """One probed dword: its value before, after writing ones (``ones``), after writing zeros."""

    offset: int
    before: int
    ones: int
    zeros: int
    kept: int  # bits never written as ones (actions)

    @property
    def writable(self) -> int:
        """Bits that took both values, and action bits that were set and took the zero."""
        return self.ones & ~self.zeros & ~self.kept | self.before & ~self.zeros & self.kept

    @property
    def write1_to_clear(self) -> int:
        """Bits that were set and cleared by writing ones."""
        return self.before & ~self.ones & ~self.zeros & ~self.kept


def _action_bits(dev: Device) -> dict[int, int]:
    """Per dword offset: bits whose write of 1 would start something (never probed with ones)."""
    kept = {0x0C: 1 << 30}  # BIST: Start BIST
    if dev.header_type == 1:
        kept[0x3C] = 1 << 22  # Bridge Control: Secondary Bus Reset
    for cap in dev.capabilities:
        if cap.cap_id == CAP_ID_EXP:
            kept[cap.offset + 0x08] = 1 << 15  # Device Control: Initiate Function Level Reset
            kept[cap.offset + 0x10] = 0x30  # Link Control: Link Disable, Retrain Link
            kept[cap.offset + 0x18] = 0xFC0  # Slot Control: indicators, power controller, interlock
    for cap in dev.extended_capabilities:
        if cap.cap_id == ECAP_ID_SRIOV:
            kept[cap.offset + 0x08] = 0x0B  # SR-IOV Control: VF Enable, VF Migration Enable, VF MSE
    return kept


def _extent(starts: list[int], end: int) -> list[tuple[int, int]]:
    ordered = sorted(set(starts))
    return [(start, (ordered[i + 1] if i + 1 < len(ordered) else end)) for i, start in enumerate(ordered)]


def probed_dwords(dev: Device) -> list[int]:
    """Offsets of the dwords :func:`probe` writes: the header and every capability, in order."""
    size = dev.config.size
    skipped = _HEADER_SKIPPED.get(dev.header_type, ())
    offsets = [o for o in range(0, 0x40, 4) if o not in skipped]
    areas = _extent([c.offset for c in dev.capabilities], _STANDARD_END)
    areas += _extent([c.offset for c in dev.extended_capabilities], _EXTENDED_END)
    for start, end in areas:
        offsets.extend(range(start & ~3, min(end, size), 4))
    return sorted(o for o in set(offsets) if o + 4 <= size)


def probe(dev: Device) -> list[Readback]:
    """Write ones and zeros to every probed dword of an emulated function, restoring each."""
    config = dev.config
    if not isinstance(config, QemuConfig):
        raise ProbeError(f"{dev.address}: write masks are probed only on an emulator, never on this source")
    kept = _action_bits(dev)
    command = config.read(COMMAND, 2)
    found = []
    for offset in probed_dwords(dev):
        found.append(probe_dword(config, offset, kept.get(offset, 0)))
        if offset == COMMAND:  # decode off for everything after the Command register itself
            config.write(COMMAND, 2, command & ~0x3)
    config.write(COMMAND, 2, command)
    return found


def probe_dword(config, offset: int, kept: int) -> Readback:
    """Ones, zeros, restore at one dword of any writable config space (also the mock's, to compare)."""
    before = config.read(offset, 4)
    config.write(offset, 4, 0xFFFF_FFFF & ~kept)
    ones = config.read(offset, 4)
    config.write(offset, 4, 0)
    zeros = config.read(offset, 4)
    config.write(offset, 4, before)
    return Readback(offset, before, ones, zeros, kept)


def write_masks(readbacks: list[Readback]) -> list[MaskSpec]:
    """The spec entries for probed dwords (RW1C given only where the probe saw it)."""
    return [MaskSpec(r.offset, 4, r.writable, r.write1_to_clear or None) for r in readbacks]
