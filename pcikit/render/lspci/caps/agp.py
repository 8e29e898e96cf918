"""AGP (pciutils cap_agp)."""
from __future__ import annotations

from ..context import RenderContext, pm


def _rate(rates: list[int]) -> str:
    return ",".join(f"x{rate}" for rate in rates) or "<none>"


def render(ctx: RenderContext, cap) -> None:
    """``AGP version M.m`` and, with -vv, the Status and Command lines."""
    f = cap.fields
    ctx.write(f"AGP version {f.version.major:x}.{f.version.minor:x}\n")
    if ctx.verbose < 2 or not cap.readable(4, 8):
        return
    st = f.status
    ctx.write(
        f"\t\tStatus: RQ={st.request_queue} Iso{pm(st.isochronous)} ArqSz={st.async_request_size} "
        f"Cal={st.calibration_cycle} SBA{pm(st.sideband_addressing)} ITACoh{pm(st.ita_coherent)} "
        f"GART64{pm(st.gart_64bit)} HTrans{pm(st.htrans)} 64bit{pm(st.addressing_64bit)} "
        f"FW{pm(st.fast_writes)} AGP3{pm(st.agp3_mode)} Rate={_rate(f.status_rates)}\n"
    )
    cmd = f.command
    ctx.write(
        f"\t\tCommand: RQ={cmd.request_queue_depth} ArqSz={cmd.async_request_size} "
        f"Cal={cmd.calibration_cycle} SBA{pm(cmd.sideband_addressing_enable)} AGP{pm(cmd.agp_enable)} "
        f"GART64{pm(cmd.gart_64bit_enable)} 64bit{pm(cmd.addressing_64bit_enable)} "
        f"FW{pm(cmd.fast_writes_enable)} Rate={_rate(f.command_rates)}\n"
    )
