"""Enhanced Allocation capability (ID 0x14): fixed resources described by a list of entries.

Every entry starts with a header dword whose Entry Size counts the dwords that
follow it; entries are walked by that size, bounded by Num Entries and by the
readable config space. Base and MaxOffset are read at their fixed places (+4,
+8, then the upper dwords when bit 1 says 64-bit), as lspci reads them.
"""
from __future__ import annotations

from construct import Array, Construct, Container, If, Int8ul, Int16ul, Int32ul, Padded, Struct, this

from ..attributes import HWINIT, RW, has
from ..bits import Bit, Bits, Register, Scalar, whole
from ..context import DecodeContext

HEADER_BRIDGE = 1

# PCIe 7.8.5: everything in Enhanced Allocation is HwInit except an entry's Enable, which is RW
# when the entry's Writable bit says so.
NUM_ENTRIES = Scalar(Int8ul, Bits("num_entries", 0, 6, access=HWINIT))

SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "num_entries_raw" / NUM_ENTRIES,
    "reserved" / Int8ul,
)

BRIDGE_SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "num_entries_raw" / NUM_ENTRIES,
    "reserved" / Int8ul,
    "fixed_secondary_bus" / whole(Int8ul, HWINIT),
    "fixed_subordinate_bus" / whole(Int8ul, HWINIT),
    "reserved_2" / Int16ul,
)

ENTRY_HEADER = Register(
    Int32ul,
    Bits("entry_size", 0, 3, access=HWINIT),
    Bits("bei", 4, 4, access=HWINIT),
    Bits("primary_properties", 8, 8, access=HWINIT),
    Bits("secondary_properties", 16, 8, access=HWINIT),
    Bit("writable", 30, HWINIT),
    Bit("enable", 31, RW, reset=None, when=has(".header.writable")),  # resets to the firmware's value
)

ENTRY = Struct(
    "header" / ENTRY_HEADER,
    "base" / Register(Int32ul, Bit("is_64bit", 1, HWINIT), Bits("base_lower", 2, 30, shift=2, access=HWINIT)),
    "max_offset" / Register(Int32ul, Bit("is_64bit", 1, HWINIT),
                            Bits("max_offset_lower", 2, 30, shift=2, add=3, access=HWINIT)),
    "base_upper" / If(this.base.is_64bit, Int32ul),
    "max_offset_upper" / If(this.max_offset.is_64bit, Int32ul),
)

# An entry spans its header and Entry Size dwords, whatever its members cover.
SIZED_ENTRY = Padded(4 + 4 * this.header.entry_size, ENTRY)

BEI_NAMES = {6: "resource behind the function", 7: "not indicated", 8: "expansion ROM"}

PROPERTY_NAMES = {
    0x00: "memory space, non-prefetchable",
    0x01: "memory space, prefetchable",
    0x02: "I/O space",
    0x03: "VF memory space, prefetchable",
    0x04: "VF memory space, non-prefetchable",
    0x05: "memory behind the bridge, non-prefetchable",
    0x06: "memory behind the bridge, prefetchable",
    0x07: "I/O space behind the bridge",
    0xFD: "memory space resource unavailable for use",
    0xFE: "I/O space resource unavailable for use",
    0xFF: "entry unavailable for use",
}


def bei_name(bei: int) -> str:
    """What a BAR Equivalent Indicator names: BAR 0-5, VF BAR 0-5 (9-14), or 6-8."""
    if bei <= 5:
        return f"BAR {bei}"
    if 9 <= bei <= 14:
        return f"VF BAR {bei - 9}"
    return BEI_NAMES.get(bei, "reserved")


def _entry(ctx: DecodeContext, relative: int) -> Container:
    entry = ctx.parse(ENTRY, relative)
    entry["offset"] = relative
    entry["base_address"] = ((entry.base_upper or 0) << 32) | entry.base.base_lower
    entry["max_offset_value"] = ((entry.max_offset_upper or 0) << 32) | entry.max_offset.max_offset_lower
    entry["limit"] = entry.base_address + entry.max_offset_value
    entry["bei_name"] = bei_name(entry.header.bei)
    entry["primary_properties_name"] = PROPERTY_NAMES.get(entry.header.primary_properties)
    entry["secondary_properties_name"] = PROPERTY_NAMES.get(entry.header.secondary_properties)
    return entry


def _entries(ctx: DecodeContext, relative: int, count: int, problems: list[str]) -> list[Container]:
    entries = []
    for index in range(count):
        if not ctx.readable(relative, 4):
            problems.append(f"EA entry {index} lies past the readable config space")
            break
        size = ctx.u32(relative) & 7
        if size and not ctx.readable(relative + 4, 4 * size):
            problems.append(f"EA entry {index} runs past the readable config space")
            break
        entry = _entry(ctx, relative)
        needed = 2 + (entry.base_upper is not None) + (entry.max_offset_upper is not None)
        if size < needed:
            problems.append(f"EA entry {index}: Entry Size {size} is too small for its {needed} dwords")
        entries.append(entry)
        relative += 4 + 4 * size
    return entries


def schema_of(fields: Container) -> Construct:
    """The layout ``fields`` were decoded with: the (bridge) header, then the entries read."""
    head = BRIDGE_SCHEMA if fields.bridge else SCHEMA
    return Struct(*head.subcons, "entries" / Array(len(fields.entries), SIZED_ENTRY))


def decode(ctx: DecodeContext) -> Container:
    """Decode the EA header (and the bridge's fixed bus numbers) and every readable entry."""
    bridge = ctx.header_type == HEADER_BRIDGE
    fields = ctx.parse(BRIDGE_SCHEMA if bridge else SCHEMA)
    fields["bridge"] = bridge
    fields["num_entries"] = fields.num_entries_raw & 0x3F
    problems: list[str] = []
    fields["entries"] = _entries(ctx, 8 if bridge else 4, fields.num_entries, problems)
    fields["problems"] = problems
    return fields
