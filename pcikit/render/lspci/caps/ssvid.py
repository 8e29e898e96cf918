"""Bridge subsystem IDs (pciutils cap_ssvid)."""
from __future__ import annotations

from ..context import RenderContext


def render(ctx: RenderContext, cap) -> None:
    """``Subsystem: <vendor> <name>`` named against the bridge's own IDs."""
    if not cap.readable(0, 8):
        return
    f = cap.fields
    dev = ctx.device
    name = ctx.namer.subsystem(dev.vendor_id, dev.device_id, f.subsystem_vendor_id, f.subsystem_id)
    ctx.write(f"Subsystem: {name}\n")
