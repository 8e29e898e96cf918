"""pci.ids lookups without parsing the whole file.

The file is read once, as bytes, when the first name is asked for; each lookup
is a few ``bytes.find`` calls bounded by the enclosing block, so naming a
handful of devices costs well under a millisecond after the read.
"""
from __future__ import annotations

import os

from .errors import PcikitError

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Any, Optional

SEARCH_PATH = (
    "/usr/share/hwdata/pci.ids",
    "/usr/share/misc/pci.ids",
    "/usr/share/hwdata/pci.ids.gz",
    "/usr/share/misc/pci.ids.gz",
)
ENV_VAR = "PCIKIT_IDS"

# A line starting a new vendor or class is a newline followed by anything but a tab, a "#" or
# another newline; this table maps every such byte to "X", so such lines are found as b"\nX"
# by C-speed translate/find, without importing re (a listing needs no regular expression).
_TOP_TABLE = bytes(byte if byte in b"\t\n#" else ord("X") for byte in range(256))
_TOP_WINDOW = 1 << 16
# Patterns for -v look-ups and indexes: compiled on first use (re caches them).
_VENDOR_LINE = rb"\n([0-9a-f]{4})  "
_INDEX_AFTER = 16  # distinct vendor look-ups before one full index pass (~5 ms) pays off
_DEVICE_LINE = rb"\n\t([0-9a-f]{4})  "
_BIG_BLOCK = 4096  # vendor blocks larger than this get a device index ...
_SCANS_BEFORE_INDEX = 8  # ... once this many device look-ups have scanned them (a listing names a few)
_LEVEL1_OR_TOP = rb"\n(?:\t[^\t#\n]|[^\t#\n])"


MAX_IDS_BYTES = 64 << 20  # pci.ids is ~1.5 MB; anything past 64 MiB (compressed or not) is refused


def warn(message: str) -> None:
    """One warning line on stderr."""
    import sys

    print(message, file=sys.stderr)


def read_ids_file(path: str) -> bytes:
    """The bytes of a pci.ids (``.gz`` decompressed); both sizes capped by MAX_IDS_BYTES."""
    from .access.files import read_bounded

    data = read_bounded(path, MAX_IDS_BYTES)
    if not path.endswith(".gz"):
        return data
    import zlib

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
    """Names of vendors, devices, subsystems and classes; None where unknown."""

    def __init__(self, data: bytes, path: Optional[str] = None) -> None:
        self.path = path
        self._data = b"\n" + (data.replace(b"\r\n", b"\n") if b"\r" in data else data)  # no copy when LF only
        self._cache: dict[tuple, Optional[str]] = {}
        self._vendor_index: Optional[dict[int, int]] = None
        self._blocks: dict[tuple, Any] = {}
        self._vendor_lookups = 0
        classes = self._data.rfind(b"\nC 00  ")
        self._classes_start = classes if classes >= 0 else 0

    @classmethod
    def load(cls, explicit: Optional[str] = None) -> "IdDatabase":
        """Load the first pci.ids found; an empty database when there is none."""
        path = find_ids_file(explicit)
        if path is None:
            return cls(b"")
        try:
            data = read_ids_file(path)
        except PcikitError as exc:
            warn(f"pcikit: warning: {exc}; devices are not named")
            return cls(b"")
        return cls(data, path)

    def _line_name(self, start: int) -> str:
        end = self._data.find(b"\n", start)
        line = self._data[start : end if end >= 0 else None]
        return line.split(b"  ", 1)[-1].strip().decode("utf-8", "replace")

    def _find(self, key: bytes, start: int, end: int) -> int:
        pos = self._data.find(key, start, end)
        return -1 if pos < 0 else pos + 1

    def _next_top_line(self, start: int, end: int) -> int:
        """The newline starting the first vendor or class line within ``[start, end)``, else -1."""
        data = self._data
        for window in range(start, end, _TOP_WINDOW):
            found = data[window : min(window + _TOP_WINDOW + 1, end)].translate(_TOP_TABLE).find(b"\nX")
            if found >= 0:
                return window + found
        return -1

    def _top_end(self, start: int) -> int:
        """Where the vendor or class block containing ``start`` ends."""
        end = self._next_top_line(start, len(self._data))
        return end if end >= 0 else len(self._data)

    def _level1_end(self, start: int) -> int:
        """Where the device or subclass block containing ``start`` ends."""
        import re

        match = re.compile(_LEVEL1_OR_TOP).search(self._data, start)
        return match.start() if match else len(self._data)

    def _vendor_pos(self, vendor: int) -> int:
        if self._vendor_index is None:
            self._vendor_lookups += 1
            if self._vendor_lookups <= _INDEX_AFTER:
                return self._find(b"\n%04x  " % vendor, 0, self._classes_start or len(self._data))
            import re

            self._vendor_index = {
                int(m.group(1), 16): m.start() + 1
                for m in re.compile(_VENDOR_LINE).finditer(self._data, 0, self._classes_start or len(self._data))
            }
        return self._vendor_index.get(vendor, -1)

    def _vendor_start(self, vendor: int) -> int:
        key = ("start", vendor)
        if key not in self._blocks:
            self._blocks[key] = self._vendor_pos(vendor)
        return self._blocks[key]

    def _vendor_block(self, vendor: int) -> tuple[int, int]:
        key = ("block", vendor)
        if key not in self._blocks:
            vpos = self._vendor_start(vendor)
            self._blocks[key] = (vpos, self._top_end(vpos) if vpos >= 0 else -1)
        return self._blocks[key]

    def _device_index(self, vendor: int) -> Optional[dict[int, int]]:
        key = ("devices", vendor)
        if key not in self._blocks:
            scans = self._blocks.get(("scans", vendor), 0) + 1
            self._blocks[("scans", vendor)] = scans
            if scans <= _SCANS_BEFORE_INDEX:
                return None
            import re

            vpos, vend = self._vendor_block(vendor)
            self._blocks[key] = None if vend - vpos <= _BIG_BLOCK else {
                int(m.group(1), 16): m.start() + 1 for m in re.compile(_DEVICE_LINE).finditer(self._data, vpos, vend)
            }
        return self._blocks[key]

    def _device_pos(self, vendor: int, device: int) -> int:
        vpos = self._vendor_start(vendor)
        if vpos < 0:
            return -1
        index = self._device_index(vendor)
        if index is not None:
            return index.get(device, -1)
        needle = b"\n\t%04x  " % device
        block = self._blocks.get(("block", vendor))
        if block is not None:
            return self._find(needle, vpos, block[1])
        # The block's end is not known (finding it scans the whole block: Intel's is a quarter of
        # the file): take the first such device line after the vendor line, which is this
        # vendor's unless a vendor or class line comes between.
        dpos = self._find(needle, vpos, self._classes_start or len(self._data))
        if dpos < 0 or self._next_top_line(vpos, dpos - 1) >= 0:
            return -1
        return dpos

    def vendor(self, vendor: int) -> Optional[str]:
        """Vendor name."""
        key = ("v", vendor)
        if key not in self._cache:
            pos = self._vendor_pos(vendor)
            self._cache[key] = self._line_name(pos) if pos >= 0 else None
        return self._cache[key]

    def device(self, vendor: int, device: int) -> Optional[str]:
        """Device name under its vendor."""
        key = ("d", vendor, device)
        if key not in self._cache:
            pos = self._device_pos(vendor, device)
            self._cache[key] = self._line_name(pos) if pos >= 0 else None
        return self._cache[key]

    def subsystem(self, vendor: int, device: int, sub_vendor: int, sub_device: int) -> Optional[str]:
        """Subsystem name listed under the device, or None."""
        key = ("s", vendor, device, sub_vendor, sub_device)
        if key not in self._cache:
            dpos = self._device_pos(vendor, device)
            spos = -1
            if dpos >= 0:
                dend = self._level1_end(dpos)
                spos = self._find(b"\n\t\t%04x %04x  " % (sub_vendor, sub_device), dpos, dend)
            self._cache[key] = self._line_name(spos) if spos >= 0 else None
        return self._cache[key]

    def _class_pos(self, base: int) -> tuple[int, int]:
        cpos = self._find(b"\nC %02x  " % base, self._classes_start, len(self._data))
        if cpos < 0:
            return -1, -1
        return cpos, self._top_end(cpos)

    def class_name(self, base: int) -> Optional[str]:
        """Base class name."""
        cpos, _ = self._class_pos(base)
        return self._line_name(cpos) if cpos >= 0 else None

    def _subclass_pos(self, base: int, sub: int) -> int:
        cpos, cend = self._class_pos(base)
        return self._find(b"\n\t%02x  " % sub, cpos, cend) if cpos >= 0 else -1

    def subclass_name(self, base: int, sub: int) -> Optional[str]:
        """Subclass name."""
        spos = self._subclass_pos(base, sub)
        return self._line_name(spos) if spos >= 0 else None

    def prog_if_name(self, base: int, sub: int, prog_if: int) -> Optional[str]:
        """Programming interface name."""
        spos = self._subclass_pos(base, sub)
        if spos < 0:
            return None
        ppos = self._find(b"\n\t\t%02x  " % prog_if, spos, self._level1_end(spos))
        return self._line_name(ppos) if ppos >= 0 else None


_default: Optional[IdDatabase] = None


def default_database(explicit: Optional[str] = None) -> IdDatabase:
    """The process-wide database (loaded on first use; ``explicit`` forces a file)."""
    global _default
    if explicit is not None:
        return IdDatabase.load(explicit)
    if _default is None:
        _default = IdDatabase.load()
    return _default
