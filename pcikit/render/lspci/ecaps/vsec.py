"""Vendor-Specific Extended Capability (pciutils cap_evendor): the header at every -v level."""
from __future__ import annotations

from ..context import RenderContext


def render(ctx: RenderContext, cap) -> None:
    """``Vendor Specific Information: ID=.. Rev=.. Len=.. <?>``."""
    ctx.write("Vendor Specific Information: ")
    f = cap.fields
    if f is None or not cap.readable(4, 4):
        ctx.write("<unreadable>\n")
        return
    ctx.write(f"ID={f.vsec_id:04x} Rev={f.vsec_rev} Len={f.vsec_length:03x} <?>\n")
