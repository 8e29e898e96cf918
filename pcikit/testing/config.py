"""Config space of a mock device: a :class:`~pcikit.access.ConfigSpace` with register semantics.

Each byte has a write mask, a write-1-to-clear mask and a write-1-to-set mask
(from the schema's field attributes). A write of ``val`` to a byte holding ``old``
stores ``(old & ~wmask) | (val & wmask)``, then clears ``val & w1cmask`` and sets
``val & w1smask``, as emulators (QEMU ``hw/pci/pci.c``) do. Sticky bits keep their
value across a function reset. Registers whose
writes have side effects (Command, MSI/MSI-X Message Control, PMCSR, Device
Control) are *watched*: after the store the watcher sees the old and new value.
"""
from __future__ import annotations

from typing import Callable, Iterable, Optional

from ..access.base import ConfigSpace
from ..errors import ConfigReadError
from ..schema.bits import Placed
from .log import CONFIG, READ, WRITE, Access
from .registers import Masks, put
from .state import DeviceState, HookCallback, HookTable

Watcher = Callable[[int, int], None]
_WIDTHS = (1, 2, 4, 8)


def _ones(width: int) -> int:
    return (1 << (8 * width)) - 1


class MockConfig(ConfigSpace):
    """Readable and writable config space of a :class:`~pcikit.testing.MockDevice`.

    Software side: ``read``/``write`` and ``read8/16/32``/``write8/16/32`` (logged,
    hooked, subject to masks and fault injection). Device side: :meth:`peek` and
    :meth:`poke` (no log, no masks, no hooks), for device models.
    """

    def __init__(self, image: bytes, wmask: bytes, w1cmask: bytes, reset: bytes, state: DeviceState,
                 *, w1smask: Optional[bytes] = None, sticky: Optional[bytes] = None) -> None:
        self.size = len(image)
        self._data = bytearray(image)
        self._u16 = memoryview(self._data)[: self.size & ~1].cast("H")
        self._u32 = memoryview(self._data)[: self.size & ~3].cast("I")
        self._wmask = bytearray(wmask)
        self._w1cmask = bytearray(w1cmask)
        self._w1smask = bytearray(w1smask or bytes(self.size))
        self._sticky = bytearray(sticky or bytes(self.size))
        self._reset = bytearray(reset)
        self._defined = bytearray(self.size)  # bytes define_register gave masks: the catalogue keeps off
        self._state = state
        self._append = state.log.append
        self._read_hooks = HookTable()
        self._write_hooks = HookTable()
        self._watchers: list[tuple[int, int, Watcher]] = []
        self._fast = True
        state.listen(self._refresh)

    def _refresh(self) -> None:
        self._fast = self._state.quiet and not self._read_hooks

    def _misaligned(self, offset: int, width: int, value: Optional[int], kind: str) -> None:
        """A config access not aligned to its width (so maybe crossing a dword): PCI has no such access."""
        self._state.violation(f"config {kind} of {width} byte(s) at 0x{offset:03x} is not aligned to its width",
                              "config-misaligned", Access(CONFIG, offset, width, value, kind))

    # -- software reads -----------------------------------------------------------------
    def read(self, offset: int, width: int) -> int:
        """Read a 1, 2, 4 or 8 byte little-endian value at any offset inside ``size``."""
        if width not in _WIDTHS:
            raise ValueError(f"width must be 1, 2, 4 or 8, not {width}")
        if offset < 0 or offset + width > self.size:
            raise ConfigReadError(offset, width, self.size)
        if width < 8 and offset % width:
            self._misaligned(offset, width, None, READ)
        state = self._state
        error = state.failure(CONFIG) if not self._fast else None
        if error is not None:
            self._append((CONFIG, offset, width, None, READ))
            raise error
        if state.removed:
            value = _ones(width)
        else:
            value = int.from_bytes(self._data[offset : offset + width], "little")
            for callback in self._read_hooks.find(offset, width) if self._read_hooks else ():
                replaced = callback(Access(CONFIG, offset, width, value, READ))
                value = value if replaced is None else replaced & _ones(width)
        self._append((CONFIG, offset, width, value, READ))
        return value

    def read8(self, offset: int) -> int:
        """Read one byte."""
        if self._fast and 0 <= offset < self.size:
            value = self._data[offset]
            self._append((CONFIG, offset, 1, value, READ))
            return value
        return self.read(offset, 1)

    def read16(self, offset: int) -> int:
        """Read a little-endian word."""
        if self._fast and not offset & 1 and 0 <= offset < self.size:
            value = self._u16[offset >> 1]
            self._append((CONFIG, offset, 2, value, READ))
            return value
        return self.read(offset, 2)

    def read32(self, offset: int) -> int:
        """Read a little-endian dword."""
        if self._fast and not offset & 3 and 0 <= offset < self.size:
            value = self._u32[offset >> 2]
            self._append((CONFIG, offset, 4, value, READ))
            return value
        return self.read(offset, 4)

    def read_block(self, offset: int, length: int) -> bytes:
        """Bytes for ``image()``: one logged access of ``length`` bytes (no hooks run)."""
        state = self._state
        error = state.failure(CONFIG) if not state.quiet else None
        if error is not None:
            self._append((CONFIG, offset, length, None, READ))
            raise error
        data = b"\xff" * length if state.removed else bytes(self._data[offset : offset + length])
        self._append((CONFIG, offset, length, data, READ))
        return data

    # -- software writes ----------------------------------------------------------------
    def write(self, offset: int, width: int, value: int) -> None:
        """Write 1, 2 or 4 bytes through the write masks; watchers see the result."""
        if width not in (1, 2, 4):
            raise ValueError(f"config writes are 1, 2 or 4 bytes wide, not {width}")
        if offset < 0 or offset + width > self.size:
            raise ValueError(f"config write of {width} byte(s) at 0x{offset:03x} is beyond the {self.size} bytes")
        if not 0 <= value <= _ones(width):
            raise ValueError(f"value {value:#x} does not fit in {width} byte(s)")
        if offset % width:
            self._misaligned(offset, width, value, WRITE)
        state = self._state
        error = state.failure(CONFIG) if not state.quiet else None
        if error is not None:
            self._append((CONFIG, offset, width, None, WRITE))
            raise error
        self._append((CONFIG, offset, width, value, WRITE))
        if state.removed:
            return
        for callback in self._write_hooks.find(offset, width) if self._write_hooks else ():
            replaced = callback(Access(CONFIG, offset, width, value, WRITE))
            value = value if replaced is None else replaced & _ones(width)
        self._store(offset, width, value)

    def _store(self, offset: int, width: int, value: int) -> None:
        end = offset + width
        watched = [
            (start, stop, watcher, self._peek_range(start, stop))
            for start, stop, watcher in self._watchers
            if start < end and offset < stop
        ]
        data, wmask, w1cmask, w1smask = self._data, self._wmask, self._w1cmask, self._w1smask
        for index in range(offset, end):
            byte = (value >> (8 * (index - offset))) & 0xFF
            new = (data[index] & ~wmask[index]) | (byte & wmask[index])
            data[index] = (new & ~(byte & w1cmask[index]) | (byte & w1smask[index])) & 0xFF
        for start, stop, watcher, old in watched:
            watcher(old, self._peek_range(start, stop))

    # -- device side ----------------------------------------------------------------------
    def _peek_range(self, start: int, stop: int) -> int:
        return int.from_bytes(self._data[start:stop], "little")

    def peek(self, offset: int, width: int) -> int:
        """Device-side read: the stored value, no log, no hooks, no faults."""
        return self._peek_range(offset, offset + width)

    def poke(self, offset: int, width: int, value: int) -> None:
        """Device-side write: store ``value`` as is (read-only bits too); no watchers run."""
        self._data[offset : offset + width] = (value & _ones(width)).to_bytes(width, "little")

    def define_register(
        self, offset: int, width: int, *, writable: int = 0, write1_to_clear: int = 0,
        reset: Optional[int] = None,
    ) -> None:
        """Give ``width`` bytes at ``offset`` new masks (bits set = writable / RW1C).

        ``reset`` is the value :meth:`MockDevice.reset` restores (default: the current
        value with its writable and RW1C bits cleared).
        """
        if offset < 0 or offset + width > self.size:
            raise ValueError(f"register at 0x{offset:03x} ({width} bytes) is beyond the {self.size} bytes")
        self._defined[offset : offset + width] = b"\1" * width
        self._wmask[offset : offset + width] = writable.to_bytes(width, "little")
        self._w1cmask[offset : offset + width] = write1_to_clear.to_bytes(width, "little")
        if reset is None:
            reset = self.peek(offset, width) & ~(writable | write1_to_clear)
        self._reset[offset : offset + width] = reset.to_bytes(width, "little")

    def place(self, registers: Iterable[Placed], floor: int) -> None:
        """Give catalogue registers (at or past ``floor``) new masks; what a reset keeps stays, and
        bytes :meth:`define_register` gave masks keep them."""
        masks = Masks(self._wmask, self._w1cmask, self._w1smask, self._sticky, self._reset)
        base = bytes(self._reset)
        for reg in registers:
            put(masks, reg, floor, base, self._defined)

    def masks(self, offset: int, width: int) -> tuple[int, int]:
        """(write mask, write-1-to-clear mask) of ``width`` bytes at ``offset``."""
        end = offset + width
        return (int.from_bytes(self._wmask[offset:end], "little"),
                int.from_bytes(self._w1cmask[offset:end], "little"))

    def watch(self, offset: int, width: int, watcher: Watcher) -> None:
        """Call ``watcher(old, new)`` after every software write overlapping the register."""
        self._watchers.append((offset, offset + width, watcher))

    def on_read(self, offset: int, length: int, callback: HookCallback) -> None:
        """Run ``callback(access)`` on reads overlapping the range; an int it returns is read instead."""
        self._read_hooks.add(offset, length, callback)
        self._refresh()

    def on_write(self, offset: int, length: int, callback: HookCallback) -> None:
        """Run ``callback(access)`` before writes overlapping the range; an int it returns is written instead."""
        self._write_hooks.add(offset, length, callback)

    def sticky_mask(self, offset: int, width: int) -> int:
        """The sticky bits of ``width`` bytes at ``offset``."""
        return int.from_bytes(self._sticky[offset:offset + width], "little")

    def restore_reset_values(self, keep_sticky: bool = True) -> None:
        """Load the reset value of every byte; sticky bits keep theirs unless ``keep_sticky`` is false."""
        if not keep_sticky:
            self._data[:] = self._reset
            return
        data, reset, sticky = (int.from_bytes(b, "little") for b in (self._data, self._reset, self._sticky))
        self._data[:] = ((data & sticky) | (reset & ~sticky)).to_bytes(self.size, "little")
