"""pci.ids lookups without parsing, or even reading, the whole file.

The file is mapped (``.gz`` files are inflated) when the first name is asked for. pci.ids lists
vendors, the devices under each and the classes in ascending order of ID, so a look-up is a
binary search over the lines of its level: each probe finds the line at or before its midpoint,
reading back with C-speed ``translate``/``rfind`` over a few hundred bytes (at most a few KiB: a
probe deep in a large block, such as Intel's quarter of the file, searches before it, then finds
the line after it with one ``find``). A search that finds nothing is
confirmed by scanning the block it searched, so a file in any order gives the same answers, only
slower. Finding where a block ends means looking at every line of it, so a device is first
looked for with one ``find`` after its vendor's line: when there is none, the name is missing
without the block's end being known.
"""
from __future__ import annotations

import os

from .errors import PcikitError

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    import mmap
    from typing import Optional, Union

SEARCH_PATH = (
    "/usr/share/hwdata/pci.ids",
    "/usr/share/misc/pci.ids",
    "/usr/share/hwdata/pci.ids.gz",
    "/usr/share/misc/pci.ids.gz",
)
ENV_VAR = "PCIKIT_IDS"

# Lines are told apart by their first bytes: this table keeps tabs, newlines and "#" and maps
# every other byte to "X" (a carriage return to a newline, so CRLF files read alike), so that
# without importing re a vendor or class line is found as b"\nX" and a device or subclass line as
# b"\n\tX" (comments and blank lines match neither).
_TABLE = bytes(byte if byte in b"\t\n#" else 0x0A if byte == 0x0D else ord("X") for byte in range(256))
_TOP = (b"\nX",)
_LEVEL1 = (b"\n\tX",)
_LEVEL1_OR_TOP = _LEVEL1 + _TOP
_FIRST_WINDOW, _LAST_WINDOW = 512, 1 << 16  # bytes translated per step while looking for a line
_PROBE_REACH = 8192  # bytes a binary search probe reads back before a find of the line takes over
_INDEX_AFTER = 16  # distinct vendors searched for before every vendor line is indexed


MAX_IDS_BYTES = 64 << 20  # pci.ids is ~1.5 MB; anything past 64 MiB (compressed or not) is refused


def warn(message: str) -> None:
    """One warning line on stderr."""
    import sys

    print(message, file=sys.stderr)


def map_ids_file(path: str) -> Union[bytes, "mmap.mmap"]:
    """The text of a pci.ids: the file mapped, or ``.gz`` decompressed; both sizes capped by MAX_IDS_BYTES."""
    from .access.files import map_bounded, read_bounded

    if not path.endswith(".gz"):
        return map_bounded(path, MAX_IDS_BYTES)
    import zlib

    data = read_bounded(path, MAX_IDS_BYTES)
    inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing
    try:
        out = inflate.decompress(data, MAX_IDS_BYTES + 1)
    except zlib.error as exc:
        raise PcikitError(f"{path}: not a valid gzip file ({exc})") from None
    if len(out) > MAX_IDS_BYTES:
        raise PcikitError(f"{path}: decompresses to more than {MAX_IDS_BYTES >> 20} MiB (refused)")
    return out


def find_ids_file(explicit: Optional[str] = None) -> Optional[str]:
    """The pci.ids to use: ``explicit``, then $PCIKIT_IDS, then the usual places."""
    candidates = [explicit] if explicit else []
    env = os.environ.get(ENV_VAR)
    if env:
        candidates.append(env)
        if not explicit and not os.path.isfile(env):
            warn(f"pcikit: warning: {ENV_VAR}={env} is not a file; using the system pci.ids")
    if not explicit:
        candidates.extend(SEARCH_PATH)
    return next((path for path in candidates if path and os.path.isfile(path)), None)


class IdDatabase:
    """Names of vendors, devices, subsystems and classes; None where unknown.

    ``data`` is the text of a pci.ids (bytes or a read-only mapping of the file).
    """

    def __init__(self, data: Union[bytes, "mmap.mmap"], path: Optional[str] = None) -> None:
        self._path = path
        self._pending: Optional[str] = None  # a file to open on the first look-up (see load)
        self._cache: dict[tuple, Optional[str]] = {}
        self._vendors: dict[int, int] = {}  # vendor -> where its line starts (-1: not listed)
        self._ends: dict[int, int] = {}  # vendor -> where its block ends
        self._tops: Optional[_LineIndex] = None  # every vendor line, once many vendors are asked for
        self._device_lines: dict[int, _LineIndex] = {}  # vendor -> its device lines (with _tops)
        self._use(data)

    def _use(self, data: Union[bytes, "mmap.mmap"]) -> None:
        self._data = data
        classes = data.rfind(b"\nC 00  ") + 1 or (0 if data[:6] == b"C 00  " else -1)
        self._classes_start = max(classes, 0)  # no class list: classes are looked for everywhere
        self._vendors_end = classes if classes >= 0 else len(data)

    @classmethod
    def load(cls, explicit: Optional[str] = None) -> "IdDatabase":
        """The first pci.ids found (empty when there is none), opened on the first look-up."""
        db = cls(b"")
        db._pending = find_ids_file(explicit)
        return db

    def _open(self) -> None:
        path, self._pending = self._pending, None
        try:
            data = map_ids_file(path)
        except PcikitError as exc:
            warn(f"pcikit: warning: {exc}; devices are not named")
            return
        self._path = path
        self._use(data)

    @property
    def path(self) -> Optional[str]:
        """The file the names come from (None: none, or it could not be read)."""
        if self._pending is not None:
            self._open()
        return self._path

    # -- lines ---------------------------------------------------------------------------------
    def _translated(self, start: int, stop: int) -> bytes:
        """``_TABLE`` applied to the bytes ``[start - 1, stop)`` (before the file: a newline)."""
        if start > 0:
            return self._data[start - 1 : stop].translate(_TABLE)
        return b"\n" + self._data[:stop].translate(_TABLE)

    def _next_line(self, start: int, end: int, marks: tuple[bytes, ...]) -> int:
        """The first line starting in ``[start, end)`` whose translated start is one of ``marks``, else -1."""
        window = _FIRST_WINDOW
        while start < end:
            stop = min(start + window, end)
            text = self._translated(start, stop + 2)  # a mark is at most 3 bytes, from the newline on
            found = [at for at in (text.find(mark, 0, stop - start + len(mark) - 1) for mark in marks) if at >= 0]
            if found:
                return start + min(found)
            start, window = stop, min(window * 2, _LAST_WINDOW)
        return -1

    def _find_line(self, key: bytes, start: int, end: int) -> int:
        """The first line starting in ``[start, end)`` that begins with ``key``, else -1."""
        if start == 0 and end > 0 and self._data[: len(key)] == key:
            return 0
        found = self._data.find(b"\n" + key, max(start - 1, 0), end + len(key))
        return found + 1 if found >= 0 else -1

    def _last_line(self, start: int, end: int, marks: tuple[bytes, ...]) -> int:
        """The last line starting in ``[start, end)`` whose translated start is one of ``marks``, else -1."""
        window = _FIRST_WINDOW
        while start < end:
            low = max(start, end - window)
            text = self._translated(low, end + 2)
            found = max(text.rfind(mark, 0, end - low + len(mark) - 1) for mark in marks)
            if found >= 0:
                return low + found
            end, window = low, min(window * 2, _LAST_WINDOW)
        return -1

    def _search(self, key: bytes, start: int, end: int, marks: tuple[bytes, ...]) -> int:
        """The line in ``[start, end)`` that begins with ``key`` among the lines ``marks`` finds,
        by binary search (they are in order in pci.ids), confirmed by a scan when not found."""
        found = self._bisect(key, start, end, marks)
        return found if found >= 0 else self._find_line(key, start, end)

    def _bisect(self, key: bytes, lo: int, hi: int, marks: tuple[bytes, ...]) -> int:
        """The binary search of :meth:`_search`: the line, else -1 (a file out of order may hold it).

        Each probe reads back to the line at or before its midpoint, at most ``_PROBE_REACH``
        bytes. A probe that finds none is deep inside a large block (Intel's is a quarter of the
        file): the line wanted is before it (often that block's own line, a probe or two back) or
        after the block, where one ``find`` looks for it. Reading back through the block instead
        would cost more (``translate`` and the memory traffic of every byte).
        """
        size = len(key)
        while lo < hi:
            mid = (lo + hi) // 2
            floor = max(lo, mid + 1 - _PROBE_REACH)
            pos = self._last_line(floor, mid + 1, marks)
            if pos < 0 and floor > lo:  # no line in [floor, mid]
                found = self._bisect(key, lo, floor, marks)
                return found if found >= 0 else self._find_line(key, mid + 1, hi)
            probe = self._data[pos : pos + size] if pos >= 0 else b""
            if probe == key:
                return pos
            if probe < key:
                lo = mid + 1  # no such line in (pos, mid]: the one wanted comes later
            else:
                hi = pos
        return -1

    def _end(self, start: int, marks: tuple[bytes, ...], end: Optional[int] = None) -> int:
        """Where the block of the line at ``start`` ends: the next line ``marks`` finds, else ``end``."""
        end = len(self._data) if end is None else end
        found = self._next_line(start + 1, end, marks)
        return found if found >= 0 else end

    def _line_name(self, start: int) -> str:
        end = self._data.find(b"\n", start)
        line = self._data[start : end if end >= 0 else len(self._data)]
        return line.split(b"  ", 1)[-1].strip().decode("utf-8", "replace")

    def _named(self, key: tuple, pos: int) -> Optional[str]:
        self._cache[key] = name = self._line_name(pos) if pos >= 0 else None
        return name

    # -- blocks --------------------------------------------------------------------------------
    def _vendor_pos(self, vendor: int) -> int:
        """Where the vendor's line starts, else -1."""
        if self._pending is not None:
            self._open()
        pos = self._vendors.get(vendor)
        if pos is None:
            if self._tops is None and len(self._vendors) >= _INDEX_AFTER:
                self._tops = _LineIndex(self, 0, self._vendors_end, b"\nX", 6)
            key = b"%04x  " % vendor
            if self._tops is not None:
                pos = self._tops.first.get(key, -1)
            else:
                pos = self._search(key, 0, self._vendors_end, _TOP)
            self._vendors[vendor] = pos
        return pos

    def _vendor_end(self, vendor: int) -> int:
        """Where the block of a vendor that is listed ends (a scan of the block: found once)."""
        end = self._ends.get(vendor)
        if end is None:
            start = self._vendor_pos(vendor)
            if self._tops is not None:
                end = self._tops.next_after(start, self._vendors_end)
            else:
                end = self._end(start, _TOP, self._vendors_end)
            self._ends[vendor] = end
        return end

    def _devices_of(self, vendor: int) -> Optional["_LineIndex"]:
        """The index of a listed vendor's device lines, once the vendors are indexed (else None)."""
        if self._tops is None:
            return None
        index = self._device_lines.get(vendor)
        if index is None:
            start = self._vendor_pos(vendor)
            index = self._device_lines[vendor] = _LineIndex(self, start + 1, self._vendor_end(vendor), b"\n\tX", 7)
        return index

    def _device_pos(self, vendor: int, device: int) -> int:
        vpos = self._vendor_pos(vendor)
        if vpos < 0:
            return -1
        devices = self._devices_of(vendor)
        key = b"\t%04x  " % device
        if devices is not None:
            return devices.first.get(key, -1)
        if vendor not in self._ends:  # none after the vendor's line: none in its block, whatever its end
            pos = self._find_line(key, vpos + 1, self._vendors_end)
            if pos < 0 or pos >= self._vendor_end(vendor):
                return -1
            return pos
        return self._search(key, vpos + 1, self._vendor_end(vendor), _LEVEL1)

    def _class_block(self, base: int) -> tuple[int, int]:
        if self._pending is not None:
            self._open()
        cpos = self._find_line(b"C %02x  " % base, self._classes_start, len(self._data))
        return (cpos, self._end(cpos, _TOP)) if cpos >= 0 else (-1, -1)

    def _subclass_pos(self, base: int, sub: int) -> int:
        cpos, cend = self._class_block(base)
        return self._find_line(b"\t%02x  " % sub, cpos + 1, cend) if cpos >= 0 else -1

    # -- names ---------------------------------------------------------------------------------
    def vendor(self, vendor: int) -> Optional[str]:
        """Vendor name."""
        key = ("v", vendor)
        return self._cache[key] if key in self._cache else self._named(key, self._vendor_pos(vendor))

    def device(self, vendor: int, device: int) -> Optional[str]:
        """Device name under its vendor."""
        key = ("d", vendor, device)
        return self._cache[key] if key in self._cache else self._named(key, self._device_pos(vendor, device))

    def subsystem(self, vendor: int, device: int, sub_vendor: int, sub_device: int) -> Optional[str]:
        """Subsystem name listed under the device, or None."""
        key = ("s", vendor, device, sub_vendor, sub_device)
        if key in self._cache:
            return self._cache[key]
        dpos, spos = self._device_pos(vendor, device), -1
        if dpos >= 0:
            devices = self._devices_of(vendor)
            vend = self._vendor_end(vendor)
            dend = devices.next_after(dpos, vend) if devices is not None else self._end(dpos, _LEVEL1_OR_TOP, vend)
            spos = self._find_line(b"\t\t%04x %04x  " % (sub_vendor, sub_device), dpos + 1, dend)
        return self._named(key, spos)

    def class_name(self, base: int) -> Optional[str]:
        """Base class name."""
        key = ("c", base)
        return self._cache[key] if key in self._cache else self._named(key, self._class_block(base)[0])

    def subclass_name(self, base: int, sub: int) -> Optional[str]:
        """Subclass name."""
        key = ("cs", base, sub)
        return self._cache[key] if key in self._cache else self._named(key, self._subclass_pos(base, sub))

    def prog_if_name(self, base: int, sub: int, prog_if: int) -> Optional[str]:
        """Programming interface name."""
        key = ("ci", base, sub, prog_if)
        if key in self._cache:
            return self._cache[key]
        spos = self._subclass_pos(base, sub)
        end = self._end(spos, _LEVEL1_OR_TOP) if spos >= 0 else -1
        return self._named(key, self._find_line(b"\t\t%02x  " % prog_if, spos + 1, end) if spos >= 0 else -1)


class _LineIndex:
    """The lines of one level in ``[start, end)`` of a database: where each starts (in order) and
    the first line for each ``size``-byte start (the first entry wins, as a line-by-line reading
    has it). One ``translate`` and a ``find`` per line: a whole dump's names are looked up from
    indexes (every vendor line: ~3 ms once) rather than by a binary search each."""

    def __init__(self, db: IdDatabase, start: int, end: int, mark: bytes, size: int) -> None:
        marked = db._translated(start, end)  # noqa: SLF001 - marked[i] is the byte before data[start + i]
        data = db._data  # noqa: SLF001
        self.starts: list[int] = []
        self.first: dict[bytes, int] = {}
        at = marked.find(mark)
        while at >= 0:
            pos = start + at  # the newline is the byte before: the line starts here
            self.starts.append(pos)
            self.first.setdefault(data[pos : pos + size], pos)
            at = marked.find(mark, at + len(mark))

    def next_after(self, pos: int, end: int) -> int:
        """Where the first indexed line after ``pos`` starts, else ``end``."""
        from bisect import bisect_right

        index = bisect_right(self.starts, pos)
        return self.starts[index] if index < len(self.starts) else end


_default: Optional[IdDatabase] = None


def default_database(explicit: Optional[str] = None) -> IdDatabase:
    """The process-wide database (loaded on first use; ``explicit`` forces a file)."""
    global _default
    if explicit is not None:
        return IdDatabase.load(explicit)
    if _default is None:
        _default = IdDatabase.load()
    return _default
