"""Alternative Routing-ID Interpretation (pciutils cap_ari)."""
from __future__ import annotations

from ..context import RenderContext, pm


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv ARICap and ARICtl."""
    ctx.write("Alternative Routing-ID Interpretation (ARI)\n")
    f = cap.fields
    if ctx.verbose < 2 or not cap.readable(0x04, 4):
        return
    c = f.ari_capability
    ctx.write(
        f"\t\tARICap:\tMFVC{pm(c.mfvc_function_groups_capability)} "
        f"ACS{pm(c.acs_function_groups_capability)}, Next Function: {c.next_function_number}\n"
    )
    c = f.ari_control
    ctx.write(
        f"\t\tARICtl:\tMFVC{pm(c.mfvc_function_groups_enable)} "
        f"ACS{pm(c.acs_function_groups_enable)}, Function Group: {c.function_group}\n"
    )
