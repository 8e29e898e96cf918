"""Resizable BAR and VF Resizable BAR extended capabilities (IDs 0x0015 and 0x0024).

PCIe base spec 7.8.6 / 9.3.7.5: one capability/control register pair per
resizable BAR; the first control register holds the Number of Resizable BARs
(1-6). Size bit n (Capability bits 31:4 then Control bits 31:16) means
2^(n + 20) bytes is supported; BAR Size encodes the current size the same way.
"""
from __future__ import annotations

from construct import Container, Int32ul, RepeatUntil, Struct

from ..attributes import RW
from ..bits import Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

RESIZABLE_BAR_CAPABILITY = Register(Int32ul, Bits("supported_sizes", 4, 28))

RESIZABLE_BAR_CONTROL = Register(
    Int32ul,
    Bits("bar_index", 0, 3),
    Bits("number_of_resizable_bars", 5, 3),
    Bits("bar_size", 8, 6, access=RW, reset=None),  # software picks a supported size; kept across FLR
    Bits("extended_supported_sizes", 16, 16),
)

ENTRY = Struct(
    "resizable_bar_capability" / RESIZABLE_BAR_CAPABILITY,
    "resizable_bar_control" / RESIZABLE_BAR_CONTROL,
)

MAX_BARS = 6
ENTRY_SIZE = 8
SIZE_BITS = 28  # Capability bits 31:4; extended sizes continue at 2^48 bytes
MEGABYTE_SHIFT = 20


def declared_count(entries: list) -> int:
    """Entries the first control register declares (1 when out of specification)."""
    count = entries[0].resizable_bar_control.number_of_resizable_bars if entries else 1
    return count if 1 <= count <= MAX_BARS else 1


def _last_entry(obj: object, entries: list, ctx: object) -> bool:
    return len(entries) >= declared_count(entries)


HEAD = Struct("header" / EXTENDED_HEADER)

SCHEMA = Struct(
    *HEAD.subcons,
    "entries" / RepeatUntil(_last_entry, ENTRY),
)


def supported_sizes(entry: Container) -> list[int]:
    """Every supported BAR size in bytes, smallest first."""
    mask = entry.resizable_bar_capability.supported_sizes
    mask |= entry.resizable_bar_control.extended_supported_sizes << SIZE_BITS
    return [1 << (bit + MEGABYTE_SHIFT) for bit in range(SIZE_BITS + 16) if mask >> bit & 1]


def _entries(ctx: DecodeContext, problems: list[str]) -> list[Container]:
    entries: list[Container] = []
    for index in range(MAX_BARS):
        relative = 4 + index * ENTRY_SIZE
        if index and index >= declared_count(entries):
            break
        if not ctx.readable(relative, ENTRY_SIZE):
            problems.append(f"resizable BAR entry {index} at +0x{relative:x} is not readable")
            break
        entry = ctx.parse(ENTRY, relative)
        entry["current_size"] = 1 << (entry.resizable_bar_control.bar_size + MEGABYTE_SHIFT)
        entry["supported_sizes"] = supported_sizes(entry)
        entries.append(entry)
    return entries


def decode(ctx: DecodeContext) -> Container:
    """Decode every readable entry the first control register declares."""
    fields = parse_fixed(ctx, HEAD)
    problems: list[str] = []
    entries = _entries(ctx, problems)
    count = entries[0].resizable_bar_control.number_of_resizable_bars if entries else None
    if count is not None and not 1 <= count <= MAX_BARS:
        problems.append(f"Number of Resizable BARs is {count}, outside 1-{MAX_BARS}")
    fields["number_of_resizable_bars"] = count
    fields["entries"] = entries
    fields["problems"] = problems
    return fields
