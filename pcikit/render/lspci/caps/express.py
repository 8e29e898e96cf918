"""PCI Express capability (pciutils cap_express and the cap_express_* helpers it calls)."""
from __future__ import annotations

import struct

from ....schema.caps import express as exp
from ..context import RenderContext, pm
from ..dialect import V3_11, V3_12, V3_13, V3_14
from ..header import bar_fills

_L0S_LATENCY = ("<64ns", "<128ns", "<256ns", "<512ns", "<1us", "<2us", "<4us", "unlimited")
_L1_LATENCY = ("<1us", "<2us", "<4us", "<8us", "<16us", "<32us", "<64us", "unlimited")
_LINK_SPEED = {1: "2.5GT/s", 2: "5GT/s", 3: "8GT/s", 4: "16GT/s", 5: "32GT/s", 6: "64GT/s"}
_LINK_SPEED_3_14 = {**_LINK_SPEED, 8: "128GT/s"}  # lspci's encoding for 128 GT/s (sic: 8, not 7)
_ASPM_SUPPORT = ("not supported", "L0s", "L1", "L0s L1")
_ASPM_ENABLED = ("Disabled", "L0s Enabled", "L1 Enabled", "L0s L1 Enabled")
_INDICATOR = ("Unknown", "On", "Blink", "Off")
_POWER_SCALES = (1.0, 0.1, 0.01, 0.001)

_TIMEOUT_RANGES = {
    0: "Not Supported", 1: "Range A", 2: "Range B", 3: "Range AB", 6: "Range BC", 7: "Range ABC",
    14: "Range BCD", 15: "Range ABCD",
}
_TIMEOUT_VALUES = {
    0: "50us to 50ms", 1: "50us to 100us", 2: "1ms to 10ms", 5: "16ms to 55ms", 6: "65ms to 210ms",
    9: "260ms to 900ms", 10: "1s to 3.5s", 13: "4s to 13s", 14: "17s to 64s",
}
_OBFF_SUPPORTED = ("Not Supported", "Via message", "Via WAKE#", "Via message/WAKE#")
_EMERGENCY_POWER_REDUCTION = ("Not Supported", "Dev Specific", "Form Factor Dev Specific", "Reserved")
_LN_SYSTEM_CLS = ("Not Supported", "64byte cachelines", "128byte cachelines", "Reserved")
_TPH_COMPLETER = ("TPHComp- ExtTPHComp-", "TPHComp+ ExtTPHComp-", "", "TPHComp+ ExtTPHComp+")
_OBFF_ENABLED = ("Disabled", "Via message A", "Via message B", "Via WAKE#")

_TARGET_SPEED = {0: "2.5GT/s", **_LINK_SPEED}
_TARGET_SPEED_3_14 = {0: "2.5GT/s", **_LINK_SPEED_3_14}
_DE_EMPHASIS = ("-6dB", "-3.5dB")
_COMPLIANCE_PRESETS = dict(enumerate((
    "-6dB de-emphasis, 0dB preshoot", "-3.5dB de-emphasis, 0dB preshoot",
    "-4.4dB de-emphasis, 0dB preshoot", "-2.5dB de-emphasis, 0dB preshoot",
    "0dB de-emphasis, 0dB preshoot", "0dB de-emphasis, 1.9dB preshoot",
    "0dB de-emphasis, 2.5dB preshoot", "-6.0dB de-emphasis, 3.5dB preshoot",
    "-3.5dB de-emphasis, 3.5dB preshoot", "0dB de-emphasis, 3.5dB preshoot",
)))
_REDUCED_SWING = "200-400mV(full-swing)/100-200mV(half-swing)"
_TRANSMIT_MARGIN = {
    0: "Normal Operating Range", 1: "800-1200mV(full-swing)/400-700mV(half-swing)",
    2: _REDUCED_SWING, 3: _REDUCED_SWING, 4: _REDUCED_SWING, 5: _REDUCED_SWING,
}
_CROSSLINK_RESOLUTION = ("unsupported", "Upstream Port", "Downstream Port", "incomplete")
_DOWNSTREAM_COMPONENT = {
    0: "Link Down - Not Determined", 1: "Link Down - Not Present", 2: "Link Down - Present",
    4: "Link Up - Present", 5: "Link Up - Present and DRS Received",
}

_TYPE_TITLES = {
    exp.ENDPOINT: "Endpoint",
    exp.LEGACY_ENDPOINT: "Legacy Endpoint",
    exp.ROOT_PORT: "Root Port",
    exp.UPSTREAM_PORT: "Upstream Port",
    exp.DOWNSTREAM_PORT: "Downstream Port",
    exp.PCIE_TO_PCI_BRIDGE: "PCI-Express to PCI/PCI-X Bridge",
    exp.PCI_TO_PCIE_BRIDGE: "PCI/PCI-X to PCI-Express Bridge",
    exp.ROOT_COMPLEX_INTEGRATED_ENDPOINT: "Root Complex Integrated Endpoint",
    exp.ROOT_COMPLEX_EVENT_COLLECTOR: "Root Complex Event Collector",
}

_ENDPOINTS = frozenset({exp.ENDPOINT, exp.LEGACY_ENDPOINT})
_FLR_TYPES = frozenset({exp.ENDPOINT, exp.LEGACY_ENDPOINT, exp.ROOT_COMPLEX_INTEGRATED_ENDPOINT})
_SWITCH_PORTS = frozenset({exp.ROOT_PORT, exp.UPSTREAM_PORT, exp.DOWNSTREAM_PORT})
_DOWNSTREAM_PORTS = frozenset({exp.ROOT_PORT, exp.DOWNSTREAM_PORT, exp.PCI_TO_PCIE_BRIDGE})


def _f32(value: float) -> float:
    """``value`` rounded to a C float."""
    return struct.unpack("f", struct.pack("f", value))[0]


def power_limit(value: int, scale: int) -> str:
    """lspci's show_power_limit: the product is computed in single precision, printed with %g."""
    if scale == 0 and value == 0xFF:
        return ">600W"
    if scale == 0 and 0xF0 <= value <= 0xFE:
        value = 250 + 25 * (value - 0xF0)
    return f"{_f32(_f32(value) * _f32(_POWER_SCALES[scale])):g}W"


def _link_compare(port_type: int, status: int, capable: int) -> str:
    if status > capable:
        return " (overdriven)"
    if status == capable or port_type in _DOWNSTREAM_PORTS:
        return ""
    return " (downgraded)"


def _has_memory_bar(device) -> bool:
    """pciutils' device_has_memory_space_bar over the six base_addr/size slots."""
    return any((base or size) and not base & 1 for base, size, _ in bar_fills(device, device.bar_registers, 6))


def render(ctx: RenderContext, cap) -> None:
    """``Express (vN) <type>, MSI nn`` and, with -vv, every register lspci decodes."""
    f = cap.fields
    caps = f.pcie_capabilities
    port_type = f.port_type_raw
    slot = caps.slot_implemented and port_type in exp.SLOT_PORT_TYPES
    version = f"(v{caps.version}) " if ctx.verbose >= 2 else ""
    title = _TYPE_TITLES.get(port_type, f"Unknown type {port_type}")
    if port_type in exp.SLOT_PORT_TYPES:
        title += f" (Slot{pm(caps.slot_implemented)})"
    if ctx.dialect >= V3_11:
        flit = ", FLIT Mode Supported" if ctx.dialect >= V3_14 and caps.flit_mode_supported else ""
        ctx.write(f"Express {version}{title}, IntMsgNum {caps.interrupt_message_number}{flit}\n")
    else:
        ctx.write(f"Express {version}{title}, MSI {caps.interrupt_message_number:02x}\n")
    if ctx.verbose < 2:
        return
    link = port_type not in exp.LINKLESS_PORT_TYPES
    root = port_type in exp.ROOT_PORT_TYPES
    if not cap.readable(4, 32 if root else 24 if slot else 16):
        return
    _device(ctx, f, port_type)
    if link:
        _link(ctx, f, port_type)
    elif ctx.dialect >= V3_13 and ctx.device.rcd_link is not None:
        _rcd_link(ctx, ctx.device.rcd_link)
    if slot:
        _slot(ctx, f.slot_capabilities, f.slot_control, f.slot_status)
    if root:
        _root(ctx, f.root_capabilities, f.root_control, f.root_status)
    if caps.version < 2 or not cap.readable(0x24, 24 if slot else 16):
        return
    _device_2(ctx, f.device_capabilities_2, port_type, _has_memory_bar(ctx.device))
    _device_control_2(ctx, f.device_control_2, port_type)
    if link:
        address = ctx.device.address
        first_function = address.device == 0 and address.function == 0
        _link_2(ctx, f, port_type, port_type not in _ENDPOINTS or first_function)


def _device(ctx: RenderContext, f, port_type: int) -> None:
    cap, ctl, sta = f.device_capabilities, f.device_control, f.device_status
    text = (
        f"\t\tDevCap:\tMaxPayload {cap.max_payload_size_supported} bytes, "
        f"PhantFunc {(1 << cap.phantom_functions_supported) - 1}"
    )
    if port_type in _ENDPOINTS:
        text += (
            f", Latency L0s {_L0S_LATENCY[cap.endpoint_l0s_acceptable_latency]}, "
            f"L1 {_L1_LATENCY[cap.endpoint_l1_acceptable_latency]}"
        )
    text += f"\n\t\t\tExtTag{pm(cap.extended_tag_field_supported)}"
    if port_type in (exp.ENDPOINT, exp.LEGACY_ENDPOINT, exp.UPSTREAM_PORT, exp.PCIE_TO_PCI_BRIDGE):
        text += (
            f" AttnBtn{pm(cap.attention_button_present)} AttnInd{pm(cap.attention_indicator_present)}"
            f" PwrInd{pm(cap.power_indicator_present)}"
        )
    text += f" RBE{pm(cap.role_based_error_reporting)}"
    if port_type in _FLR_TYPES:
        text += f" FLReset{pm(cap.function_level_reset_capability)}"
    if port_type in (exp.ENDPOINT, exp.UPSTREAM_PORT, exp.PCIE_TO_PCI_BRIDGE):
        limit = power_limit(cap.captured_slot_power_limit_value, cap.captured_slot_power_limit_scale)
        text += f" SlotPowerLimit {limit}"
    if ctx.dialect >= V3_12:
        text += f" TEE-IO{pm(cap.tee_io_supported)}"
    ctx.write(text + "\n")

    text = (
        f"\t\tDevCtl:\tCorrErr{pm(ctl.correctable_error_reporting_enable)}"
        f" NonFatalErr{pm(ctl.non_fatal_error_reporting_enable)}"
        f" FatalErr{pm(ctl.fatal_error_reporting_enable)}"
        f" UnsupReq{pm(ctl.unsupported_request_reporting_enable)}\n"
        f"\t\t\tRlxdOrd{pm(ctl.enable_relaxed_ordering)} ExtTag{pm(ctl.extended_tag_field_enable)}"
        f" PhantFunc{pm(ctl.phantom_functions_enable)} AuxPwr{pm(ctl.aux_power_pm_enable)}"
        f" NoSnoop{pm(ctl.enable_no_snoop)}"
    )
    if port_type == exp.PCIE_TO_PCI_BRIDGE:
        text += f" BrConfRtry{pm(ctl.bridge_configuration_retry_enable)}"
    if port_type in _FLR_TYPES and cap.function_level_reset_capability:
        text += f" FLReset{pm(ctl.initiate_function_level_reset)}"
    text += f"\n\t\t\tMaxPayload {ctl.max_payload_size} bytes, MaxReadReq {ctl.max_read_request_size} bytes\n"
    ctx.write(text)

    ctx.write(
        f"\t\tDevSta:\tCorrErr{pm(sta.correctable_error_detected)}"
        f" NonFatalErr{pm(sta.non_fatal_error_detected)} FatalErr{pm(sta.fatal_error_detected)}"
        f" UnsupReq{pm(sta.unsupported_request_detected)} AuxPwr{pm(sta.aux_power_detected)}"
        f" TransPend{pm(sta.transactions_pending)}\n"
    )


def _link(ctx: RenderContext, f, port_type: int) -> None:
    cap, ctl, sta = f.link_capabilities, f.link_control, f.link_status
    speeds = _speeds(ctx)
    ctx.write(_link_capabilities(ctx, cap))

    text = f"\t\tLnkCtl:\tASPM {_ASPM_ENABLED[ctl.aspm_control]};"
    if port_type in (exp.ROOT_PORT, exp.ENDPOINT, exp.LEGACY_ENDPOINT, exp.PCIE_TO_PCI_BRIDGE):
        text += f" RCB {128 if ctl.read_completion_boundary else 64} bytes,"
    disable = "LnkDisable" if ctx.dialect >= V3_11 else "Disabled"
    flit = f" FltModeDis{pm(ctl.flit_mode_disable)}" if ctx.dialect >= V3_14 else ""
    ctx.write(
        f"{text} {disable}{pm(ctl.link_disable)} CommClk{pm(ctl.common_clock_configuration)}\n"
        f"\t\t\tExtSynch{pm(ctl.extended_synch)} ClockPM{pm(ctl.enable_clock_power_management)}"
        f" AutWidDis{pm(ctl.hardware_autonomous_width_disable)}"
        f" BWInt{pm(ctl.link_bandwidth_management_interrupt_enable)}"
        f" AutBWInt{pm(ctl.link_autonomous_bandwidth_interrupt_enable)}{flit}\n"
    )

    speed, width = sta.current_link_speed, sta.negotiated_link_width
    ctx.write(
        f"\t\tLnkSta:\tSpeed {speeds.get(speed, 'unknown')}"
        f"{_link_compare(port_type, speed, cap.max_link_speed)}, "
        f"Width x{width}{_link_compare(port_type, width, cap.maximum_link_width)}\n"
        f"\t\t\tTrErr{pm(sta.link_training_error)} Train{pm(sta.link_training)}"
        f" SlotClk{pm(sta.slot_clock_configuration)} DLActive{pm(sta.data_link_layer_link_active)}"
        f" BWMgmt{pm(sta.link_bandwidth_management_status)}"
        f" ABWMgmt{pm(sta.link_autonomous_bandwidth_status)}\n"
    )


def _speeds(ctx: RenderContext) -> dict[int, str]:
    """Link speed names of the release (3.14 knows 128 GT/s)."""
    return _LINK_SPEED_3_14 if ctx.dialect >= V3_14 else _LINK_SPEED


def _link_capabilities(ctx: RenderContext, cap) -> str:
    """The two LnkCap lines."""
    aspm = cap.aspm_support
    speeds = _speeds(ctx)
    text = (
        f"\t\tLnkCap:\tPort #{cap.port_number}, Speed {speeds.get(cap.max_link_speed, 'unknown')}, "
        f"Width x{cap.maximum_link_width}, ASPM {_ASPM_SUPPORT[aspm]}"
    )
    if aspm:
        latencies = []
        if aspm & 1:
            latencies.append(f"L0s {_L0S_LATENCY[cap.l0s_exit_latency]}")
        if aspm & 2:
            latencies.append(f"L1 {_L1_LATENCY[cap.l1_exit_latency]}")
        text += ", Exit Latency " + ", ".join(latencies)
    return (
        f"{text}\n\t\t\tClockPM{pm(cap.clock_power_management)}"
        f" Surprise{pm(cap.surprise_down_error_reporting_capable)}"
        f" LLActRep{pm(cap.data_link_layer_link_active_reporting_capable)}"
        f" BwNot{pm(cap.link_bandwidth_notification_capability)}"
        f" ASPMOptComp{pm(cap.aspm_optionality_compliance)}\n"
    )


def _rcd_link(ctx: RenderContext, f) -> None:
    """lspci 3.13+'s cap_express_link_rcd: the RCRB link registers of a Restricted CXL Device,
    with 3.9's LnkCtl wording (``Disabled``, no RCB or Flit Mode) and an RCiEP's speed comparison."""
    cap, ctl, sta = f.link_capabilities, f.link_control, f.link_status
    speeds = _speeds(ctx)
    speed, width = sta.current_link_speed, sta.negotiated_link_width
    rciep = exp.ROOT_COMPLEX_INTEGRATED_ENDPOINT
    ctx.write(
        _link_capabilities(ctx, cap)
        + f"\t\tLnkCtl:\tASPM {_ASPM_ENABLED[ctl.aspm_control]}; Disabled{pm(ctl.link_disable)}"
        f" CommClk{pm(ctl.common_clock_configuration)}\n"
        f"\t\t\tExtSynch{pm(ctl.extended_synch)} ClockPM{pm(ctl.enable_clock_power_management)}"
        f" AutWidDis{pm(ctl.hardware_autonomous_width_disable)}"
        f" BWInt{pm(ctl.link_bandwidth_management_interrupt_enable)}"
        f" AutBWInt{pm(ctl.link_autonomous_bandwidth_interrupt_enable)}\n"
        f"\t\tLnkSta:\tSpeed {speeds.get(speed, 'unknown')}{_link_compare(rciep, speed, cap.max_link_speed)}, "
        f"Width x{width}{_link_compare(rciep, width, cap.maximum_link_width)}\n"
        f"\t\t\tTrErr{pm(sta.link_training_error)} Train{pm(sta.link_training)}"
        f" SlotClk{pm(sta.slot_clock_configuration)} DLActive{pm(sta.data_link_layer_link_active)}"
        f" BWMgmt{pm(sta.link_bandwidth_management_status)}"
        f" ABWMgmt{pm(sta.link_autonomous_bandwidth_status)}\n"
    )


def _slot(ctx: RenderContext, cap, ctl, sta) -> None:
    limit = power_limit(cap.slot_power_limit_value, cap.slot_power_limit_scale)
    ctx.write(
        f"\t\tSltCap:\tAttnBtn{pm(cap.attention_button_present)} PwrCtrl{pm(cap.power_controller_present)}"
        f" MRL{pm(cap.mrl_sensor_present)} AttnInd{pm(cap.attention_indicator_present)}"
        f" PwrInd{pm(cap.power_indicator_present)} HotPlug{pm(cap.hot_plug_capable)}"
        f" Surprise{pm(cap.hot_plug_surprise)}\n"
        f"\t\t\tSlot #{cap.physical_slot_number}, PowerLimit {limit};"
        f" Interlock{pm(cap.electromechanical_interlock_present)}"
        f" NoCompl{pm(cap.no_command_completed_support)}\n"
        f"\t\tSltCtl:\tEnable: AttnBtn{pm(ctl.attention_button_pressed_enable)}"
        f" PwrFlt{pm(ctl.power_fault_detected_enable)} MRL{pm(ctl.mrl_sensor_changed_enable)}"
        f" PresDet{pm(ctl.presence_detect_changed_enable)}"
        f" CmdCplt{pm(ctl.command_completed_interrupt_enable)}"
        f" HPIrq{pm(ctl.hot_plug_interrupt_enable)}"
        f" LinkChg{pm(ctl.data_link_layer_state_changed_enable)}\n"
        f"\t\t\tControl: AttnInd {_INDICATOR[ctl.attention_indicator_control]},"
        f" PwrInd {_INDICATOR[ctl.power_indicator_control]}, Power{pm(ctl.power_controller_control)}"
        f" Interlock{pm(ctl.electromechanical_interlock_control)}\n"
        f"\t\tSltSta:\tStatus: AttnBtn{pm(sta.attention_button_pressed)}"
        f" PowerFlt{pm(sta.power_fault_detected)} MRL{pm(sta.mrl_sensor_state)}"
        f" CmdCplt{pm(sta.command_completed)} PresDet{pm(sta.presence_detect_state)}"
        f" Interlock{pm(sta.electromechanical_interlock_status)}\n"
        f"\t\t\tChanged: MRL{pm(sta.mrl_sensor_changed)} PresDet{pm(sta.presence_detect_changed)}"
        f" LinkState{pm(sta.data_link_layer_state_changed)}\n"
    )


def _root(ctx: RenderContext, cap, ctl, sta) -> None:
    ctx.write(
        f"\t\tRootCap: CRSVisible{pm(cap.crs_software_visibility)}\n"
        f"\t\tRootCtl: ErrCorrectable{pm(ctl.system_error_on_correctable_error_enable)}"
        f" ErrNon-Fatal{pm(ctl.system_error_on_non_fatal_error_enable)}"
        f" ErrFatal{pm(ctl.system_error_on_fatal_error_enable)}"
        f" PMEIntEna{pm(ctl.pme_interrupt_enable)} CRSVisible{pm(ctl.crs_software_visibility_enable)}\n"
        f"\t\tRootSta: PME ReqID {sta.pme_requester_id:04x}, PMEStatus{pm(sta.pme_status)}"
        f" PMEPending{pm(sta.pme_pending)}\n"
    )


def _device_2(ctx: RenderContext, cap, port_type: int, has_memory_bar: bool) -> None:
    text = (
        f"\t\tDevCap2: Completion Timeout: "
        f"{_TIMEOUT_RANGES.get(cap.completion_timeout_ranges_supported, 'Unknown')},"
        f" TimeoutDis{pm(cap.completion_timeout_disable_supported)}"
        f" NROPrPrP{pm(cap.no_ro_enabled_pr_pr_passing)} LTR{pm(cap.ltr_mechanism_supported)}"
        f"\n\t\t\t 10BitTagComp{pm(cap.tag_10bit_completer_supported)}"
        f" 10BitTagReq{pm(cap.tag_10bit_requester_supported)}"
        f" OBFF {_OBFF_SUPPORTED[cap.obff_supported]}, ExtFmt{pm(cap.extended_fmt_field_supported)}"
        f" EETLPPrefix{pm(cap.end_end_tlp_prefix_supported)}"
    )
    if cap.end_end_tlp_prefix_supported:
        text += f", MaxEETLPPrefixes {cap.max_end_end_tlp_prefixes or 4}"
    text += (
        f"\n\t\t\t EmergencyPowerReduction "
        f"{_EMERGENCY_POWER_REDUCTION[cap.emergency_power_reduction_supported]},"
        f" EmergencyPowerReductionInit{pm(cap.emergency_power_reduction_initialization_required)}"
        f"\n\t\t\t FRS{pm(cap.frs_supported)}"
    )
    if port_type == exp.ROOT_PORT:
        text += f" LN System CLS {_LN_SYSTEM_CLS[cap.ln_system_cls]},"
    if port_type in (exp.ROOT_PORT, exp.ENDPOINT):
        text += f" {_TPH_COMPLETER[cap.tph_completer_supported]}"
    if port_type in (exp.ROOT_PORT, exp.DOWNSTREAM_PORT):
        text += f" ARIFwd{pm(cap.ari_forwarding_supported)}"
    text += "\n"
    if port_type in _SWITCH_PORTS or has_memory_bar:
        text += "\t\t\t AtomicOpsCap:"
        if port_type in _SWITCH_PORTS:
            text += f" Routing{pm(cap.atomic_op_routing_supported)}"
        if port_type == exp.ROOT_PORT or has_memory_bar:
            text += (
                f" 32bit{pm(cap.atomic_op_32bit_completer_supported)}"
                f" 64bit{pm(cap.atomic_op_64bit_completer_supported)}"
                f" 128bitCAS{pm(cap.cas_128bit_completer_supported)}"
            )
        text += "\n"
    ctx.write(text)


def _device_control_2(ctx: RenderContext, ctl, port_type: int) -> None:
    text = (
        f"\t\tDevCtl2: Completion Timeout: {_TIMEOUT_VALUES.get(ctl.completion_timeout_value, 'Unknown')},"
        f" TimeoutDis{pm(ctl.completion_timeout_disable)}"
    )
    if ctx.dialect < V3_11:
        text += (
            f" LTR{pm(ctl.ltr_mechanism_enable)} 10BitTagReq{pm(ctl.tag_10bit_requester_enable)}"
            f" OBFF {_OBFF_ENABLED[ctl.obff_enable]},"
        )
    if port_type in (exp.ROOT_PORT, exp.DOWNSTREAM_PORT):
        text += f" ARIFwd{pm(ctl.ari_forwarding_enable)}"
    text += "\n"
    requester = port_type in (exp.ROOT_PORT, exp.ENDPOINT, exp.ROOT_COMPLEX_INTEGRATED_ENDPOINT,
                              exp.LEGACY_ENDPOINT)
    if requester or port_type in _SWITCH_PORTS:
        text += "\t\t\t AtomicOpsCtl:"
        if requester:
            text += f" ReqEn{pm(ctl.atomic_op_requester_enable)}"
        if port_type in _SWITCH_PORTS:
            text += f" EgressBlck{pm(ctl.atomic_op_egress_blocking)}"
        text += "\n"
    if ctx.dialect >= V3_11:  # the rest in the spec's bit order, on two more lines
        text += (
            f"\t\t\t IDOReq{pm(ctl.ido_request_enable)} IDOCompl{pm(ctl.ido_completion_enable)}"
            f" LTR{pm(ctl.ltr_mechanism_enable)}"
            f" EmergencyPowerReductionReq{pm(ctl.emergency_power_reduction_request)}\n"
            f"\t\t\t 10BitTagReq{pm(ctl.tag_10bit_requester_enable)} OBFF {_OBFF_ENABLED[ctl.obff_enable]},"
            f" EETLPPrefixBlk{pm(ctl.end_end_tlp_prefix_blocking)}\n"
        )
    ctx.write(text)


def _speed_vector(vector: int, dialect) -> str:
    """Supported Link Speeds as the highest contiguous range (lspci's reading of the vector)."""
    if dialect >= V3_14 and vector & 0x40:
        return "2.5-128GT/s"
    if vector & (0x40 if dialect >= V3_11 else 0x60):
        return "RsvdP"
    if vector & 0x20:
        return "2.5-64GT/s"
    for bit, text in ((0x10, "2.5-32GT/s"), (0x08, "2.5-16GT/s"), (0x04, "2.5-8GT/s"),
                      (0x02, "2.5-5GT/s"), (0x01, "2.5GT/s")):
        if vector & bit:
            return text
    return "Unknown"


def _link_2(ctx: RenderContext, f, port_type: int, shows_link_2: bool) -> None:
    """LnkCap2/LnkCtl2 (which lspci skips for endpoints other than 00.0) and LnkSta2."""
    cap = f.link_capabilities_2
    drs_supported = False
    if shows_link_2:
        drs_supported = cap.drs_supported
        if cap.raw:
            ctx.write(
                f"\t\tLnkCap2: Supported Link Speeds: {_speed_vector(cap.supported_link_speeds_vector, ctx.dialect)},"
                f" Crosslink{pm(cap.crosslink_supported)}"
                f" Retimer{pm(cap.retimer_presence_detect_supported)}"
                f" 2Retimers{pm(cap.two_retimers_presence_detect_supported)} DRS{pm(cap.drs_supported)}\n"
            )
        ctl = f.link_control_2
        targets = _TARGET_SPEED_3_14 if ctx.dialect >= V3_14 else _TARGET_SPEED
        text = (
            f"\t\tLnkCtl2: Target Link Speed: {targets.get(ctl.target_link_speed, 'Unknown')},"
            f" EnterCompliance{pm(ctl.enter_compliance)} SpeedDis{pm(ctl.hardware_autonomous_speed_disable)}"
        )
        if port_type == exp.DOWNSTREAM_PORT:
            text += f", Selectable De-emphasis: {_DE_EMPHASIS[ctl.selectable_de_emphasis]}"
        ctx.write(
            f"{text}\n\t\t\t Transmit Margin: {_TRANSMIT_MARGIN.get(ctl.transmit_margin, 'Unknown')},"
            f" EnterModifiedCompliance{pm(ctl.enter_modified_compliance)}"
            f" ComplianceSOS{pm(ctl.compliance_sos)}\n"
            f"\t\t\t Compliance Preset/De-emphasis: "
            f"{_COMPLIANCE_PRESETS.get(ctl.compliance_preset_de_emphasis, 'Unknown')}\n"
        )
    sta = f.link_status_2
    text = (
        f"\t\tLnkSta2: Current De-emphasis Level: {_DE_EMPHASIS[sta.current_de_emphasis_level]},"
        f" EqualizationComplete{pm(sta.equalization_complete)}"
        f" EqualizationPhase1{pm(sta.equalization_phase_1_successful)}\n"
        f"\t\t\t EqualizationPhase2{pm(sta.equalization_phase_2_successful)}"
        f" EqualizationPhase3{pm(sta.equalization_phase_3_successful)}"
        f" LinkEqualizationRequest{pm(sta.link_equalization_request)}\n"
        f"\t\t\t Retimer{pm(sta.retimer_presence_detected)} 2Retimers{pm(sta.two_retimers_presence_detected)}"
        f" CrosslinkRes: {_CROSSLINK_RESOLUTION[sta.crosslink_resolution]}"
    )
    if ctx.dialect >= V3_14:
        text += f", FltMode{pm(sta.flit_mode_status)}"
    if port_type in _DOWNSTREAM_PORTS and drs_supported:
        component = _DOWNSTREAM_COMPONENT.get(sta.downstream_component_presence, "Reserved")
        text += f", DRS{pm(sta.drs_message_received)}\n\t\t\t DownstreamComp: {component}"
    ctx.write(text + "\n")
