"""Advanced Error Reporting (pciutils cap_aer)."""
from __future__ import annotations

from ..context import RenderContext, pm
from ..dialect import V3_11, V3_13


def _uncorrectable(r, dialect) -> str:
    if dialect >= V3_13:  # every bit PCIe 6 defines, on three lines
        return (
            f"DLP{pm(r.data_link_protocol_error)} SDES{pm(r.surprise_down_error)} "
            f"TLP{pm(r.poisoned_tlp_received)} FCP{pm(r.flow_control_protocol_error)} "
            f"CmpltTO{pm(r.completion_timeout)} CmpltAbrt{pm(r.completer_abort)} "
            f"UnxCmplt{pm(r.unexpected_completion)} RxOF{pm(r.receiver_overflow)} "
            f"MalfTLP{pm(r.malformed_tlp)}\n"
            f"\t\t\tECRC{pm(r.ecrc_error)} UnsupReq{pm(r.unsupported_request_error)} "
            f"ACSViol{pm(r.acs_violation)} UncorrIntErr{pm(r.uncorrectable_internal_error)} "
            f"BlockedTLP{pm(r.mc_blocked_tlp)} AtomicOpBlocked{pm(r.atomicop_egress_blocked)} "
            f"TLPBlockedErr{pm(r.tlp_prefix_blocked_error)}\n"
            f"\t\t\tPoisonTLPBlocked{pm(r.poisoned_tlp_egress_blocked)} "
            f"DMWrReqBlocked{pm(r.dmwr_request_egress_blocked)} IDECheck{pm(r.ide_check_failed)} "
            f"MisIDETLP{pm(r.misrouted_ide_tlp)} PCRC_CHECK{pm(r.pcrc_check_failed)} "
            f"TLPXlatBlocked{pm(r.tlp_translation_egress_blocked)}"
        )
    return (
        f"DLP{pm(r.data_link_protocol_error)} SDES{pm(r.surprise_down_error)} "
        f"TLP{pm(r.poisoned_tlp_received)} FCP{pm(r.flow_control_protocol_error)} "
        f"CmpltTO{pm(r.completion_timeout)} CmpltAbrt{pm(r.completer_abort)} "
        f"UnxCmplt{pm(r.unexpected_completion)} RxOF{pm(r.receiver_overflow)} "
        f"MalfTLP{pm(r.malformed_tlp)} ECRC{pm(r.ecrc_error)} "
        f"UnsupReq{pm(r.unsupported_request_error)} ACSViol{pm(r.acs_violation)}"
    )


def _correctable(r, dialect) -> str:
    text = (
        f"RxErr{pm(r.receiver_error)} BadTLP{pm(r.bad_tlp)} BadDLLP{pm(r.bad_dllp)} "
        f"Rollover{pm(r.replay_num_rollover)} Timeout{pm(r.replay_timer_timeout)} "
        f"AdvNonFatalErr{pm(r.advisory_non_fatal_error)}"
    )
    if dialect >= V3_13:
        text += f" CorrIntErr{pm(r.corrected_internal_error)} HeaderOF{pm(r.header_log_overflow)}"
    return text


def _root(ctx: RenderContext, root) -> None:
    command = root.root_error_command
    ctx.write(
        f"\t\tRootCmd: CERptEn{pm(command.correctable_error_reporting_enable)} "
        f"NFERptEn{pm(command.non_fatal_error_reporting_enable)} "
        f"FERptEn{pm(command.fatal_error_reporting_enable)}\n"
    )
    status = root.root_error_status
    ctx.write(
        f"\t\tRootSta: CERcvd{pm(status.err_cor_received)} MultCERcvd{pm(status.multiple_err_cor_received)} "
        f"UERcvd{pm(status.err_fatal_nonfatal_received)} "
        f"MultUERcvd{pm(status.multiple_err_fatal_nonfatal_received)}\n"
        f"\t\t\t FirstFatal{pm(status.first_uncorrectable_fatal)} "
        f"NonFatalMsg{pm(status.non_fatal_error_messages_received)} "
        f"FatalMsg{pm(status.fatal_error_messages_received)} "
        f"{'IntMsgNum' if ctx.dialect >= V3_11 else 'IntMsg'} {status.advanced_error_interrupt_message_number}\n"
    )
    source = root.error_source_identification
    ctx.write(
        f"\t\tErrorSrc: ERR_COR: {source.err_cor_source_identification:04x} "
        f"ERR_FATAL/NONFATAL: {source.err_fatal_nonfatal_source_identification:04x}\n"
    )


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv the status/mask/severity registers, header log and root registers."""
    ctx.write("Advanced Error Reporting\n")
    if ctx.verbose < 2 or not cap.readable(0x04, 40):
        return
    f = cap.fields
    ctx.write(f"\t\tUESta:\t{_uncorrectable(f.uncorrectable_error_status, ctx.dialect)}\n")
    ctx.write(f"\t\tUEMsk:\t{_uncorrectable(f.uncorrectable_error_mask, ctx.dialect)}\n")
    ctx.write(f"\t\tUESvrt:\t{_uncorrectable(f.uncorrectable_error_severity, ctx.dialect)}\n")
    ctx.write(f"\t\tCESta:\t{_correctable(f.correctable_error_status, ctx.dialect)}\n")
    ctx.write(f"\t\tCEMsk:\t{_correctable(f.correctable_error_mask, ctx.dialect)}\n")
    c = f.capabilities_and_control
    ctx.write(
        f"\t\tAERCap:\tFirst Error Pointer: {c.first_error_pointer:02x}, "
        f"ECRCGenCap{pm(c.ecrc_generation_capable)} ECRCGenEn{pm(c.ecrc_generation_enable)} "
        f"ECRCChkCap{pm(c.ecrc_check_capable)} ECRCChkEn{pm(c.ecrc_check_enable)}\n"
        f"\t\t\tMultHdrRecCap{pm(c.multiple_header_recording_capable)} "
        f"MultHdrRecEn{pm(c.multiple_header_recording_enable)} "
        f"TLPPfxPres{pm(c.tlp_prefix_log_present)} "
        f"HdrLogCap{pm(c.completion_timeout_prefix_header_log_capable)}\n"
    )
    ctx.write("\t\tHeaderLog: " + " ".join(f"{dword:08x}" for dword in f.header_log) + "\n")
    if f.root is not None and cap.readable(0x2C, 12):
        _root(ctx, f.root)
