"""Flit Logging (pciutils cap_flit_log, lspci 3.14 as built from 0f5b941)."""
from __future__ import annotations

from ..context import RenderContext, flag, pm
from .dev3 import link_width

_GRANULARITY = ("all", "even", "odd", "mismatch")
_INTERRUPT_GENERATED_LSPCI = 0x4  # lspci tests bit 2 of Flit Error Counter Status for this flag


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv the error log, counter and FBER measurement registers."""
    ctx.write("Flit Logging\n")
    if ctx.verbose < 2 or not cap.readable(0x04, 56):
        return
    f = cap.fields
    log1, log2 = f.flit_error_log_1, f.flit_error_log_2
    ctx.write(
        f"\t\tLog1:      Valid{pm(log1.flit_error_log_valid)}, Link Width: {link_width(log1.flit_error_link_width)}\n"
        f"\t\t\t   More entries{pm(log1.more_entries_valid)} Unrecognized flit{pm(log1.unrecognized_flit)}"
        f" FEC uncorrectable{pm(log1.fec_uncorrectable_error_in_flit)}\n"
        f"\t\t\t   SyndParityGrp0: {log1.syndrome_parity_ecc_group_0:02x},"
        f" SyndCheckGrp0: {log1.syndrome_check_ecc_group_0:02x}\n"
        f"\t\tLog2:      SyndParityGrp1: {log2.syndrome_parity_ecc_group_1:02x},"
        f" SyndCheckGrp1: {log2.syndrome_check_ecc_group_1:02x}\n"
        f"\t\t\t   SyndParityGrp2: {log2.syndrome_parity_ecc_group_2:02x},"
        f" SyndCheckGrp2: {log2.syndrome_check_ecc_group_2:02x}\n"
    )
    ctl, sta = f.flit_error_counter_control, f.flit_error_counter_status
    ctx.write(
        f"\t\tCntCtl:    Flit Error Counter En{pm(ctl.flit_error_counter_enable)}"
        f" Flit Error Counter Interrupt En{pm(ctl.flit_error_counter_interrupt_enable)}\n"
        f"\t\t\t   Events to count: {ctl.events_to_count},"
        f" Trigger Event on Error Count: {ctl.trigger_event_on_error_count:02x}\n"
        f"\t\tCntSts:    Link Width when Error Counter Started"
        f" {link_width(sta.link_width_when_error_counter_started)}\n"
        f"\t\t\t   Interrupt Generated based on Trigger Event Count{flag(sta.raw, _INTERRUPT_GENERATED_LSPCI)},"
        f" FlitErr: {sta.flit_error_counter}\n"
    )
    m = f.fber_measurement_control
    ctx.write(
        f"\t\tMeasCtl:   En{pm(m.fber_measurement_enable)}"
        f" Granularity: {_GRANULARITY[m.granularity_of_per_lane_error_reporting]}\n"
        f"\t\tMeasSts1:  Flit Counter: {f.flit_counter}\n"
        f"\t\tMeasSts2:  Invalid Flit Counter: {f.fber_measurement_status_2.invalid_flit_counter}\n"
    )
    lanes = f.lane_correctable_errors
    for pair in range(8):
        even, odd = 2 * pair, 2 * pair + 1
        label = f"MeasSts{pair + 3}:"
        ctx.write(
            f"\t\t{label:<11}{f'Lane{even}:':<8}{lanes[even]:5}, {f'Lane{odd}:':<8}{lanes[odd]:5}\n"
        )
