"""PCI Express capability (ID 0x10): device, link, slot and root registers, and their "2" forms.

Which registers a function implements depends on its Device/Port Type, the Slot
Implemented bit and the capability version; registers a function does not have
(or that cannot be read) decode to None.
"""
from __future__ import annotations

from functools import lru_cache

from construct import Computed, Container, Default, Int8ul, Int16ul, Int32ul, Padding, Struct

from ..attributes import HWINIT, RSVDZ, RW, RW1C, RWS, FieldBits, Not, all_of, has, port_in
from ..bits import Bit, Bits, Register
from ..context import DecodeContext
from ..port_types import (  # re-exported: callers name the port types as this capability's values
    DOWNSTREAM_PORT, ENDPOINT, LEGACY_ENDPOINT, PCI_TO_PCIE_BRIDGE, PCIE_TO_PCI_BRIDGE, PORT_TYPE_NAMES,
    ROOT_COMPLEX_EVENT_COLLECTOR, ROOT_COMPLEX_INTEGRATED_ENDPOINT, ROOT_PORT, UPSTREAM_PORT,
)

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import NamedTuple, Optional
else:
    from ...tuples import NamedTuple

CAP_ID = 0x10

# Ports whose Slot Implemented bit is meaningful (lspci also honours it for PCI/PCI-X to PCIe bridges).
SLOT_PORT_TYPES = frozenset({ROOT_PORT, DOWNSTREAM_PORT, PCI_TO_PCIE_BRIDGE})
ROOT_PORT_TYPES = frozenset({ROOT_PORT, ROOT_COMPLEX_EVENT_COLLECTOR})
LINKLESS_PORT_TYPES = frozenset({ROOT_COMPLEX_INTEGRATED_ENDPOINT, ROOT_COMPLEX_EVENT_COLLECTOR})

# Link speed encodings shared by Max Link Speed, Current Link Speed and Target Link Speed.
LINK_SPEED_GTS: dict[int, float] = {1: 2.5, 2: 5.0, 3: 8.0, 4: 16.0, 5: 32.0, 6: 64.0}

PCIE_CAPABILITIES = Register(
    Int16ul,
    Bits("version", 0, 4),
    Bits("device_port_type", 4, 4),
    Bit("slot_implemented", 8),
    Bits("interrupt_message_number", 9, 5),
    Bit("flit_mode_supported", 15),
)

DEVICE_CAPABILITIES = Register(
    Int32ul,
    Bits("max_payload_size_supported_raw", 0, 3),
    Bits("phantom_functions_supported", 3, 2),
    Bit("extended_tag_field_supported", 5),
    Bits("endpoint_l0s_acceptable_latency", 6, 3),
    Bits("endpoint_l1_acceptable_latency", 9, 3),
    Bit("attention_button_present", 12),
    Bit("attention_indicator_present", 13),
    Bit("power_indicator_present", 14),
    Bit("role_based_error_reporting", 15),
    Bits("captured_slot_power_limit_value", 18, 8),
    Bits("captured_slot_power_limit_scale", 26, 2),
    Bit("function_level_reset_capability", 28),
    Bit("tee_io_supported", 30),
)

# Device Control resets to 0x2810: Relaxed Ordering and No Snoop enabled, 512-byte read requests.
DEVICE_CONTROL = Register(
    Int16ul,
    Bit("correctable_error_reporting_enable", 0, RW),
    Bit("non_fatal_error_reporting_enable", 1, RW),
    Bit("fatal_error_reporting_enable", 2, RW),
    Bit("unsupported_request_reporting_enable", 3, RW),
    Bit("enable_relaxed_ordering", 4, RW, reset=1),
    Bits("max_payload_size_raw", 5, 3, access=RW),
    Bit("extended_tag_field_enable", 8, RW, when=has("device_capabilities.extended_tag_field_supported")),
    Bit("phantom_functions_enable", 9, RW, when=has("device_capabilities.phantom_functions_supported")),
    Bit("aux_power_pm_enable", 10, RWS),
    Bit("enable_no_snoop", 11, RW, reset=1),
    Bits("max_read_request_size_raw", 12, 3, access=RW, reset=2),
    # Bit 15 is Bridge Configuration Retry Enable in PCIe-to-PCI bridges, Initiate FLR elsewhere.
    Bit("bridge_configuration_retry_enable", 15, RW, when=port_in(PCIE_TO_PCI_BRIDGE)),
    Bit("initiate_function_level_reset", 15, RW, when=has("device_capabilities.function_level_reset_capability")),
)

DEVICE_STATUS = Register(
    Int16ul,
    Bit("correctable_error_detected", 0, RW1C),
    Bit("non_fatal_error_detected", 1, RW1C),
    Bit("fatal_error_detected", 2, RW1C),
    Bit("unsupported_request_detected", 3, RW1C),
    Bit("aux_power_detected", 4),
    Bit("transactions_pending", 5),
    Bit("emergency_power_reduction_detected", 6, RW1C),
    reserved=RSVDZ,
)

LINK_CAPABILITIES = Register(
    Int32ul,
    Bits("max_link_speed", 0, 4),
    Bits("maximum_link_width", 4, 6),
    Bits("aspm_support", 10, 2),
    Bits("l0s_exit_latency", 12, 3),
    Bits("l1_exit_latency", 15, 3),
    Bit("clock_power_management", 18),
    Bit("surprise_down_error_reporting_capable", 19),
    Bit("data_link_layer_link_active_reporting_capable", 20),
    Bit("link_bandwidth_notification_capability", 21),
    Bit("aspm_optionality_compliance", 22),
    Bits("port_number", 24, 8),
)

# Ports on the downstream side of a link: they own Link Disable, Retrain Link, bandwidth notification.
DOWNSTREAM_SIDE = port_in(ROOT_PORT, DOWNSTREAM_PORT, PCI_TO_PCIE_BRIDGE)
_BANDWIDTH_NOTIFICATION = all_of(DOWNSTREAM_SIDE, has("link_capabilities.link_bandwidth_notification_capability"))

LINK_CONTROL = Register(
    Int16ul,
    # ASPM Control: one bit per ASPM state the link supports (bit 0 L0s, bit 1 L1, as ASPM Support).
    Bits("aspm_control", 0, 2, access=RW, when=FieldBits("link_capabilities.aspm_support")),
    Bit("read_completion_boundary", 3, RW, when=Not(port_in(ROOT_PORT))),
    Bit("link_disable", 4, RW, when=DOWNSTREAM_SIDE),
    Bit("retrain_link", 5),  # RW on downstream ports, but always reads 0
    Bit("common_clock_configuration", 6, RW),
    Bit("extended_synch", 7, RW),
    Bit("enable_clock_power_management", 8, RW, when=has("link_capabilities.clock_power_management")),
    Bit("hardware_autonomous_width_disable", 9, RW),
    Bit("link_bandwidth_management_interrupt_enable", 10, RW, when=_BANDWIDTH_NOTIFICATION),
    Bit("link_autonomous_bandwidth_interrupt_enable", 11, RW, when=_BANDWIDTH_NOTIFICATION),
    Bit("flit_mode_disable", 13, RW, when=has("pcie_capabilities.flit_mode_supported")),
    Bits("drs_signaling_control", 14, 2, access=RW, when=all_of(DOWNSTREAM_SIDE, has("link_capabilities_2.drs_supported"))),
)

LINK_STATUS = Register(
    Int16ul,
    Bits("current_link_speed", 0, 4),
    Bits("negotiated_link_width", 4, 6),
    Bit("link_training_error", 10),
    Bit("link_training", 11),
    Bit("slot_clock_configuration", 12),
    Bit("data_link_layer_link_active", 13),
    Bit("link_bandwidth_management_status", 14, RW1C, when=_BANDWIDTH_NOTIFICATION),
    Bit("link_autonomous_bandwidth_status", 15, RW1C, when=_BANDWIDTH_NOTIFICATION),
    reserved=RSVDZ,
)

SLOT_CAPABILITIES = Register(
    Int32ul,
    Bit("attention_button_present", 0),
    Bit("power_controller_present", 1),
    Bit("mrl_sensor_present", 2),
    Bit("attention_indicator_present", 3),
    Bit("power_indicator_present", 4),
    Bit("hot_plug_surprise", 5),
    Bit("hot_plug_capable", 6),
    Bits("slot_power_limit_value", 7, 8),
    Bits("slot_power_limit_scale", 15, 2),
    Bit("electromechanical_interlock_present", 17),
    Bit("no_command_completed_support", 18),
    Bits("physical_slot_number", 19, 13),
)

# Slot Control fields exist as the Slot Capabilities advertise the slot's features (PCIe 7.5.3.10).
_SLOT_HAS = {name: has(f"slot_capabilities.{name}") for name in (
    "attention_button_present", "power_controller_present", "mrl_sensor_present",
    "attention_indicator_present", "power_indicator_present", "hot_plug_capable",
    "electromechanical_interlock_present",
)}

SLOT_CONTROL = Register(
    Int16ul,
    Bit("attention_button_pressed_enable", 0, RW, when=_SLOT_HAS["attention_button_present"]),
    Bit("power_fault_detected_enable", 1, RW, when=_SLOT_HAS["power_controller_present"]),
    Bit("mrl_sensor_changed_enable", 2, RW, when=_SLOT_HAS["mrl_sensor_present"]),
    Bit("presence_detect_changed_enable", 3, RW),
    Bit("command_completed_interrupt_enable", 4, RW, when=all_of(
        _SLOT_HAS["hot_plug_capable"], Not(has("slot_capabilities.no_command_completed_support")))),
    Bit("hot_plug_interrupt_enable", 5, RW, when=_SLOT_HAS["hot_plug_capable"]),
    Bits("attention_indicator_control", 6, 2, access=RW, reset=3, when=_SLOT_HAS["attention_indicator_present"]),
    Bits("power_indicator_control", 8, 2, access=RW, reset=3, when=_SLOT_HAS["power_indicator_present"]),
    Bit("power_controller_control", 10, RW, when=_SLOT_HAS["power_controller_present"]),
    Bit("electromechanical_interlock_control", 11),  # a pulse: writes act, reads return 0
    Bit("data_link_layer_state_changed_enable", 12, RW,
        when=has("link_capabilities.data_link_layer_link_active_reporting_capable")),
    Bit("auto_slot_power_limit_disable", 13),  # RsvdP where the mechanism is not supported (no capability bit)
    Bit("in_band_pd_disable", 14, RW, when=has("slot_capabilities_2.in_band_pd_disable_supported")),
)

SLOT_STATUS = Register(
    Int16ul,
    Bit("attention_button_pressed", 0, RW1C),
    Bit("power_fault_detected", 1, RW1C),
    Bit("mrl_sensor_changed", 2, RW1C),
    Bit("presence_detect_changed", 3, RW1C),
    Bit("command_completed", 4, RW1C),
    Bit("mrl_sensor_state", 5),
    Bit("presence_detect_state", 6),
    Bit("electromechanical_interlock_status", 7),
    Bit("data_link_layer_state_changed", 8, RW1C),
    reserved=RSVDZ,
)

# Root Control/Capabilities/Status exist on Root Ports and Root Complex Event Collectors only
# (implemented_registers); decoded as None elsewhere, so they have no attributes there.
ROOT_CONTROL = Register(
    Int16ul,
    Bit("system_error_on_correctable_error_enable", 0, RW),
    Bit("system_error_on_non_fatal_error_enable", 1, RW),
    Bit("system_error_on_fatal_error_enable", 2, RW),
    Bit("pme_interrupt_enable", 3, RW),
    Bit("crs_software_visibility_enable", 4, RW, when=has("root_capabilities.crs_software_visibility")),
)

ROOT_CAPABILITIES = Register(Int16ul, Bit("crs_software_visibility", 0))

ROOT_STATUS = Register(
    Int32ul,
    Bits("pme_requester_id", 0, 16),
    Bit("pme_status", 16, RW1C),
    Bit("pme_pending", 17),
    reserved=RSVDZ,
)

DEVICE_CAPABILITIES_2 = Register(
    Int32ul,
    Bits("completion_timeout_ranges_supported", 0, 4),
    Bit("completion_timeout_disable_supported", 4),
    Bit("ari_forwarding_supported", 5),
    Bit("atomic_op_routing_supported", 6),
    Bit("atomic_op_32bit_completer_supported", 7),
    Bit("atomic_op_64bit_completer_supported", 8),
    Bit("cas_128bit_completer_supported", 9),
    Bit("no_ro_enabled_pr_pr_passing", 10),
    Bit("ltr_mechanism_supported", 11),
    Bits("tph_completer_supported", 12, 2),
    Bits("ln_system_cls", 14, 2),
    Bit("tag_10bit_completer_supported", 16),
    Bit("tag_10bit_requester_supported", 17),
    Bits("obff_supported", 18, 2),
    Bit("extended_fmt_field_supported", 20),
    Bit("end_end_tlp_prefix_supported", 21),
    Bits("max_end_end_tlp_prefixes", 22, 2),
    Bits("emergency_power_reduction_supported", 24, 2),
    Bit("emergency_power_reduction_initialization_required", 26),
    Bit("frs_supported", 31),
)

_CAP2 = "device_capabilities_2."

DEVICE_CONTROL_2 = Register(
    Int16ul,
    Bits("completion_timeout_value", 0, 4, access=RW, when=has(_CAP2 + "completion_timeout_ranges_supported")),
    Bit("completion_timeout_disable", 4, RW, when=has(_CAP2 + "completion_timeout_disable_supported")),
    Bit("ari_forwarding_enable", 5, RW, when=has(_CAP2 + "ari_forwarding_supported")),
    Bit("atomic_op_requester_enable", 6, RW, when=Not(port_in(UPSTREAM_PORT, DOWNSTREAM_PORT))),
    Bit("atomic_op_egress_blocking", 7, RW, when=has(_CAP2 + "atomic_op_routing_supported")),
    Bit("ido_request_enable", 8, RW),
    Bit("ido_completion_enable", 9, RW),
    Bit("ltr_mechanism_enable", 10, RW, when=has(_CAP2 + "ltr_mechanism_supported")),
    Bit("emergency_power_reduction_request", 11, RW, when=has(_CAP2 + "emergency_power_reduction_supported")),
    Bit("tag_10bit_requester_enable", 12, RW, when=has(_CAP2 + "tag_10bit_requester_supported")),
    Bits("obff_enable", 13, 2, access=RW, when=has(_CAP2 + "obff_supported")),
    Bit("end_end_tlp_prefix_blocking", 15, RW, when=has(_CAP2 + "end_end_tlp_prefix_supported")),
)

DEVICE_STATUS_2 = Register(Int16ul)

LINK_CAPABILITIES_2 = Register(
    Int32ul,
    Bits("supported_link_speeds_vector", 1, 7),
    Bit("crosslink_supported", 8),
    Bits("lower_skp_os_generation_supported_speeds_vector", 9, 7),
    Bits("lower_skp_os_reception_supported_speeds_vector", 16, 7),
    Bit("retimer_presence_detect_supported", 23),
    Bit("two_retimers_presence_detect_supported", 24),
    Bit("drs_supported", 31),
)

# Link Control 2 is sticky (RWS): its settings survive FLR and hot reset.
LINK_CONTROL_2 = Register(
    Int16ul,
    Bits("target_link_speed", 0, 4, access=RWS),
    Bit("enter_compliance", 4, RWS),
    Bit("hardware_autonomous_speed_disable", 5, RWS),
    Bit("selectable_de_emphasis", 6, HWINIT),
    Bits("transmit_margin", 7, 3, access=RWS),
    Bit("enter_modified_compliance", 10, RWS),
    Bit("compliance_sos", 11, RWS),
    Bits("compliance_preset_de_emphasis", 12, 4, access=RWS),
)

LINK_STATUS_2 = Register(
    Int16ul,
    Bit("current_de_emphasis_level", 0),
    Bit("equalization_complete", 1),
    Bit("equalization_phase_1_successful", 2),
    Bit("equalization_phase_2_successful", 3),
    Bit("equalization_phase_3_successful", 4),
    Bit("link_equalization_request", 5, RW1C),
    Bit("retimer_presence_detected", 6),
    Bit("two_retimers_presence_detected", 7),
    Bits("crosslink_resolution", 8, 2),
    Bit("flit_mode_status", 10),
    Bits("downstream_component_presence", 12, 3),
    Bit("drs_message_received", 15),
)

SLOT_CAPABILITIES_2 = Register(Int32ul, Bit("in_band_pd_disable_supported", 0))


def decode_rcd_link(capabilities: int, control: int, status: int) -> Container:
    """A Restricted CXL Device's link registers (from its RCRB, as the kernel reports them),
    in the layout of the PCI Express capability's Link Capabilities/Control/Status."""
    return Container(
        link_capabilities=LINK_CAPABILITIES.decode(capabilities & 0xFFFFFFFF),
        link_control=LINK_CONTROL.decode(control & 0xFFFF),
        link_status=LINK_STATUS.decode(status & 0xFFFF),
    )
SLOT_CONTROL_2 = Register(Int16ul)
SLOT_STATUS_2 = Register(Int16ul)

# (name, offset, width, register) in layout order (tests check the offsets against the widths).
REGISTERS = (
    ("pcie_capabilities", 0x02, 2, PCIE_CAPABILITIES),
    ("device_capabilities", 0x04, 4, DEVICE_CAPABILITIES),
    ("device_control", 0x08, 2, DEVICE_CONTROL),
    ("device_status", 0x0A, 2, DEVICE_STATUS),
    ("link_capabilities", 0x0C, 4, LINK_CAPABILITIES),
    ("link_control", 0x10, 2, LINK_CONTROL),
    ("link_status", 0x12, 2, LINK_STATUS),
    ("slot_capabilities", 0x14, 4, SLOT_CAPABILITIES),
    ("slot_control", 0x18, 2, SLOT_CONTROL),
    ("slot_status", 0x1A, 2, SLOT_STATUS),
    ("root_control", 0x1C, 2, ROOT_CONTROL),
    ("root_capabilities", 0x1E, 2, ROOT_CAPABILITIES),
    ("root_status", 0x20, 4, ROOT_STATUS),
    ("device_capabilities_2", 0x24, 4, DEVICE_CAPABILITIES_2),
    ("device_control_2", 0x28, 2, DEVICE_CONTROL_2),
    ("device_status_2", 0x2A, 2, DEVICE_STATUS_2),
    ("link_capabilities_2", 0x2C, 4, LINK_CAPABILITIES_2),
    ("link_control_2", 0x30, 2, LINK_CONTROL_2),
    ("link_status_2", 0x32, 2, LINK_STATUS_2),
    ("slot_capabilities_2", 0x34, 4, SLOT_CAPABILITIES_2),
    ("slot_control_2", 0x38, 2, SLOT_CONTROL_2),
    ("slot_status_2", 0x3A, 2, SLOT_STATUS_2),
)

# Every register defaults to 0 so fixtures can build a capability from a few fields.
SCHEMA = Struct(
    "cap_id" / Default(Int8ul, CAP_ID),
    "next" / Default(Int8ul, 0),
    *(name / Default(register, 0) for name, _, _, register in REGISTERS),
)

_LINK = ("link_capabilities", "link_control", "link_status")
_SLOT = ("slot_capabilities", "slot_control", "slot_status")
_ROOT = ("root_control", "root_capabilities", "root_status")
_LINK_2 = ("link_capabilities_2", "link_control_2", "link_status_2")
_SLOT_2 = ("slot_capabilities_2", "slot_control_2", "slot_status_2")
_DEVICE_2 = ("device_capabilities_2", "device_control_2", "device_status_2")


@lru_cache(maxsize=None)
def implemented_registers(port_type: int, slot_implemented: bool, version: int) -> frozenset[str]:
    """Names of the registers a function of this type and capability version has."""
    names = {"pcie_capabilities", "device_capabilities", "device_control", "device_status"}
    has_link = port_type not in LINKLESS_PORT_TYPES
    has_slot = slot_implemented and port_type in SLOT_PORT_TYPES
    if has_link:
        names.update(_LINK)
    if has_slot:
        names.update(_SLOT)
    if port_type in ROOT_PORT_TYPES:
        names.update(_ROOT)
    if version >= 2:
        names.update(_DEVICE_2)
        if has_link:
            names.update(_LINK_2)
        if has_slot:
            names.update(_SLOT_2)
    return frozenset(names)


def slot_power_watts(value: int, scale: int) -> Optional[float]:
    """A (value, scale) power limit in watts; None for the open-ended "greater than 600 W"."""
    if scale == 0 and value == 0xFF:
        return None
    if scale == 0 and 0xF0 <= value <= 0xFE:
        value = 250 + 25 * (value - 0xF0)
    return value / 10**scale


def _add_derived(fields: Container) -> None:
    """Byte sizes and watts next to their raw encodings (item access: Container attributes are slow)."""
    devcap = fields["device_capabilities"]
    if devcap is not None:
        devcap["max_payload_size_supported"] = 128 << devcap["max_payload_size_supported_raw"]
        devcap["captured_slot_power_limit_watts"] = slot_power_watts(
            devcap["captured_slot_power_limit_value"], devcap["captured_slot_power_limit_scale"]
        )
    devctl = fields["device_control"]
    if devctl is not None:
        devctl["max_payload_size"] = 128 << devctl["max_payload_size_raw"]
        devctl["max_read_request_size"] = 128 << devctl["max_read_request_size_raw"]
    sltcap = fields["slot_capabilities"]
    if sltcap is not None:
        sltcap["slot_power_limit_watts"] = slot_power_watts(
            sltcap["slot_power_limit_value"], sltcap["slot_power_limit_scale"]
        )


def _add_summary(fields: Container, port_type: int) -> None:
    """The summary keys the JSON contract promises at the top level."""
    fields["port_type"] = PORT_TYPE_NAMES.get(port_type, "reserved")
    fields["port_type_raw"] = port_type
    fields["version"] = fields["pcie_capabilities"]["version"]
    lnkcap, lnksta = fields["link_capabilities"], fields["link_status"]
    has_cap, has_sta = lnkcap is not None, lnksta is not None
    fields["max_link_speed_gts"] = LINK_SPEED_GTS.get(lnkcap["max_link_speed"]) if has_cap else None
    fields["max_link_width"] = lnkcap["maximum_link_width"] if has_cap else None
    fields["link_speed_gts"] = LINK_SPEED_GTS.get(lnksta["current_link_speed"]) if has_sta else None
    fields["link_width"] = lnksta["negotiated_link_width"] if has_sta else None


class Layout(NamedTuple):
    """The registers one kind of function implements, the Struct that parses just those, their end."""

    present: frozenset[str]
    struct: Struct
    end: int


_layouts: dict[frozenset[str], Layout] = {}


_DEVICE_PORT_TYPE = PCIE_CAPABILITIES.field("device_port_type")
_SLOT_IMPLEMENTED = PCIE_CAPABILITIES.field("slot_implemented")
_VERSION = PCIE_CAPABILITIES.field("version")
_MAXIMUM_LINK_WIDTH = LINK_CAPABILITIES.field("maximum_link_width")
_LOWER_SKP_OS_GENERATION = LINK_CAPABILITIES_2.field("lower_skp_os_generation_supported_speeds_vector")
_PLACES = {name: (offset, width) for name, offset, width, _ in REGISTERS}


def port_type_of(pcie_capabilities: int) -> int:
    """The Device/Port Type in a PCI Express Capabilities register value (the word at +2)."""
    return _DEVICE_PORT_TYPE.decode(pcie_capabilities)


def _register_raw(image: bytes, size: int, offset: int, name: str) -> Optional[int]:
    """The value of register ``name`` of the PCI Express capability at ``offset``; None when the function
    does not implement it (its port type or capability version) or it is unreadable."""
    rel, width = _PLACES[name]
    start = offset + rel
    if offset + 4 > size or start + width > size:
        return None
    capabilities = int.from_bytes(image[offset + 2:offset + 4], "little")
    if name not in implemented_registers(_DEVICE_PORT_TYPE.decode(capabilities), _SLOT_IMPLEMENTED.decode(capabilities),
                                         _VERSION.decode(capabilities)):
        return None
    return int.from_bytes(image[start:start + width], "little")


def link_width(image: bytes, size: int, offset: int) -> Optional[int]:
    """Maximum Link Width of the PCI Express capability at ``offset`` (None when Link Capabilities is unreadable)."""
    rel, width = _PLACES["link_capabilities"]
    start = offset + rel
    if start + width > size:
        return None
    return _MAXIMUM_LINK_WIDTH.decode(int.from_bytes(image[start:start + width], "little"))


def lower_skp_os_generation_speeds(image: bytes, size: int, offset: int) -> Optional[int]:
    """Link Capabilities 2's Lower SKP OS Generation Supported Speeds Vector of the PCI Express
    capability at ``offset`` (None without Link Capabilities 2: a version 1 capability, no link)."""
    raw = _register_raw(image, size, offset, "link_capabilities_2")
    return _LOWER_SKP_OS_GENERATION.decode(raw) if raw is not None else None


@lru_cache(maxsize=None)
def layout(port_type: int, slot_implemented: bool, version: int) -> Layout:
    """SCHEMA's layout with the registers this function lacks skipped (decoded as None).

    Register containers are the costly part of a parse, so each combination of
    implemented registers gets one Struct, shared and so compiled once.
    """
    present = implemented_registers(port_type, slot_implemented, version)
    found = _layouts.get(present)
    if found is None:
        members = ["cap_id" / Int8ul, "next" / Int8ul]
        for name, _, width, register in REGISTERS:
            if name in present:
                members.append(name / register)
            else:
                members += [name / Computed(None), Padding(width)]
        end = max(offset + width for name, offset, width, _ in REGISTERS if name in present)
        found = _layouts[present] = Layout(present, Struct(*members), end)
    return found


def decode(ctx: DecodeContext) -> Container:
    """Decode the registers this function implements; the others are None."""
    word = ctx.u16(0x02)
    port_type = port_type_of(word)
    shape = layout(port_type, bool(word & 0x100), word & 0xF)
    fields = ctx.parse(shape.struct)
    problems: list[str] = []
    if port_type not in PORT_TYPE_NAMES:
        problems.append(f"reserved Device/Port Type {port_type}")
    if not ctx.readable(0, shape.end):
        for name, offset, width, _ in REGISTERS:
            if name in shape.present and not ctx.readable(offset, width):
                fields[name] = None
                problems.append(f"{name} at +0x{offset:02x} is not readable")
    _add_derived(fields)
    _add_summary(fields, port_type)
    fields["problems"] = problems
    return fields
