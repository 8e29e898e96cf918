"""Volatile-style access to a BAR: one load or store of exactly the asked width per call.

:class:`BarRegion` is the interface every BAR-like object implements (a mapped
``resourceN`` file, a captured BAR image, or ``pcikit.testing.MockDevice.bar(n)``
going through a device model)::

    size: int        # bytes in the region
    readonly: bool   # True when writes are refused
    read8(offset) / read16 / read32 / read64 -> int
    write8(offset, value) / write16 / write32 / write64 -> None

Offsets are byte offsets into the region and must be multiples of the access
width. Values are little-endian, as PCI defines them, on any host.

:class:`Region` implements it over an ``mmap`` or any buffer. Each access is a
single index into a memoryview cast to ``B``/``H``/``I``/``Q``, which CPython
performs as one load or store of that width (slicing an mmap is a memcpy with
no width promise). Nothing is cached, combined or split. A misaligned or
out-of-range offset raises :class:`~pcikit.errors.RegionAccessError` before
memory is touched: a read past the end of a mapped file is SIGBUS, which would
kill the process.
"""
from __future__ import annotations

import abc
import sys

from .errors import MisalignedAccessError, OutOfRangeAccessError, ReadOnlyError, RegionAccessError

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Any, Optional

_FORMATS = {1: "B", 2: "H", 4: "I", 8: "Q"}


class BarRegion(abc.ABC):
    """What a BAR looks like to pcikit: ``size``, ``readonly`` and eight exact-width accessors.

    Implementations set ``size`` (bytes) and ``readonly`` (bool) as attributes and
    raise :class:`~pcikit.errors.RegionAccessError` (or a subclass) for misaligned or
    out-of-range offsets and :class:`~pcikit.errors.ReadOnlyError` for writes to a
    read-only region. Values are little-endian integers of the access width.
    """

    __slots__ = ()
    size: int
    readonly: bool

    @abc.abstractmethod
    def read8(self, offset: int) -> int:
        """One 1-byte load at ``offset``."""

    @abc.abstractmethod
    def read16(self, offset: int) -> int:
        """One 2-byte load at ``offset`` (a multiple of 2)."""

    @abc.abstractmethod
    def read32(self, offset: int) -> int:
        """One 4-byte load at ``offset`` (a multiple of 4)."""

    @abc.abstractmethod
    def read64(self, offset: int) -> int:
        """One 8-byte load at ``offset`` (a multiple of 8)."""

    @abc.abstractmethod
    def write8(self, offset: int, value: int) -> None:
        """One 1-byte store of ``value`` at ``offset``."""

    @abc.abstractmethod
    def write16(self, offset: int, value: int) -> None:
        """One 2-byte store of ``value`` at ``offset`` (a multiple of 2)."""

    @abc.abstractmethod
    def write32(self, offset: int, value: int) -> None:
        """One 4-byte store of ``value`` at ``offset`` (a multiple of 4)."""

    @abc.abstractmethod
    def write64(self, offset: int, value: int) -> None:
        """One 8-byte store of ``value`` at ``offset`` (a multiple of 8)."""

    def close(self) -> None:
        """Release what the region holds (a mapping); regions that hold nothing do nothing."""


def refused(offset: Any, width: int, size: int) -> RegionAccessError:
    """The error for an access at ``offset`` of ``width`` bytes into a region of ``size`` bytes."""
    if offset % width:
        return MisalignedAccessError(
            f"{width * 8}-bit access at {offset:#x} is not {width}-byte aligned", offset, width, size
        )
    return OutOfRangeAccessError(
        f"{width * 8}-bit access at {offset:#x} is outside the region of {size:#x} bytes",
        offset, width, size,
    )


def _bad_value(value: Any, width: int, size: int, offset: int) -> RegionAccessError:
    return RegionAccessError(
        f"value {value!r} does not fit in an unsigned {width * 8}-bit store", offset, width, size
    )


class Region(BarRegion):
    """A BAR (or any byte range) accessed one exact-width load/store at a time.

    ``Region(buffer)`` wraps an ``mmap``, ``bytearray`` or any C-contiguous buffer;
    a read-only buffer (``mmap`` opened with ``ACCESS_READ``, ``bytes``) gives a
    read-only region, and ``readonly=True`` makes any region read-only. ``size``
    limits the region to the first ``size`` bytes of the buffer (a BAR smaller
    than the page the kernel maps). ``owner`` (e.g. the mmap) is closed by
    :meth:`close`. Use as a context manager to release the mapping.
    """

    __slots__ = ("size", "readonly", "_u8", "_u16", "_u32", "_u64", "_base", "_owner")

    def __new__(cls, *args: Any, **kwargs: Any) -> "Region":
        if cls is Region and sys.byteorder == "big":
            cls = ByteSwappedRegion
        return super().__new__(cls)

    def __init__(
        self,
        buffer: Any,
        *,
        size: Optional[int] = None,
        readonly: bool = False,
        owner: Any = None,
    ) -> None:
        base = memoryview(buffer).cast("B")
        if size is not None:
            if not 0 <= size <= len(base):
                raise ValueError(f"region size {size} exceeds the buffer's {len(base)} bytes")
            base = base[:size]
        length = len(base)
        self.size = length
        self.readonly = readonly or base.readonly
        self._base = base
        self._owner = owner
        self._u8 = base
        self._u16 = base[: length & ~1].cast("H")
        self._u32 = base[: length & ~3].cast("I")
        self._u64 = base[: length & ~7].cast("Q")

    def __repr__(self) -> str:
        mode = "ro" if self.readonly else "rw"
        return f"<{type(self).__name__} {self.size:#x} bytes {mode}>"

    # -- loads: check, then exactly one indexed access --------------------------------
    def read8(self, offset: int) -> int:
        """One 1-byte load at ``offset``."""
        if offset < 0:
            raise refused(offset, 1, self.size)
        try:
            return self._u8[offset]
        except IndexError:
            raise refused(offset, 1, self.size) from None

    def read16(self, offset: int) -> int:
        """One 2-byte little-endian load at ``offset`` (a multiple of 2)."""
        if offset & 1 or offset < 0:
            raise refused(offset, 2, self.size)
        try:
            return self._u16[offset >> 1]
        except IndexError:
            raise refused(offset, 2, self.size) from None

    def read32(self, offset: int) -> int:
        """One 4-byte little-endian load at ``offset`` (a multiple of 4)."""
        if offset & 3 or offset < 0:
            raise refused(offset, 4, self.size)
        try:
            return self._u32[offset >> 2]
        except IndexError:
            raise refused(offset, 4, self.size) from None

    def read64(self, offset: int) -> int:
        """One 8-byte little-endian load at ``offset`` (a multiple of 8)."""
        if offset & 7 or offset < 0:
            raise refused(offset, 8, self.size)
        try:
            return self._u64[offset >> 3]
        except IndexError:
            raise refused(offset, 8, self.size) from None

    # -- stores: refuse read-only regions and bad offsets/values before touching memory --
    def _store(self, view: memoryview, width: int, offset: int, value: int) -> None:
        if self.readonly:
            raise ReadOnlyError(f"{width * 8}-bit write at {offset:#x}: the region is read-only")
        if offset % width or offset < 0:
            raise refused(offset, width, self.size)
        try:
            view[offset // width] = value
        except IndexError:
            raise refused(offset, width, self.size) from None
        except (ValueError, TypeError):
            raise _bad_value(value, width, self.size, offset) from None

    def write8(self, offset: int, value: int) -> None:
        """One 1-byte store of ``value`` at ``offset``."""
        self._store(self._u8, 1, offset, value)

    def write16(self, offset: int, value: int) -> None:
        """One 2-byte little-endian store at ``offset`` (a multiple of 2)."""
        self._store(self._u16, 2, offset, value)

    def write32(self, offset: int, value: int) -> None:
        """One 4-byte little-endian store at ``offset`` (a multiple of 4)."""
        self._store(self._u32, 4, offset, value)

    def write64(self, offset: int, value: int) -> None:
        """One 8-byte little-endian store at ``offset`` (a multiple of 8)."""
        self._store(self._u64, 8, offset, value)

    # -- lifetime ----------------------------------------------------------------------
    def close(self) -> None:
        """Release the views and close the owner (the mmap); later accesses raise ValueError."""
        for view in (self._u64, self._u32, self._u16, self._base):
            view.release()
        if self._owner is not None:
            self._owner.close()
        self._owner = None

    def __enter__(self) -> "Region":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _swap(value: int, width: int) -> int:
    return int.from_bytes(value.to_bytes(width, "little"), "big")


class ByteSwappedRegion(Region):
    """A Region that byte-swaps values (not accesses): what ``Region`` is on a big-endian host.

    The access stays one load/store of the full width; only the integer is swapped
    so that values read and written are little-endian as PCI defines them.
    """

    __slots__ = ()

    def read16(self, offset: int) -> int:
        """One 2-byte load, value converted from little-endian."""
        return _swap(super().read16(offset), 2)

    def read32(self, offset: int) -> int:
        """One 4-byte load, value converted from little-endian."""
        return _swap(super().read32(offset), 4)

    def read64(self, offset: int) -> int:
        """One 8-byte load, value converted from little-endian."""
        return _swap(super().read64(offset), 8)

    def _store(self, view: memoryview, width: int, offset: int, value: int) -> None:
        if width > 1 and isinstance(value, int) and 0 <= value < 1 << (width * 8):
            value = _swap(value, width)
        super()._store(view, width, offset, value)
