"""Address Translation Services (pciutils cap_ats): raw encodings, as lspci prints them."""
from __future__ import annotations

from ..context import RenderContext, pm


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv ATSCap and ATSCtl."""
    ctx.write("Address Translation Service (ATS)\n")
    f = cap.fields
    if ctx.verbose < 2 or not cap.readable(0x04, 4):
        return
    ctx.write(f"\t\tATSCap:\tInvalidate Queue Depth: {f.ats_capability.invalidate_queue_depth_raw:02x}\n")
    c = f.ats_control
    ctx.write(
        f"\t\tATSCtl:\tEnable{pm(c.enable)}, Smallest Translation Unit: {c.smallest_translation_unit_raw:02x}\n"
    )
