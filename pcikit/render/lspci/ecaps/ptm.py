"""Precision Time Measurement (pciutils cap_ptm)."""
from __future__ import annotations

from ..context import RenderContext, pm
from ..dialect import V3_11

GRANULARITY_ABOVE_254NS = 0xFF


def _granularity(value: int, zero: str) -> str:
    if value == 0:
        return zero
    if value == GRANULARITY_ABOVE_254NS:
        return "Greater than 254ns"
    return f"{value}ns"


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv PTMCap, clock granularity, PTMControl and effective granularity."""
    ctx.write("Precision Time Measurement\n")
    if ctx.verbose < 2:
        return
    f = cap.fields
    if not cap.readable(0x04, 8):
        ctx.write("\t\t<unreadable>\n")
        return
    c = f.ptm_capability
    colon = "" if ctx.dialect >= V3_11 else ":"
    ctx.write(
        f"\t\tPTMCap: Requester{colon}{pm(c.ptm_requester_capable)} Responder{colon}{pm(c.ptm_responder_capable)} "
        f"Root{colon}{pm(c.ptm_root_capable)}\n"
    )
    ctx.write(f"\t\tPTMClockGranularity: {_granularity(c.local_clock_granularity, 'Unimplemented')}\n")
    c = f.ptm_control
    ctx.write(f"\t\tPTMControl: Enabled{colon}{pm(c.ptm_enable)} RootSelected{colon}{pm(c.root_select)}\n")
    ctx.write(f"\t\tPTMEffectiveGranularity: {_granularity(c.effective_granularity, 'Unknown')}\n")
