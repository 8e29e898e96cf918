"""SATA HBA (pciutils cap_sata_hba)."""
from __future__ import annotations

from ..context import RenderContext


def render(ctx: RenderContext, cap) -> None:
    """``SATA HBA vM.m`` and, with -vv, where the Index-Data Pair is."""
    f = cap.fields
    ctx.write(f"SATA HBA v{f.revision.major}.{f.revision.minor}")
    if ctx.verbose < 2 or not cap.readable(4, 4):
        ctx.write("\n")
        return
    cr1 = f.sata_capability_1
    if f.bar is not None:
        ctx.write(f" BAR{f.bar} Offset={cr1.bar_offset_raw:08x}\n")
    elif f.in_config_space:
        ctx.write(" InCfgSpace\n")
    else:
        ctx.write(f" BAR??{cr1.bar_location}\n")
