"""Whole device blocks of an lspci dump read at C speed, where they are laid out as lspci writes them.

A *canonical* block is a device line, then ``OFF: hh hh ..`` rows of 16 bytes from offset 0 on
(two-digit offsets, three from 0x100, lowercase), then a run of blank lines: what ``lspci -x``,
``-xxx`` and ``-xxxx`` print. Such a block is checked against its shape with one ``translate``
and a few strided slices, and its bytes come from one ``unhexlify`` per offset width, instead
of a regular expression per line. It reads exactly as the line-by-line reader in
:mod:`pcikit.access.dump` reads it; anything else (another layout, verbose lines, carriage
returns, a block cut by the end of a chunk) is left to that reader.
"""
from __future__ import annotations

import re
from binascii import unhexlify

from ..address import Address

TYPE_CHECKING = False  # typing is not imported at run time: start-up cost (tests/test_startup.py)
if TYPE_CHECKING:
    from typing import Union

MAX_LINE = 253  # pciutils: fgets(buf, 255) must also hold the newline
# The device line as the line reader's device pattern reads it (its title is the rest of the line).
_DEVICE = re.compile(rb"(?:([0-9a-fA-F]{4,6}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-9]) ")
# Every hex digit becomes "x" (and a real "x" something else), so one comparison checks a shape.
_DIGITS = b"0123456789abcdefABCDEF"
_SHAPE_OF = bytes.maketrans(_DIGITS + b"x", b"x" * len(_DIGITS) + b"?")
_ROW = b"xx: " + b"xx " * 15 + b"xx\n"  # offsets below 0x100
_WIDE_ROW = b"x" + _ROW  # offsets 0x100 to 0xff0
_NARROW_ROWS = 16
_NARROW = _NARROW_ROWS * len(_ROW)
_SHAPE = _ROW * _NARROW_ROWS + _WIDE_ROW * (256 - _NARROW_ROWS)
# The offset digits each row must carry, column by column.
_NARROW_OFFSETS = tuple("".join(f"{16 * row:02x}"[i] for row in range(_NARROW_ROWS)).encode() for i in range(2))
_WIDE_OFFSETS = tuple("".join(f"{16 * row:03x}"[i] for row in range(_NARROW_ROWS, 256)).encode() for i in range(3))
_COLON_AS_ZERO = bytes.maketrans(b":", b"0")  # "100:" reads as the two bytes 10 00


def _rows(rows: bytes) -> Union[bytes, None]:
    """The bytes of canonical rows (offsets 0, 16, ...), or None when ``rows`` are laid out otherwise."""
    size = len(rows)
    narrow = min(size, _NARROW)
    count, odd = divmod(narrow, len(_ROW))
    wide, odd_wide = divmod(size - narrow, len(_WIDE_ROW))
    if odd or odd_wide or rows.translate(_SHAPE_OF) != _SHAPE[:size]:
        return None
    step = len(_ROW)
    if rows[0:narrow:step] != _NARROW_OFFSETS[0][:count] or rows[1:narrow:step] != _NARROW_OFFSETS[1][:count]:
        return None
    low = bytearray(unhexlify(rows[:narrow].translate(None, b" :\n")))  # 17 bytes a row: offset, data
    del low[::17]
    if not wide:
        return bytes(low)
    high_rows = rows[narrow:]
    step = len(_WIDE_ROW)
    if any(high_rows[i::step] != _WIDE_OFFSETS[i][:wide] for i in range(3)):
        return None
    high = bytearray(unhexlify(high_rows.translate(_COLON_AS_ZERO, b" \n")))  # 18 a row: 2 offset, data
    del high[::18]
    del high[::17]
    return bytes(low + high)


def read_blocks(data: bytes, pos: int, room: int) -> tuple[int, int, list]:
    """Canonical blocks from ``pos`` (a line start) on, at most ``room`` of them.

    Returns (where the first other block starts, how many lines they took, [(address, bytes, title), ...]).
    """
    found: list = []
    lines = 0
    while len(found) < room:
        line_end = data.find(b"\n", pos)
        if line_end < 0 or line_end - pos > MAX_LINE:
            break
        match = _DEVICE.match(data, pos, line_end)
        if match is None:
            break
        domain, bus, slot, function = match.groups()
        slot, function = int(slot, 16), int(function)
        if function > 7 or slot > 0x1F:
            break
        end = data.find(b"\n\n", line_end)
        if end < 0:
            break
        values = _rows(data[line_end + 1 : end + 1])
        if values is None:
            break
        title = data[match.end() : line_end].decode("utf-8", "replace").rstrip("\r")
        found.append((Address(int(domain or b"0", 16), int(bus, 16), slot, function), values, title))
        pos = end + 1
        while data[pos : pos + 1] == b"\n":
            pos += 1
        lines += 1 + len(values) // 16 + pos - end - 1  # the device line, a row per 16 bytes, the blank lines
    return pos, lines, found
