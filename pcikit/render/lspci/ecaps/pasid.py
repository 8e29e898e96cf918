"""Process Address Space ID (pciutils cap_pasid)."""
from __future__ import annotations

from ..context import RenderContext, pm


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv PASIDCap and PASIDCtl."""
    ctx.write("Process Address Space ID (PASID)\n")
    f = cap.fields
    if ctx.verbose < 2 or not cap.readable(0x04, 4):
        return
    c = f.pasid_capability
    ctx.write(
        f"\t\tPASIDCap: Exec{pm(c.execute_permission_supported)} Priv{pm(c.privileged_mode_supported)}, "
        f"Max PASID Width: {c.max_pasid_width:02x}\n"
    )
    c = f.pasid_control
    ctx.write(
        f"\t\tPASIDCtl: Enable{pm(c.pasid_enable)} Exec{pm(c.execute_permission_enable)} "
        f"Priv{pm(c.privileged_mode_enable)}\n"
    )
