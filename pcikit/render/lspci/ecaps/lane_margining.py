"""Lane Margining at the Receiver (pciutils cap_lmr, from 3.11)."""
from __future__ import annotations

from ..context import RenderContext, pm


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv the port capabilities and status."""
    ctx.write("Lane Margining at the Receiver\n")
    if ctx.verbose < 2 or not cap.readable(0, 8):
        return
    f = cap.fields
    ctx.write(f"\t\tPortCap: Uses Driver{pm(f.margining_port_capabilities.margining_uses_driver_software)}\n")
    s = f.margining_port_status
    ctx.write(f"\t\tPortSta: MargReady{pm(s.margining_ready)} MargSoftReady{pm(s.margining_software_ready)}\n")
