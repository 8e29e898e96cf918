"""Advanced Error Reporting (pciutils cap_aer)."""
from __future__ import annotations

from ..context import RenderContext, pm


def _uncorrectable(r) -> str:
    return (
        f"DLP{pm(r.data_link_protocol_error)} SDES{pm(r.surprise_down_error)} "
        f"TLP{pm(r.poisoned_tlp_received)} FCP{pm(r.flow_control_protocol_error)} "
        f"CmpltTO{pm(r.completion_timeout)} CmpltAbrt{pm(r.completer_abort)} "
        f"UnxCmplt{pm(r.unexpected_completion)} RxOF{pm(r.receiver_overflow)} "
        f"MalfTLP{pm(r.malformed_tlp)} ECRC{pm(r.ecrc_error)} "
        f"UnsupReq{pm(r.unsupported_request_error)} ACSViol{pm(r.acs_violation)}"
    )


def _correctable(r) -> str:
    return (
        f"RxErr{pm(r.receiver_error)} BadTLP{pm(r.bad_tlp)} BadDLLP{pm(r.bad_dllp)} "
        f"Rollover{pm(r.replay_num_rollover)} Timeout{pm(r.replay_timer_timeout)} "
        f"AdvNonFatalErr{pm(r.advisory_non_fatal_error)}"
    )


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
        f"IntMsg {status.advanced_error_interrupt_message_number}\n"
    )
    source = root.error_source_identification
    ctx.write(
        f"\t\tErrorSrc: ERR_COR: {source.err_cor_source_identification:04x} "
        f"ERR_FATAL/NONFATAL: {source.err_fatal_nonfatal_source_identification:04x}\n"
    )


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv the status/mask/severity registers, header log and root registers."""
    ctx.write("Advanced Error Reporting\n")
    f = cap.fields
    if ctx.verbose < 2 or not cap.readable(0x04, 40):
        return
    ctx.write(f"\t\tUESta:\t{_uncorrectable(f.uncorrectable_error_status)}\n")
    ctx.write(f"\t\tUEMsk:\t{_uncorrectable(f.uncorrectable_error_mask)}\n")
    ctx.write(f"\t\tUESvrt:\t{_uncorrectable(f.uncorrectable_error_severity)}\n")
    ctx.write(f"\t\tCESta:\t{_correctable(f.correctable_error_status)}\n")
    ctx.write(f"\t\tCEMsk:\t{_correctable(f.correctable_error_mask)}\n")
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
