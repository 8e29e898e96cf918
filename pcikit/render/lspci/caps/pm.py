"""Power Management (pciutils cap_pm)."""
from __future__ import annotations

from ..context import RenderContext, pm


def render(ctx: RenderContext, cap) -> None:
    """``Power Management version N`` and, with -vv, Flags/Status/Bridge."""
    f = cap.fields
    pmc = f.pmc
    ctx.write(f"Power Management version {pmc.version}\n")
    if ctx.verbose < 2:
        return
    ctx.write(
        f"\t\tFlags: PMEClk{pm(pmc.pme_clock)} DSI{pm(pmc.dsi)} D1{pm(pmc.d1_support)} "
        f"D2{pm(pmc.d2_support)} AuxCurrent={f.aux_current_ma}mA "
        f"PME(D0{pm(pmc.pme_support_d0)},D1{pm(pmc.pme_support_d1)},D2{pm(pmc.pme_support_d2)},"
        f"D3hot{pm(pmc.pme_support_d3hot)},D3cold{pm(pmc.pme_support_d3cold)})\n"
    )
    if not cap.readable(4, 4):
        return
    csr = f.pmcsr
    ctx.write(
        f"\t\tStatus: D{csr.power_state} NoSoftRst{pm(csr.no_soft_reset)} PME-Enable{pm(csr.pme_enable)} "
        f"DSel={csr.data_select} DScale={csr.data_scale} PME{pm(csr.pme_status)}\n"
    )
    bse = f.pmcsr_bse
    if bse.raw:
        ctx.write(f"\t\tBridge: PM{pm(bse.bpcc_enable)} B3{pm(not bse.b2_b3)}\n")
