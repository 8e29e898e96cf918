"""Downstream Port Containment (pciutils cap_dpc)."""
from __future__ import annotations

from ..context import RenderContext, pm
from ..dialect import V3_11


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv DpcCap, DpcCtl, DpcSta and Source."""
    ctx.write("Downstream Port Containment\n")
    f = cap.fields
    if ctx.verbose < 2 or not cap.readable(0x04, 8):
        return
    c = f.dpc_capability
    ctx.write(
        f"\t\tDpcCap:\t{'IntMsgNum ' if ctx.dialect >= V3_11 else 'INT Msg #'}{c.dpc_interrupt_message_number}, "
        f"RPExt{pm(c.rp_extensions_for_dpc)} "
        f"PoisonedTLP{pm(c.poisoned_tlp_egress_blocking_supported)} "
        f"SwTrigger{pm(c.dpc_software_triggering_supported)} RP PIO Log {c.rp_pio_log_size}, "
        f"DL_ActiveErr{pm(c.dl_active_err_cor_signaling_supported)}\n"
    )
    c = f.dpc_control
    ctx.write(
        f"\t\tDpcCtl:\tTrigger:{c.dpc_trigger_enable:x} Cmpl{pm(c.dpc_completion_control)} "
        f"INT{pm(c.dpc_interrupt_enable)} ErrCor{pm(c.dpc_err_cor_enable)} "
        f"PoisonedTLP{pm(c.poisoned_tlp_egress_blocking_enable)} SwTrigger{pm(c.dpc_software_trigger)} "
        f"DL_ActiveErr{pm(c.dl_active_err_cor_enable)}\n"
    )
    s = f.dpc_status
    ctx.write(
        f"\t\tDpcSta:\tTrigger{pm(s.dpc_trigger_status)} Reason:{s.dpc_trigger_reason:02x} "
        f"INT{pm(s.dpc_interrupt_status)} RPBusy{pm(s.dpc_rp_busy)} "
        f"TriggerExt:{s.dpc_trigger_reason_extension:02x} RP PIO ErrPtr:{s.rp_pio_first_error_pointer:02x}\n"
    )
    ctx.write(f"\t\tSource:\t{f.dpc_error_source_id:04x}\n")
