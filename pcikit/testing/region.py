"""A mock BAR: the :class:`pcikit.mmio.BarRegion` interface over a device model.

Plain BAR memory is an anonymous mapping (pages appear when first touched, so
a 1 GiB BAR costs nothing until used). Accesses are checked exactly as
:class:`pcikit.mmio.Region` checks them (aligned, inside the BAR), then:

* while Command's Memory Space (I/O Space for an I/O BAR) is clear, or the
  function is in D3hot, the access is a master abort: reads return all ones,
  writes are dropped, and the access is recorded as a violation;
* after :meth:`MockDevice.surprise_remove` reads return all ones and writes vanish;
* the MSI-X table and PBA ranges go to the MSI-X model;
* hooks registered on an offset run (doorbells, read-to-clear registers);
* everything else is memory.

Every access is appended to the device's access log.
"""
from __future__ import annotations

import mmap
from typing import TYPE_CHECKING, Callable, Optional

from ..errors import RegionAccessError
from ..mmio import BarRegion, refused
from .log import READ, WRITE, Access
from .profiles import answer
from .state import DeviceState, HookCallback, HookTable, MockError

if TYPE_CHECKING:
    from .msix import MsixModel

_FORMATS = {1: "B", 2: "H", 4: "I", 8: "Q"}


def _ones(width: int) -> int:
    return (1 << (8 * width)) - 1


class MockRegion(BarRegion):
    """BAR ``index`` of a mock device; get it from :meth:`MockDevice.bar`.

    ``peek``/``poke`` are the device side (no log, no hooks, no decode check) for
    device models that keep registers in BAR memory.
    """

    __slots__ = (
        "size", "readonly", "index", "space", "_name", "_state", "_decodes", "_decoding", "_initial",
        "_memory", "_views", "_u32", "_append", "_fast", "_trap", "_read_hooks", "_write_hooks",
        "_msix_table", "_msix_pba", "_msix",
    )

    def __init__(
        self, index: int, size: int, space: str, state: DeviceState,
        decodes: Callable[[], bool], initial: Optional[bytes] = None,
    ) -> None:
        self.size = size
        self.readonly = False
        self.index = index
        self.space = space
        self._name = f"bar{index}"
        self._state = state
        self._decodes = decodes
        self._initial = initial
        self._append = state.log.append
        self._read_hooks = HookTable()
        self._write_hooks = HookTable()
        self._msix: Optional["MsixModel"] = None
        self._msix_table = self._msix_pba = (0, 0)
        self._trap: set[int] = set()
        self._fast = self._decoding = False
        self._map_memory()
        state.listen(self._refresh)

    def __repr__(self) -> str:
        return f"<MockRegion {self._name} {self.space} {self.size:#x} bytes>"

    def _map_memory(self) -> None:
        try:
            self._memory = mmap.mmap(-1, self.size)
        except (OSError, OverflowError, ValueError) as exc:
            raise MockError(f"{self._name}: cannot back a BAR of {self.size:#x} bytes: {exc}") from None
        if self._initial:
            self._memory[: len(self._initial)] = self._initial
        base = memoryview(self._memory)
        self._views = {w: base[: self.size & ~(w - 1)].cast(f) for w, f in _FORMATS.items()}
        self._u32 = self._views[4]

    def _refresh(self) -> None:
        self._decoding = self._decodes()
        self._fast = self._state.quiet and self._decoding

    def attach_msix(self, model: "MsixModel", table: tuple[int, int], pba: tuple[int, int]) -> None:
        """Route ``[start, end)`` ranges of the table and/or PBA (empty: not here) to ``model``."""
        self._msix, self._msix_table, self._msix_pba = model, table, pba
        for start, end in (table, pba):
            self._trap.update(range(start >> 2, (end + 3) >> 2))

    # -- software loads --------------------------------------------------------------
    def read8(self, offset: int) -> int:
        """One 1-byte load at ``offset``."""
        return self._read(offset, 1)

    def read16(self, offset: int) -> int:
        """One 2-byte little-endian load at ``offset`` (a multiple of 2)."""
        return self._read(offset, 2)

    def read32(self, offset: int) -> int:
        """One 4-byte little-endian load at ``offset`` (a multiple of 4)."""
        if self._fast and not offset & 3 and 0 <= offset < self.size and offset >> 2 not in self._trap:
            value = self._u32[offset >> 2]
            self._append((self._name, offset, 4, value, READ))
            return value
        return self._read(offset, 4)

    def read64(self, offset: int) -> int:
        """One 8-byte little-endian load at ``offset`` (a multiple of 8)."""
        return self._read(offset, 8)

    def _read(self, offset: int, width: int) -> int:
        if offset % width or offset < 0 or offset + width > self.size:
            raise refused(offset, width, self.size)
        state = self._state
        error = state.failure(self._name) if not state.quiet else None
        if error is not None:
            self._append((self._name, offset, width, None, READ))
            raise error
        if state.removed:
            value = _ones(width)
        elif not self._decoding:
            state.violation(f"{self._name} read at {offset:#x} while the BAR does not decode (master abort)",
                            "decode-off", Access(self._name, offset, width, None, READ))
            found = answer("bar_read_decode_off", state.profile)
            value = 0 if found == "zero" else self._load(offset, width) if found == "device" else _ones(width)
        else:
            value = self._load(offset, width)
        self._append((self._name, offset, width, value, READ))
        return value

    def _load(self, offset: int, width: int) -> int:
        msix = self._msix
        if msix is not None:
            if self._msix_table[0] <= offset < self._msix_table[1]:
                return msix.table_read(offset - self._msix_table[0], width)
            if self._msix_pba[0] <= offset < self._msix_pba[1]:
                return msix.pba_read(offset - self._msix_pba[0], width)
        value = self._views[width][offset // width]
        for callback in self._read_hooks.find(offset, width) if self._read_hooks else ():
            replaced = callback(Access(self._name, offset, width, value, READ))
            value = value if replaced is None else replaced & _ones(width)
        return value

    # -- software stores -------------------------------------------------------------
    def write8(self, offset: int, value: int) -> None:
        """One 1-byte store of ``value`` at ``offset``."""
        self._write(offset, 1, value)

    def write16(self, offset: int, value: int) -> None:
        """One 2-byte little-endian store at ``offset`` (a multiple of 2)."""
        self._write(offset, 2, value)

    def write32(self, offset: int, value: int) -> None:
        """One 4-byte little-endian store at ``offset`` (a multiple of 4)."""
        self._write(offset, 4, value)

    def write64(self, offset: int, value: int) -> None:
        """One 8-byte little-endian store at ``offset`` (a multiple of 8)."""
        self._write(offset, 8, value)

    def _write(self, offset: int, width: int, value: int) -> None:
        if offset % width or offset < 0 or offset + width > self.size:
            raise refused(offset, width, self.size)
        if not isinstance(value, int) or not 0 <= value <= _ones(width):
            raise RegionAccessError(
                f"value {value!r} does not fit in an unsigned {width * 8}-bit store", offset, width, self.size
            )
        state = self._state
        error = state.failure(self._name) if not state.quiet else None
        if error is not None:
            self._append((self._name, offset, width, None, WRITE))
            raise error
        self._append((self._name, offset, width, value, WRITE))
        if state.removed:
            return
        if not self._decoding:
            state.violation(f"{self._name} write at {offset:#x} while the BAR does not decode (master abort)",
                            "decode-off", Access(self._name, offset, width, value, WRITE))
            return
        self._store(offset, width, value)

    def _store(self, offset: int, width: int, value: int) -> None:
        msix = self._msix
        if msix is not None:
            if self._msix_table[0] <= offset < self._msix_table[1]:
                access = Access(self._name, offset, width, value, WRITE)
                msix.table_write(offset - self._msix_table[0], width, value, access)
                return
            if self._msix_pba[0] <= offset < self._msix_pba[1]:
                msix.pba_write(offset - self._msix_pba[0], width, value)
                return
        for callback in self._write_hooks.find(offset, width) if self._write_hooks else ():
            replaced = callback(Access(self._name, offset, width, value, WRITE))
            value = value if replaced is None else replaced & _ones(width)
        self._views[width][offset // width] = value

    # -- accesses that reach the BAR's memory without a bus cycle ------------------------
    def dispatch_read(self, offset: int, width: int) -> int:
        """A load of the BAR's memory from inside the function (the virtio PCI_CFG window):
        hooks and MSI-X structures answer; Memory Space Enable is not consulted."""
        if offset % width or offset < 0 or offset + width > self.size:
            raise refused(offset, width, self.size)
        return self._load(offset, width)

    def dispatch_write(self, offset: int, width: int, value: int) -> None:
        """A store to the BAR's memory from inside the function (see :meth:`dispatch_read`)."""
        if offset % width or offset < 0 or offset + width > self.size:
            raise refused(offset, width, self.size)
        self._store(offset, width, value & _ones(width))

    # -- device side ---------------------------------------------------------------------
    def _check_device_side(self, offset: int, width: int) -> None:
        if width not in _FORMATS or offset % width or offset < 0 or offset + width > self.size:
            raise refused(offset, width, self.size)
        for start, end in (self._msix_table, self._msix_pba):
            if start < offset + width and offset < end:
                raise MockError(f"{self._name} {offset:#x}: the MSI-X table/PBA belong to dev.msix")

    def peek(self, offset: int, width: int) -> int:
        """Device-side load (no log, no hooks, decodes or not)."""
        self._check_device_side(offset, width)
        return self._views[width][offset // width]

    def poke(self, offset: int, width: int, value: int) -> None:
        """Device-side store (no log, no hooks)."""
        self._check_device_side(offset, width)
        self._views[width][offset // width] = value & _ones(width)

    def on_read(self, offset: int, length: int, callback: HookCallback) -> None:
        """Run ``callback(access)`` on reads overlapping the range; an int it returns is read instead."""
        self._read_hooks.add(offset, length, callback)
        self._trap |= self._read_hooks.dwords

    def on_write(self, offset: int, length: int, callback: HookCallback) -> None:
        """Run ``callback(access)`` before writes overlapping the range; an int it returns is stored instead."""
        self._write_hooks.add(offset, length, callback)

    def reset(self) -> None:
        """Restore the memory the BAR started with (device models re-seed registers on reset)."""
        for view in self._views.values():
            view.release()
        self._memory.close()
        self._map_memory()
