"""Advanced Error Reporting extended capability (ID 0x0001).

Root Ports and Root Complex Event Collectors add the Root Error Command,
Root Error Status and Error Source Identification registers; for other
functions ``root`` decodes to None.
"""
from __future__ import annotations

from construct import Array, Container, Int32ul, Struct

from ..attributes import RSVDZ, RW, RW1CS, RWS, has
from ..bits import Bit, Bits, Register
from ..caps.express import ROOT_PORT_TYPES
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

# Uncorrectable Error Status, Mask and Severity share one layout.
UNCORRECTABLE_ERRORS = Register(
    Int32ul,
    Bit("data_link_protocol_error", 4),
    Bit("surprise_down_error", 5),
    Bit("poisoned_tlp_received", 12),
    Bit("flow_control_protocol_error", 13),
    Bit("completion_timeout", 14),
    Bit("completer_abort", 15),
    Bit("unexpected_completion", 16),
    Bit("receiver_overflow", 17),
    Bit("malformed_tlp", 18),
    Bit("ecrc_error", 19),
    Bit("unsupported_request_error", 20),
    Bit("acs_violation", 21),
    Bit("uncorrectable_internal_error", 22),
    Bit("mc_blocked_tlp", 23),
    Bit("atomicop_egress_blocked", 24),
    Bit("tlp_prefix_blocked_error", 25),
    Bit("poisoned_tlp_egress_blocked", 26),
    Bit("dmwr_request_egress_blocked", 27),
    Bit("ide_check_failed", 28),
    Bit("misrouted_ide_tlp", 29),
    Bit("pcrc_check_failed", 30),
    Bit("tlp_translation_egress_blocked", 31),
)

# Correctable Error Status and Mask share one layout.
CORRECTABLE_ERRORS = Register(
    Int32ul,
    Bit("receiver_error", 0),
    Bit("bad_tlp", 6),
    Bit("bad_dllp", 7),
    Bit("replay_num_rollover", 8),
    Bit("replay_timer_timeout", 12),
    Bit("advisory_non_fatal_error", 13),
    Bit("corrected_internal_error", 14),
    Bit("header_log_overflow", 15),
)

# Status registers are RW1CS, masks and severity RWS (PCIe 7.8.4); severity resets to the spec's
# defaults: Data Link Protocol, Surprise Down, Flow Control Protocol, Receiver Overflow,
# Malformed TLP and Uncorrectable Internal errors are fatal.
UNCORRECTABLE_ERROR_STATUS = UNCORRECTABLE_ERRORS.retyped(RW1CS)
UNCORRECTABLE_ERROR_MASK = UNCORRECTABLE_ERRORS.retyped(RWS, {"uncorrectable_internal_error": 1})
UNCORRECTABLE_ERROR_SEVERITY = UNCORRECTABLE_ERRORS.retyped(RWS, dict.fromkeys((
    "data_link_protocol_error", "surprise_down_error", "flow_control_protocol_error",
    "receiver_overflow", "malformed_tlp", "uncorrectable_internal_error"), 1))
CORRECTABLE_ERROR_STATUS = CORRECTABLE_ERRORS.retyped(RW1CS)
CORRECTABLE_ERROR_MASK = CORRECTABLE_ERRORS.retyped(RWS, {"advisory_non_fatal_error": 1,
                                                          "corrected_internal_error": 1,
                                                          "header_log_overflow": 1})

CAPABILITIES_AND_CONTROL = Register(
    Int32ul,
    Bits("first_error_pointer", 0, 5),
    Bit("ecrc_generation_capable", 5),
    Bit("ecrc_generation_enable", 6, RWS, when=has("capabilities_and_control.ecrc_generation_capable")),
    Bit("ecrc_check_capable", 7),
    Bit("ecrc_check_enable", 8, RWS, when=has("capabilities_and_control.ecrc_check_capable")),
    Bit("multiple_header_recording_capable", 9),
    Bit("multiple_header_recording_enable", 10, RWS,
        when=has("capabilities_and_control.multiple_header_recording_capable")),
    Bit("tlp_prefix_log_present", 11),
    Bit("completion_timeout_prefix_header_log_capable", 12),
)

# Root registers exist on Root Ports and Root Complex Event Collectors only (``root`` is None elsewhere).
ROOT_ERROR_COMMAND = Register(
    Int32ul,
    Bit("correctable_error_reporting_enable", 0, RW),
    Bit("non_fatal_error_reporting_enable", 1, RW),
    Bit("fatal_error_reporting_enable", 2, RW),
)

ROOT_ERROR_STATUS = Register(
    Int32ul,
    Bit("err_cor_received", 0, RW1CS),
    Bit("multiple_err_cor_received", 1, RW1CS),
    Bit("err_fatal_nonfatal_received", 2, RW1CS),
    Bit("multiple_err_fatal_nonfatal_received", 3, RW1CS),
    Bit("first_uncorrectable_fatal", 4, RW1CS),
    Bit("non_fatal_error_messages_received", 5, RW1CS),
    Bit("fatal_error_messages_received", 6, RW1CS),
    Bits("advanced_error_interrupt_message_number", 27, 5),
    reserved=RSVDZ,
)

ERROR_SOURCE_IDENTIFICATION = Register(
    Int32ul,
    Bits("err_cor_source_identification", 0, 16),
    Bits("err_fatal_nonfatal_source_identification", 16, 16),
)

ROOT = Struct(
    "root_error_command" / ROOT_ERROR_COMMAND,
    "root_error_status" / ROOT_ERROR_STATUS,
    "error_source_identification" / ERROR_SOURCE_IDENTIFICATION,
)

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "uncorrectable_error_status" / UNCORRECTABLE_ERROR_STATUS,
    "uncorrectable_error_mask" / UNCORRECTABLE_ERROR_MASK,
    "uncorrectable_error_severity" / UNCORRECTABLE_ERROR_SEVERITY,
    "correctable_error_status" / CORRECTABLE_ERROR_STATUS,
    "correctable_error_mask" / CORRECTABLE_ERROR_MASK,
    "capabilities_and_control" / CAPABILITIES_AND_CONTROL,
    "header_log" / Array(4, Int32ul),
    "root" / ROOT,
)


def has_root_registers(port_type: object) -> bool:
    """True for the port types whose AER capability has the root registers."""
    return port_type in ROOT_PORT_TYPES


def decode(ctx: DecodeContext) -> Container:
    """Decode AER; ``root`` only for Root Ports and Root Complex Event Collectors."""
    fields = parse_fixed(ctx, SCHEMA)
    if not has_root_registers(ctx.port_type):
        fields["root"] = None
    return fields
