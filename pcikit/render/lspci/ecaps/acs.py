"""Access Control Services (pciutils cap_acs)."""
from __future__ import annotations

from ..context import RenderContext, pm


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv ACSCap and ACSCtl."""
    ctx.write("Access Control Services\n")
    f = cap.fields
    if ctx.verbose < 2 or not cap.readable(0x04, 4):
        return
    c = f.acs_capability
    ctx.write(
        f"\t\tACSCap:\tSrcValid{pm(c.source_validation)} TransBlk{pm(c.translation_blocking)} "
        f"ReqRedir{pm(c.p2p_request_redirect)} CmpltRedir{pm(c.p2p_completion_redirect)} "
        f"UpstreamFwd{pm(c.upstream_forwarding)} EgressCtrl{pm(c.p2p_egress_control)} "
        f"DirectTrans{pm(c.direct_translated_p2p)}\n"
    )
    c = f.acs_control
    ctx.write(
        f"\t\tACSCtl:\tSrcValid{pm(c.source_validation_enable)} TransBlk{pm(c.translation_blocking_enable)} "
        f"ReqRedir{pm(c.p2p_request_redirect_enable)} CmpltRedir{pm(c.p2p_completion_redirect_enable)} "
        f"UpstreamFwd{pm(c.upstream_forwarding_enable)} EgressCtrl{pm(c.p2p_egress_control_enable)} "
        f"DirectTrans{pm(c.direct_translated_p2p_enable)}\n"
    )
