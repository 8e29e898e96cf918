"""lspci text dumps (``-x``/``-xxx``/``-xxxx``, also ``-vvv`` output) and raw config images.

The text format follows pciutils ``lib/dump.c``: a device starts at a line
``BB:DD.F `` or ``DDDD:BB:DD.F ``; hex rows ``OFF: hh hh ..`` fill it; a blank line
ends it; any other line is ignored. Bytes never written read 0xff and the
readable size is the highest byte written + 1.
"""
from __future__ import annotations

import os
import re
from typing import Iterator, NamedTuple, Union

from ..address import Address
from ..errors import DumpFormatError, PcikitError
from .base import CONFIG_SIZE_EXTENDED
from .memory import BytesConfig

# One pass over the text: device lines, hex rows and blank lines; every other line is ignored.
_LINE_RE = re.compile(
    r"^(?:"
    r"(?P<dev>(?:(?P<dom>[0-9a-fA-F]{4,5}):)?(?P<bus>[0-9a-fA-F]{2}):(?P<slot>[0-9a-fA-F]{2})\.(?P<fn>[0-9]) (?P<title>[^\n]*))"
    r"|(?P<block>(?:[0-9a-fA-F]{2,3}: [0-9a-fA-F ]{47}\r?\n){2,})"
    r"|(?P<off>[0-9a-fA-F]{2,8}): (?P<hex>[^\n]*)"
    r"|(?P<blank>\r?)$"
    r")",
    re.M,
)
_MAX_LINE = 253  # pciutils: fgets(buf, 255) must also hold the newline


class DumpEntry(NamedTuple):
    """One device found in a dump: its address, its bytes and its header line."""

    address: Address
    config: BytesConfig
    title: str


def _line_number(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


_ROW_BYTES_RE = re.compile(r"(?:[0-9a-fA-F]{2}(?: |$))*")


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


def _check_lines(text: str, path: str) -> None:
    if text and not text.endswith("\n"):
        raise DumpFormatError(path, text.count("\n") + 1, "last line is not terminated by a newline")
    lengths = [len(line) for line in text.split("\n")]
    if lengths and max(lengths) > _MAX_LINE:
        number = next(i for i, n in enumerate(lengths, 1) if n > _MAX_LINE)
        raise DumpFormatError(path, number, f"line longer than {_MAX_LINE} characters")


def _device_of(match: re.Match) -> Union[_Device, None]:
    dev, fn = int(match["slot"], 16), int(match["fn"])
    if fn > 7 or dev > 0x1F:
        return None
    address = Address(int(match["dom"] or "0", 16), int(match["bus"], 16), dev, fn)
    return _Device(address, match["title"].rstrip("\r"))


def _store_block(device: _Device, text: str, match: re.Match, path: str) -> None:
    """A run of full 16-byte rows: parsed in one go when the offsets run consecutively."""
    block = match["block"]
    parts = [row.partition(": ") for row in block.split("\n")[:-1]]
    offsets = [int(part[0], 16) for part in parts]
    base = offsets[0]
    values = _block_bytes(block, [part[2] for part in parts])
    if values is None or offsets != list(range(base, base + 16 * len(offsets), 16)):
        position = match.start()
        for line in block.splitlines(keepends=True):
            row = _LINE_RE.match(line)
            _store(device, text, row, path, position)
            position += len(line)
        return
    _put(device, base, values, text, match.start(), path)


def _block_bytes(block: str, rows: list[str]) -> Union[bytes, None]:
    """16 bytes per row when every row is exactly ``hh`` pairs separated by single spaces."""
    if "  " in block or " \n" in block or " \r" in block:
        return None
    try:
        values = bytes.fromhex(" ".join(rows))
    except ValueError:
        return None
    return values if len(values) == 16 * len(rows) else None


def _store(device: _Device, text: str, match: re.Match, path: str, position: Union[int, None] = None) -> None:
    where = match.start() if position is None else position
    values = _row_bytes(match["hex"].rstrip("\r"))
    if values is None:
        raise DumpFormatError(path, _line_number(text, where), "malformed hex row")
    _put(device, int(match["off"], 16), values, text, where, path)


def _put(device: _Device, offset: int, values: bytes, text: str, where: int, path: str) -> None:
    end = offset + len(values)
    if values and end > CONFIG_SIZE_EXTENDED:
        raise DumpFormatError(path, _line_number(text, where), "at most 4096 bytes of config space are supported")
    if end > len(device.data):
        device.data.extend(b"\xff" * (CONFIG_SIZE_EXTENDED - len(device.data)))
    device.data[offset:end] = values
    if end > device.length:
        device.length = end


def parse_dump_text(text: str, path: str = "<dump>") -> list[DumpEntry]:
    """Parse lspci dump text; raise :class:`DumpFormatError` naming file and line."""
    _check_lines(text, path)
    devices: list[_Device] = []
    current: Union[_Device, None] = None
    for match in _LINE_RE.finditer(text):
        if match["dev"] is not None:
            new = _device_of(match)
            if new is not None:
                current = new
                devices.append(new)
        elif match["block"] is not None:
            if current is not None:
                _store_block(current, text, match, path)
        elif match["off"] is not None:
            if current is not None:
                _store(current, text, match, path)
        else:
            current = None
    return [dev.entry() for dev in devices]


def _looks_binary(data: bytes) -> bool:
    return any(b < 9 or 13 < b < 32 or b > 126 for b in data[:4096])


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
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise PcikitError(f"{path}: {exc.strerror or exc}") from None
    if _looks_binary(data):
        return [parse_binary(data, path, index)]
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        return [parse_binary(data, path, index)]
    return parse_dump_text(text, path)


def load_dump(path: Union[str, os.PathLike]) -> list[DumpEntry]:
    """Load a text dump, a raw image, or a directory of either (sorted by name)."""
    root = os.fspath(path)
    if not os.path.isdir(root):
        return _read_file(root, 0)
    entries: list[DumpEntry] = []
    names = sorted(n for n in os.listdir(root) if os.path.isfile(os.path.join(root, n)))
    for index, name in enumerate(names):
        entries.extend(_read_file(os.path.join(root, name), index))
    return entries



def iter_hex_rows(data: bytes, start: int = 0) -> Iterator[str]:
    """Rows ``OFF: hh ..`` of 16 bytes, as lspci ``-x`` prints them."""
    for base in range(0, len(data), 16):
        chunk = data[base : base + 16]
        yield f"{start + base:02x}: " + " ".join(f"{b:02x}" for b in chunk)
