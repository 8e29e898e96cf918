"""lspci text dumps (``-x``/``-xxx``/``-xxxx``, also ``-vvv`` output) and raw config images.

The text format follows pciutils ``lib/dump.c``: a device starts at a line
``BB:DD.F `` or ``DDDD:BB:DD.F ``; hex rows ``OFF: hh hh ..`` fill it; a blank line
ends it; any other line is ignored. Bytes never written read 0xff and the
readable size is the highest byte written + 1.
"""
from __future__ import annotations

import os
import re
TYPE_CHECKING = False  # typing is not imported at run time: start-up cost (tests/test_startup.py)
if TYPE_CHECKING:
    from typing import Iterator, NamedTuple, Union
else:
    from ..tuples import NamedTuple

from ..address import Address
from ..errors import DumpFormatError, PcikitError
from .base import CONFIG_SIZE_EXTENDED
from .dumpblocks import MAX_LINE as _MAX_LINE, read_blocks
from .files import open_regular, reason
from .memory import BytesConfig

# One pass over the text: device lines, hex rows and blank lines; every other line is ignored.
# Domains have 4 to 6 digits, as lspci 3.13 and later read them (3.9 ... 3.12 stop at 5).
_LINE_RE = re.compile(
    r"^(?:"
    r"(?P<dev>(?:(?P<dom>[0-9a-fA-F]{4,6}):)?(?P<bus>[0-9a-fA-F]{2}):(?P<slot>[0-9a-fA-F]{2})\.(?P<fn>[0-9]) (?P<title>[^\n]*))"
    r"|(?P<block>(?:[0-9a-fA-F]{2,3}: [0-9a-fA-F ]{47}\r?\n){2,})"
    r"|(?P<off>[0-9a-fA-F]{2,8}): (?P<hex>[^\n]*)"
    r"|(?P<blank>\r?\n[\r\n]*)"  # a run of blank lines is one match
    r")",
    re.M,
)


class DumpEntry(NamedTuple):
    """One device found in a dump: its address, its bytes and its header line."""

    address: Address
    config: BytesConfig
    title: str


_ROW_BYTES_RE = re.compile(r"(?:[0-9a-fA-F]{2}(?: |$))*")
_LONG_LINE = re.compile(rb"(?m)^[^\n]{%d}" % (_MAX_LINE + 1))  # anchored: one attempt per line, not per byte
# A text dump names a device at the start of a line; raw images almost never do.
_SIGNATURE = re.compile(rb"(?m)^(?:[0-9a-fA-F]{4,6}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7] ")
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
MAX_DUMP_BYTES = 64 << 20  # a -vvv -xxxx dump of ~1500 functions; larger is refused
MAX_DEVICES = 65536  # one full PCI domain (256 buses x 256 functions)
_CHUNK = 1 << 20


def _row_bytes(rest: str) -> Union[bytes, None]:
    """The bytes of ``hh hh ..`` (single spaces, optional trailing one), or None if malformed."""
    return bytes.fromhex(rest) if _ROW_BYTES_RE.fullmatch(rest) else None


class _Device:
    """The device being filled: 256 bytes of 0xff that grow to 4096 when needed."""

    def __init__(self, address: Address, title: str) -> None:
        self.address, self.title = address, title
        self.data = bytearray(b"\xff" * 256)
        self.length = 0

    def entry(self) -> DumpEntry:
        return DumpEntry(self.address, BytesConfig(bytes(self.data), self.length), self.title)


def _device_of(match: re.Match) -> Union[_Device, None]:
    dev, fn = int(match["slot"], 16), int(match["fn"])
    if fn > 7 or dev > 0x1F:
        return None
    address = Address(int(match["dom"] or "0", 16), int(match["bus"], 16), dev, fn)
    return _Device(address, match["title"].rstrip("\r"))


def _block_bytes(block: str, rows: list[str]) -> Union[bytes, None]:
    """16 bytes per row when every row is exactly ``hh`` pairs separated by single spaces."""
    if "  " in block or " \n" in block or " \r" in block:
        return None
    try:
        values = bytes.fromhex(" ".join(rows))
    except ValueError:
        return None
    return values if len(values) == 16 * len(rows) else None


def _after_blank_lines(data: bytes, pos: int) -> int:
    """Where the line after the next run of blank lines from ``pos`` starts (the end when none)."""
    end = data.find(b"\n\n", pos)
    if end < 0:
        return len(data)
    end += 1
    while data[end : end + 1] == b"\n":
        end += 1
    return end


class _TextParser:
    """lspci dump text fed in whole lines (one chunk at a time); errors name file and line."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.devices: list[Union[_Device, DumpEntry]] = []  # entries: blocks read whole
        self.current: Union[_Device, None] = None
        self.lines_before = 0  # lines in the chunks already fed
        self.text = ""

    def error(self, position: int, message: str) -> DumpFormatError:
        return DumpFormatError(self.path, self.lines_before + self.text.count("\n", 0, position) + 1, message)

    def feed(self, text: str) -> None:
        """Parse ``text``, which ends at a line end (or is the end of the file)."""
        self.text = text
        for match in _LINE_RE.finditer(text):
            if match["dev"] is not None:
                new = _device_of(match)
                if new is not None:
                    if len(self.devices) >= MAX_DEVICES:
                        raise self.error(match.start(), f"more than {MAX_DEVICES} devices")
                    self.current = new
                    self.devices.append(new)
            elif match["block"] is not None:
                if self.current is not None:
                    self.store_block(match)
            elif match["off"] is not None:
                if self.current is not None:
                    self.store(match)
            else:
                self.current = None
        self.lines_before += text.count("\n")

    def store_block(self, match: re.Match) -> None:
        """A run of full 16-byte rows: parsed in one go when the offsets run consecutively."""
        block = match["block"]
        parts = [row.partition(": ") for row in block.split("\n")[:-1]]
        offsets = [int(part[0], 16) for part in parts]
        base = offsets[0]
        values = _block_bytes(block, [part[2] for part in parts])
        if values is None or offsets != list(range(base, base + 16 * len(offsets), 16)):
            position = match.start()
            for line in block.splitlines(keepends=True):
                self.store(_LINE_RE.match(line), position)
                position += len(line)
            return
        self.put(base, values, match.start())

    def store(self, match: re.Match, position: Union[int, None] = None) -> None:
        where = match.start() if position is None else position
        values = _row_bytes(match["hex"].rstrip("\r"))
        if values is None:
            raise self.error(where, "malformed hex row")
        self.put(int(match["off"], 16), values, where)

    def put(self, offset: int, values: bytes, where: int) -> None:
        device = self.current
        assert device is not None
        end = offset + len(values)
        if values and end > CONFIG_SIZE_EXTENDED:
            raise self.error(where, "at most 4096 bytes of config space are supported")
        if end > len(device.data):
            device.data.extend(b"\xff" * (CONFIG_SIZE_EXTENDED - len(device.data)))
        device.data[offset:end] = values
        if end > device.length:
            device.length = end

    def feed_bytes(self, data: bytes, final: bool) -> bytes:
        """Parse the whole lines of ``data``; return the unfinished last line (empty when final).

        Blocks laid out as lspci writes them are read whole (:mod:`.dumpblocks`); the line reader
        takes the others, one run of lines up to a blank line at a time. Errors come out as if
        the whole chunk were checked before it is read: a long line first, wherever it is.
        """
        cut = len(data) if final else data.rfind(b"\n") + 1
        lines, rest = data[:cut], data[cut:]
        if len(rest) > _MAX_LINE:
            rest = rest[: _MAX_LINE + 1]  # reported below as too long, wherever it ends
            lines, final = lines + rest, True
        if b"\r" in lines or (final and lines and not lines.endswith(b"\n")):
            self.check(lines, final)  # carriage returns or no last newline: the line reader only
            self.feed(lines.decode("utf-8", "replace"))
            return rest
        pos = self.feed_blocks(lines, 0)
        while pos < len(lines):
            end = _after_blank_lines(lines, pos)
            self.check(lines[pos:end], False)
            lines_before = self.lines_before
            try:
                self.feed(lines[pos:end].decode("utf-8", "replace"))
            except DumpFormatError:
                self.lines_before = lines_before + lines.count(b"\n", pos, end)
                self.check(lines[end:], False)  # a long line further on is the error to report
                raise
            pos = self.feed_blocks(lines, end)
        return rest

    def feed_blocks(self, data: bytes, pos: int) -> int:
        """Read the canonical blocks from ``pos`` on; where the line reader must go on."""
        end, lines, found = read_blocks(data, pos, MAX_DEVICES - len(self.devices))
        self.devices.extend(DumpEntry(address, BytesConfig(values), title) for address, values, title in found)
        self.lines_before += lines
        if found:
            self.current = None
        return end

    def check(self, data: bytes, final: bool) -> None:
        """lspci's line rules: lines of at most 253 characters, a newline after the last."""
        long_line = _LONG_LINE.search(data)
        if long_line:
            self.text = data.decode("utf-8", "replace")
            raise self.error(len(data[: long_line.start()].decode("utf-8", "replace")),
                             f"line longer than {_MAX_LINE} characters")
        if final and data and not data.endswith(b"\n"):
            self.text = data.decode("utf-8", "replace")
            raise self.error(len(self.text), "last line is not terminated by a newline")

    def entries(self) -> list[DumpEntry]:
        return [dev.entry() if isinstance(dev, _Device) else dev for dev in self.devices]


def parse_dump_text(text: str, path: str = "<dump>") -> list[DumpEntry]:
    """Parse lspci dump text; raise :class:`DumpFormatError` naming file and line."""
    return parse_dump_bytes(text.encode("utf-8", "surrogateescape"), path)


def parse_dump_bytes(data: bytes, path: str = "<dump>") -> list[DumpEntry]:
    """Parse a whole lspci dump as read from its file (any bytes outside the hex rows)."""
    parser = _TextParser(path)
    parser.feed_bytes(data, final=True)
    return parser.entries()


def _looks_binary(head: bytes) -> bool:
    """A raw image: control bytes and no device line (text dumps may hold any byte in other lines)."""
    return bool(_CONTROL.search(head[:CONFIG_SIZE_EXTENDED])) and not _SIGNATURE.search(head)


_NAME_ADDRESS_RE = re.compile(r"^(?:[0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]")


def _address_from_name(name: str, index: int) -> Address:
    """``0000:00:02.0.config.bin`` -> 0000:00:02.0; other names get 00:<index>.0."""
    match = _NAME_ADDRESS_RE.match(os.path.basename(name))
    if match:
        try:
            return Address.parse(match.group(0))
        except ValueError:
            pass
    return Address(0, 0, index & 0x1F, 0)


def parse_binary(data: bytes, path: str, index: int = 0) -> DumpEntry:
    """A raw config image (up to 4096 bytes) as one device."""
    if not data:
        raise DumpFormatError(path, 0, "empty config image")
    if len(data) > CONFIG_SIZE_EXTENDED:
        raise DumpFormatError(path, 0, f"config image of {len(data)} bytes is larger than 4096")
    return DumpEntry(_address_from_name(path, index), BytesConfig(data), os.path.basename(path))


def _read_file(path: str, index: int) -> list[DumpEntry]:
    """One file: a raw image (read up to 4097 bytes) or a text dump (streamed, bounded)."""
    fd = open_regular(path)
    try:
        head = read_fd_prefix(fd, _CHUNK)
        if _looks_binary(head):
            if len(head) > CONFIG_SIZE_EXTENDED:
                raise DumpFormatError(path, 0, f"config image larger than {CONFIG_SIZE_EXTENDED} bytes")
            return [parse_binary(head, path, index)]
        parser = _TextParser(path)
        offset, rest = 0, b""
        while True:
            chunk = head if offset == 0 else read_fd_prefix(fd, _CHUNK, offset)
            offset += len(chunk)
            if offset > MAX_DUMP_BYTES:
                raise DumpFormatError(path, 0, f"larger than {MAX_DUMP_BYTES >> 20} MiB; not a dump pcikit reads")
            if not chunk:
                parser.feed_bytes(rest, final=True)
                return parser.entries()
            rest = parser.feed_bytes(rest + chunk, final=False)
    finally:
        os.close(fd)


def read_fd_prefix(fd: int, length: int, offset: int = 0) -> bytes:
    """Up to ``length`` bytes at ``offset`` (short only at the end of the file)."""
    try:
        return os.pread(fd, length, offset)
    except OSError as exc:
        raise PcikitError(f"cannot read: {reason(exc)}") from None


def load_dump(path: Union[str, os.PathLike]) -> list[DumpEntry]:
    """Load a text dump, a raw image, or a directory of either (sorted by name)."""
    root = os.fspath(path)
    if not os.path.isdir(root):
        return _read_file(root, 0)
    try:
        listing = os.listdir(root)
    except OSError as exc:
        raise PcikitError(f"{root}: {reason(exc)}") from None
    entries: list[DumpEntry] = []
    names = sorted(n for n in listing if os.path.isfile(os.path.join(root, n)))
    for index, name in enumerate(names):
        entries.extend(_read_file(os.path.join(root, name), index))
    return entries


def iter_hex_rows(data: bytes, start: int = 0) -> Iterator[str]:
    """Rows ``OFF: hh ..`` of 16 bytes, as lspci ``-x`` prints them."""
    for base in range(0, len(data), 16):
        chunk = data[base : base + 16]
        yield f"{start + base:02x}: " + " ".join(f"{b:02x}" for b in chunk)
