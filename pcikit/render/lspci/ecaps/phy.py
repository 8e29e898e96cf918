"""Physical Layer 16.0, 32.0 and 64.0 GT/s (pciutils cap_phy_16gt/32gt/64gt, from 3.14)."""
from __future__ import annotations

from ..context import RenderContext, pm

_MOD_TS_MODES = ("PCI Express", "Training Set Messages", "Alternate Protocol Negotiation")
_ENHANCED_LINK = (
    "Full Equalization required", "Equalization bypass to highest rate support",
    "No Equalization Needed", "Modified TS1/TS2 Ordered Sets supported",
)
# Bytes lspci fetches before decoding each rate's registers.
_FETCH = {"16": 0x18, "32": 0x1C, "64": 0x0C}


def _table(names: tuple[str, ...], value: int) -> str:
    """lspci's TABLE(): the name, or ``??N`` past the end."""
    return names[value] if value < len(names) else f"??{value}"


def _equalization(s, rate: str) -> str:
    return (
        f"EquComplete{pm(s[f'equalization_{rate}gts_complete'])}"
        f" EquPhase1{pm(s[f'equalization_{rate}gts_phase_1_successful'])}"
        f" EquPhase2{pm(s[f'equalization_{rate}gts_phase_2_successful'])}"
        f" EquPhase3{pm(s[f'equalization_{rate}gts_phase_3_successful'])}"
        f" LinkEquRequest{pm(s[f'link_equalization_request_{rate}gts'])}"
    )


def render_rate(ctx: RenderContext, cap, rate: str) -> None:
    """Name line; with -vv the status (and for 32 GT/s capabilities and control)."""
    ctx.write(f"Physical Layer {rate}.0 GT/s\n")
    if ctx.verbose < 2:
        return
    if not cap.readable(0x04, _FETCH[rate]):
        ctx.write("\t\t<unreadable>\n")
        return
    f = cap.fields
    if rate == "16":
        ctx.write(f"\t\tPhy16Sta: {_equalization(f.status_16gt, '16')}\n")
    elif rate == "64":
        s = f.status_64gt
        ctx.write(
            f"\t\tPhy64Sta: {_equalization(s, '64')}\n"
            f"\t\t\t  TxPrecodeOn{pm(s.transmitter_precoding_on)} TxPrecodeReq{pm(s.transmitter_precoding_request)}"
            f" NoEqualizationNeededRecv{pm(s.no_equalization_needed_received)}\n"
        )
    else:
        _render_32(ctx, f)


def _render_32(ctx: RenderContext, f) -> None:
    c, ctl, s = f.capabilities_32gt, f.control_32gt, f.status_32gt
    ctx.write(
        f"\t\tPhy32Cap: EqualizationBypass{pm(c.equalization_bypass_to_highest_rate_supported)}"
        f" NoEqualizationNeeded{pm(c.no_equalization_needed_supported)}\n"
        f"\t\t\t  ModTsMode0{pm(c.modified_ts_usage_mode_0_supported)}"
        f" ModTsMode1{pm(c.modified_ts_usage_mode_1_supported)}"
        f" ModTsMode2{pm(c.modified_ts_usage_mode_2_supported)}\n"
        f"\t\tPhy32Ctl: EqualizationBypassDis{pm(ctl.equalization_bypass_to_highest_rate_disable)}"
        f" NoEqualizationNeededDis{pm(ctl.no_equalization_needed_disable)}\n"
        f"\t\t\t  Modified TS Usage Mode: {_table(_MOD_TS_MODES, ctl.modified_ts_usage_mode_selected)}\n"
        f"\t\tPhy32Sta: {_equalization(s, '32')}\n"
        f"\t\t\t  Received Enhanced Link Behavior Control: "
        f"{_table(_ENHANCED_LINK, s.received_enhanced_link_behavior_control)}\n"
        f"\t\t\t  ModTsRecv{pm(s.modified_ts_received)} TxPrecodeOn{pm(s.transmitter_precoding_on)}"
        f" TxPrecodeReq{pm(s.transmitter_precoding_request)}"
        f" NoEqualizationNeededRecv{pm(s.no_equalization_needed_received)}\n"
    )
