"""Enhanced Allocation (pciutils cap_ea)."""
from __future__ import annotations

from ..context import RenderContext, pm

_PROPERTIES = {
    0x00: "memory space, non-prefetchable",
    0x01: "memory space, prefetchable",
    0x02: "I/O space",
    0x03: "VF memory space, prefetchable",
    0x04: "VF memory space, non-prefetchable",
    0x05: "allocation behind bridge, non-prefetchable memory",
    0x06: "allocation behind bridge, prefetchable memory",
    0x07: "allocation behind bridge, I/O space",
    0xFD: "memory space resource unavailable for use",
    0xFE: "I/O space resource unavailable for use",
}


def _bei(bei: int) -> str:
    if bei <= 5:
        return f"BAR {bei}"
    if 9 <= bei <= 14:
        return f"VF-BAR {bei - 9}"
    return {6: "resource behind function", 7: "not indicated", 8: "expansion ROM"}.get(bei, "reserved")


def _property(value: int, secondary: bool) -> str:
    if value == 0xFF:
        return "entry unavailable for use" + (", PrimaryProperties should be used" if secondary else "")
    return _PROPERTIES.get(value, f"[{value:02x}]")


def _entry(ctx: RenderContext, index: int, entry) -> None:
    h = entry.header
    ctx.write(f"\t\tEntry {index}: Enable{pm(h.enable)} Writable{pm(h.writable)} EntrySize={h.entry_size}\n")
    ctx.write(f"\t\t\t BAR Equivalent Indicator: {_bei(h.bei)}\n")
    ctx.write(f"\t\t\t PrimaryProperties: {_property(h.primary_properties, False)}\n")
    ctx.write(f"\t\t\t SecondaryProperties: {_property(h.secondary_properties, True)}\n")
    base_upper = f"{entry.base_upper:x}" if entry.base_upper is not None else ""
    ctx.write(f"\t\t\t Base: {base_upper}{entry.base.base_lower:08x}\n")
    max_upper = f"{entry.max_offset_upper:x}" if entry.max_offset_upper is not None else ""
    ctx.write(f"\t\t\t MaxOffset: {max_upper}{entry.max_offset.max_offset_lower:08x}\n")


def render(ctx: RenderContext, cap) -> None:
    """``Enhanced Allocation (EA): NumEntries=N`` and, with -vv, every readable entry."""
    f = cap.fields
    ctx.write(f"Enhanced Allocation (EA): NumEntries={f.num_entries}")
    if f.bridge:
        if not cap.readable(4, 2):
            ctx.write("\n")
            return
        ctx.write(f", secondary={f.fixed_secondary_bus}, subordinate={f.fixed_subordinate_bus}")
    ctx.write("\n")
    if ctx.verbose < 2:
        return
    for index, entry in enumerate(f.entries):
        _entry(ctx, index, entry)
