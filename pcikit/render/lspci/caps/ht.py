"""HyperTransport (pciutils cap_ht, cap_ht_pri, cap_ht_sec)."""
from __future__ import annotations

from ..context import RenderContext, pm

_WIDTH = ("8bit", "16bit", "[2]", "32bit", "2bit", "4bit", "[6]", "N/C")
_FREQUENCY = (
    "200MHz", "300MHz", "400MHz", "500MHz", "600MHz", "800MHz", "1.0GHz", "1.2GHz",
    "1.4GHz", "1.6GHz", "[a]", "[b]", "[c]", "[d]", "[e]", "Vend",
)
_NAMES = {
    0x08: "Switch",
    0x10: "Interrupt Discovery and Configuration",
    0x12: "UnitID Clumping",
    0x13: "Extended Configuration Space Access",
    0x14: "Address Mapping",
    0x16: "DirectRoute",
    0x17: "VCSet",
    0x18: "Retry Mode",
    0x19: "X86 (reserved)",
}
_REVISION_2 = 0x22  # registers lspci shows only from HyperTransport 2.0 (revision 1.02+) on


def _link_control(label: str, lc, extended: bool) -> str:
    text = (
        f"\t\t{label}: CFlE{pm(lc.crc_flood_enable)} CST{pm(lc.crc_start_test)} CFE{pm(lc.crc_force_error)} "
        f"<LkFail{pm(lc.link_failure)} Init{pm(lc.initialization_complete)} EOC{pm(lc.end_of_chain)} "
        f"TXO{pm(lc.transmitter_off)} <CRCErr={lc.crc_error:x}"
    )
    if extended:
        text += (
            f" IsocEn{pm(lc.isochronous_flow_control_enable)} LSEn{pm(lc.ldtstop_tristate_enable)} "
            f"ExtCTL{pm(lc.extended_ctl_time)} 64b{pm(lc.addressing_64bit_enable)}"
        )
    return text + "\n"


def _link_config(label: str, lc, extended: bool) -> str:
    widths = [_WIDTH[lc.max_link_width_in], _WIDTH[lc.max_link_width_out], _WIDTH[lc.link_width_in],
              _WIDTH[lc.link_width_out]]
    if not extended:
        return f"\t\t{label}: MLWI={widths[0]} MLWO={widths[1]} LWI={widths[2]} LWO={widths[3]}\n"
    return (
        f"\t\t{label}: MLWI={widths[0]} DwFcIn{pm(lc.doubleword_flow_control_in)} "
        f"MLWO={widths[1]} DwFcOut{pm(lc.doubleword_flow_control_out)} "
        f"LWI={widths[2]} DwFcInEn{pm(lc.doubleword_flow_control_in_enable)} "
        f"LWO={widths[3]} DwFcOutEn{pm(lc.doubleword_flow_control_out_enable)}\n"
    )


def _link_frequency(ctx: RenderContext, suffix: str, error, capability) -> None:
    ctx.write(f"\t\tLink Frequency{suffix}: {_FREQUENCY[error.frequency]}\n")
    ctx.write(
        f"\t\tLink Error{suffix}: <Prot{pm(error.protocol_error)} <Ovfl{pm(error.overflow_error)} "
        f"<EOC{pm(error.end_of_chain_error)} CTLTm{pm(error.ctl_timeout)}\n"
    )
    # lspci 3.9 reads this 16-bit register as one byte: 1.4GHz, 1.6GHz and Vend always print '-'.
    c = capability
    ctx.write(
        f"\t\tLink Frequency Capability{suffix}: 200MHz{pm(c.supports_200mhz)} 300MHz{pm(c.supports_300mhz)} "
        f"400MHz{pm(c.supports_400mhz)} 500MHz{pm(c.supports_500mhz)} 600MHz{pm(c.supports_600mhz)} "
        f"800MHz{pm(c.supports_800mhz)} 1.0GHz{pm(c.supports_1000mhz)} 1.2GHz{pm(c.supports_1200mhz)} "
        "1.4GHz- 1.6GHz- Vend-\n"
    )


def _feature(ftr) -> str:
    return (
        f"\t\tFeature Capability: IsocFC{pm(ftr.isochronous_flow_control_mode)} LDTSTOP{pm(ftr.ldtstop)} "
        f"CRCTM{pm(ftr.crc_test_mode)} ECTLT{pm(ftr.extended_ctl_time_required)} "
        f"64bA{pm(ftr.addressing_64bit)} UIDRD{pm(ftr.unitid_reorder_disable)}"
    )


def _error_handling(eh) -> str:
    return (
        f"\t\tError Handling: PFlE{pm(eh.protocol_error_flood_enable)} OFlE{pm(eh.overflow_error_flood_enable)} "
        f"PFE{pm(eh.protocol_error_fatal_enable)} OFE{pm(eh.overflow_error_fatal_enable)} "
        f"EOCFE{pm(eh.end_of_chain_error_fatal_enable)} RFE{pm(eh.response_error_fatal_enable)} "
        f"CRCFE{pm(eh.crc_error_fatal_enable)} SERRFE{pm(eh.system_error_fatal_enable)} CF{pm(eh.chain_fail)} "
        f"RE{pm(eh.response_error)} PNFE{pm(eh.protocol_error_nonfatal_enable)} "
        f"ONFE{pm(eh.overflow_error_nonfatal_enable)} EOCNFE{pm(eh.end_of_chain_error_nonfatal_enable)} "
        f"RNFE{pm(eh.response_error_nonfatal_enable)} CRCNFE{pm(eh.crc_error_nonfatal_enable)} "
        f"SERRNFE{pm(eh.system_error_nonfatal_enable)}\n"
    )


def _revision_lines(ctx: RenderContext, f) -> bool:
    """The 'incomplete decoding' warning; True when HT 2.0 registers are shown."""
    if f.incomplete_decoding:
        ctx.write("\t\t!!! Possibly incomplete decoding\n")
    return f.extended_revision


def _primary(ctx: RenderContext, cap) -> None:
    ctx.write("HyperTransport: Slave or Primary Interface\n")
    if ctx.verbose < 2 or not cap.readable(4, 24):
        return
    f = cap.fields
    extended = _revision_lines(ctx, f)
    cmd = f.command
    text = (
        f"\t\tCommand: BaseUnitID={cmd.base_unitid} UnitCnt={cmd.unit_count} MastHost{pm(cmd.master_host)} "
        f"DefDir{pm(cmd.default_direction)}"
    )
    if extended:
        text += f" DUL{pm(cmd.drop_on_uninitialized_link)}"
    ctx.write(text + "\n")
    ctx.write(_link_control("Link Control 0", f.link_control_0, extended))
    ctx.write(_link_config("Link Config 0", f.link_config_0, extended))
    ctx.write(_link_control("Link Control 1", f.link_control_1, extended))
    ctx.write(_link_config("Link Config 1", f.link_config_1, extended))
    ctx.write(f"\t\tRevision ID: {f.revision_id.major}.{f.revision_id.minor:02d}\n")
    if not extended:
        return
    _link_frequency(ctx, " 0", f.link_frequency_error_0, f.link_frequency_capability_0)
    ctx.write(_feature(f.feature) + "\n")
    _link_frequency(ctx, " 1", f.link_frequency_error_1, f.link_frequency_capability_1)
    ctx.write(_error_handling(f.error_handling))
    ctx.write(f"\t\tPrefetchable memory behind bridge Upper: {f.memory_base_upper:02x}-{f.memory_limit_upper:02x}\n")
    ctx.write(f"\t\tBus Number: {f.bus_number:02x}\n")


def _secondary(ctx: RenderContext, cap) -> None:
    ctx.write("HyperTransport: Host or Secondary Interface\n")
    if ctx.verbose < 2 or not cap.readable(4, 20):
        return
    f = cap.fields
    extended = _revision_lines(ctx, f)
    cmd = f.command
    text = f"\t\tCommand: WarmRst{pm(cmd.warm_reset)} DblEnd{pm(cmd.double_ended)}"
    if extended:
        text += (
            f" DevNum={cmd.device_number} ChainSide{pm(cmd.chain_side)} HostHide{pm(cmd.host_hide)} "
            f"Slave{pm(cmd.act_as_slave)} <EOCErr{pm(cmd.host_inbound_end_of_chain_error)} "
            f"DUL{pm(cmd.drop_on_uninitialized_link)}"
        )
    ctx.write(text + "\n")
    ctx.write(_link_control("Link Control", f.link_control, extended))
    ctx.write(_link_config("Link Config", f.link_config, extended))
    ctx.write(f"\t\tRevision ID: {f.revision_id.major}.{f.revision_id.minor:02d}\n")
    if not extended:
        return
    _link_frequency(ctx, "", f.link_frequency_error, f.link_frequency_capability)
    ftr = f.feature
    ctx.write(
        _feature(ftr) + f" ExtRS{pm(ftr.extended_register_set)} UCnfE{pm(ftr.upstream_configuration_enable)}\n"
    )
    if ftr.extended_register_set:
        ctx.write(_error_handling(f.error_handling))
        ctx.write(
            f"\t\tPrefetchable memory behind bridge Upper: {f.memory_base_upper:02x}-{f.memory_limit_upper:02x}\n"
        )


def _msi_mapping(ctx: RenderContext, cap) -> None:
    f = cap.fields
    ctx.write(f"HyperTransport: MSI Mapping Enable{pm(f.command.enable)} Fixed{pm(f.command.fixed)}\n")
    if ctx.verbose >= 2 and not f.command.fixed and cap.readable(4, 8):
        ctx.write(f"\t\tMapping Address Base: {f.mapping_address_base:016x}\n")


def render(ctx: RenderContext, cap) -> None:
    """``HyperTransport: <block>`` and, for interfaces and MSI mapping, their registers."""
    f = cap.fields
    kind = f.block_type
    if kind == "primary_interface":
        _primary(ctx, cap)
    elif kind == "secondary_interface":
        _secondary(ctx, cap)
    elif kind == "msi_mapping":
        _msi_mapping(ctx, cap)
    elif kind == "revision_id":
        ctx.write(f"HyperTransport: Revision ID: {f.command.major}.{f.command.minor:02d}\n")
    elif f.capability_type in _NAMES:
        ctx.write(f"HyperTransport: {_NAMES[f.capability_type]}\n")
    else:
        ctx.write(f"HyperTransport: #{f.capability_type:02x}\n")
