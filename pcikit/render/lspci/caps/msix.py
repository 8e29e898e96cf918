"""MSI-X (pciutils cap_msix): lspci stops at the BIR and offset."""
from __future__ import annotations

from ..context import RenderContext, pm


def render(ctx: RenderContext, cap) -> None:
    """``MSI-X: Enable± Count=N Masked±`` and the table/PBA locations."""
    f = cap.fields
    ctx.write(f"MSI-X: Enable{pm(f.enable)} Count={f.table_size} Masked{pm(f.function_mask)}\n")
    if ctx.verbose < 2 or not cap.readable(4, 8):
        return
    ctx.write(f"\t\tVector table: BAR={f.table.bir} offset={f.table.offset:08x}\n")
    ctx.write(f"\t\tPBA: BAR={f.pba.bir} offset={f.pba.offset:08x}\n")
