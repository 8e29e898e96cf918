"""PCI Advanced Features (pciutils cap_af)."""
from __future__ import annotations

from ..context import RenderContext, pm


def render(ctx: RenderContext, cap) -> None:
    """``PCI Advanced Features`` and, with -vv, AFCap/AFCtrl/AFStatus."""
    ctx.write("PCI Advanced Features\n")
    if ctx.verbose < 2 or not cap.readable(3, 3):
        return
    f = cap.fields
    ctx.write(f"\t\tAFCap: TP{pm(f.af_capabilities.tp)} FLR{pm(f.af_capabilities.flr)}\n")
    ctx.write(f"\t\tAFCtrl: FLR{pm(f.af_control.initiate_flr)}\n")
    ctx.write(f"\t\tAFStatus: TP{pm(f.af_status.tp)}\n")
