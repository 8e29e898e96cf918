"""lspci text dumps (``-x``/``-xxx``/``-xxxx``, also ``-vvv`` output) and raw config images.

The text format follows pciutils ``lib/dump.c``: a device starts at a line
``BB:DD.F `` or ``DDDD:BB:DD.F ``; hex rows ``OFF: hh hh ..`` fill it; a blank line
ends it; any other line is ignored. Bytes never written read 0xff and the
readable size is the highest byte written + 1.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Union

from ..address import Address
from ..errors import DumpFormatError
from .base import CONFIG_SIZE_EXTENDED
from .memory import BytesConfig

_DEVICE_RE = re.compile(r"^(?:([0-9a-fA-F]{4,5}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-9]) ")
_ROW_RE = re.compile(r"^([0-9a-fA-F]{2,8}): ")
_BYTES_RE = re.compile(r"(?:[0-9a-fA-F]{2}(?: |$))*")
_MAX_LINE = 253  # pciutils: fgets(buf, 255) must also hold the newline


@dataclass
class DumpEntry:
    """One device found in a dump: its address, its bytes and its header line."""

    address: Address
    config: BytesConfig
    title: str


class _Builder:
    """Collects the bytes of the device being read."""

    def __init__(self, address: Address, title: str) -> None:
        self.address, self.title = address, title
        self.data = bytearray(b"\xff" * 256)
        self.length = 0

    def put(self, offset: int, values: list[int], where: tuple[str, int]) -> None:
        end = offset + len(values)
        if values and end > CONFIG_SIZE_EXTENDED:
            raise DumpFormatError(*where, "at most 4096 bytes of config space are supported")
        if end > len(self.data):
            self.data.extend(b"\xff" * (CONFIG_SIZE_EXTENDED - len(self.data)))
        self.data[offset:end] = bytes(values)
        self.length = max(self.length, end)

    def entry(self) -> DumpEntry:
        return DumpEntry(self.address, BytesConfig(bytes(self.data), self.length), self.title)


def _device_line(line: str) -> Union[Address, None]:
    match = _DEVICE_RE.match(line)
    if not match:
        return None
    domain, bus, dev, fn = match.groups()
    if int(fn) > 7 or int(dev, 16) > 0x1F:
        return None
    return Address(int(domain or "0", 16), int(bus, 16), int(dev, 16), int(fn))


def _row_values(rest: str, where: tuple[str, int]) -> list[int]:
    if not _BYTES_RE.fullmatch(rest):
        raise DumpFormatError(*where, "malformed hex row")
    return [int(tok, 16) for tok in rest.split()]


def parse_dump_text(text: str, path: str = "<dump>") -> list[DumpEntry]:
    """Parse lspci dump text; raise :class:`DumpFormatError` naming file and line."""
    entries: list[DumpEntry] = []
    current: Union[_Builder, None] = None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    elif text:
        raise DumpFormatError(path, len(lines), "last line is not terminated by a newline")
    for number, raw in enumerate(lines, 1):
        where = (path, number)
        line = raw[:-1] if raw.endswith("\r") else raw
        if len(raw) > _MAX_LINE:
            raise DumpFormatError(*where, f"line longer than {_MAX_LINE} characters")
        address = _device_line(line)
        if address is not None:
            current = _Builder(address, line[line.index(" ") + 1 :])
            entries.append(current)  # type: ignore[arg-type]
        elif not line:
            current = None
        elif current is not None:
            row = _ROW_RE.match(line)
            if row:
                current.put(int(row.group(1), 16), _row_values(line[row.end() :], where), where)
    return [e.entry() if isinstance(e, _Builder) else e for e in entries]


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


def _read_file(path: Path, index: int) -> list[DumpEntry]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DumpFormatError(str(path), 0, exc.strerror or str(exc)) from None
    if _looks_binary(data):
        return [parse_binary(data, str(path), index)]
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        return [parse_binary(data, str(path), index)]
    return parse_dump_text(text, str(path))


def load_dump(path: Union[str, os.PathLike]) -> list[DumpEntry]:
    """Load a text dump, a raw image, or a directory of either (sorted by name)."""
    root = Path(path)
    if not root.is_dir():
        return _read_file(root, 0)
    entries: list[DumpEntry] = []
    for index, child in enumerate(sorted(p for p in root.iterdir() if p.is_file())):
        entries.extend(_read_file(child, index))
    return entries


def iter_hex_rows(data: bytes, start: int = 0) -> Iterator[str]:
    """Rows ``OFF: hh ..`` of 16 bytes, as lspci ``-x`` prints them."""
    for base in range(0, len(data), 16):
        chunk = data[base : base + 16]
        yield f"{start + base:02x}: " + " ".join(f"{b:02x}" for b in chunk)
