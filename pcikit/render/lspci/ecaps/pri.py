"""Page Request Interface (pciutils cap_pri)."""
from __future__ import annotations

from ..context import RenderContext, pm
from ..dialect import V3_11


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv control, status and the request capacity/allocation."""
    ctx.write("Page Request Interface (PRI)\n")
    f = cap.fields
    if ctx.verbose < 2 or not cap.readable(0x04, 0x0C):
        return
    c = f.page_request_control
    ctx.write(f"\t\tPRICtl: Enable{pm(c.enable)} Reset{pm(c.reset)}\n")
    s = f.page_request_status
    ctx.write(
        f"\t\tPRISta: RF{pm(s.response_failure)} UPRGI{pm(s.unexpected_page_request_group_index)} "
        f"Stopped{pm(s.stopped)}"
        + (f" PASID{pm(s.prg_response_pasid_required)}\n" if ctx.dialect >= V3_11 else "\n")
    )
    ctx.write(
        f"\t\tPage Request Capacity: {f.outstanding_page_request_capacity:08x}, "
        f"Page Request Allocation: {f.outstanding_page_request_allocation:08x}\n"
    )
