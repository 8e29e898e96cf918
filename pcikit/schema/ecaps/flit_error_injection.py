"""Flit Error Injection extended capability (ID 0x0034, PCIe base spec 6.0 7.7.12).

Flit error injection controls and status, then the ordered set error
injection controls and the per-ordered-set/LTSSM-state injection status
(2 bits each: 0 not started, 1 started, 2 completed, 3 error).
"""
from __future__ import annotations

from construct import Container, Int32ul, Struct

from ..attributes import RW
from ..bits import Bit, Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

# PCIe 6.0 7.7.12: the injection controls are RW (reset 0: no injection), the injection status RO.
FLIT_ERROR_INJECTION_CONTROL_1 = Register(
    Int32ul,
    Bit("flit_error_injection_enable", 0, RW),
    Bit("inject_errors_on_transmitted_flits", 1, RW),
    Bit("inject_errors_on_received_flits", 2, RW),
    Bit("enable_2_5gts", 6, RW),
    Bit("enable_5_0gts", 7, RW),
    Bit("enable_8_0gts", 8, RW),
    Bit("enable_16_0gts", 9, RW),
    Bit("enable_32_0gts", 10, RW),
    Bit("enable_64_0gts", 11, RW),
    Bits("number_of_errors_injected", 16, 5, access=RW),
    Bits("spacing_between_injected_errors", 21, 8, access=RW),
    Bits("injection_on_flit_type", 29, 2, access=RW),
)

FLIT_ERROR_INJECTION_CONTROL_2 = Register(
    Int32ul,
    Bits("consecutive_error_injection", 0, 3, access=RW),
    Bits("error_type_being_injected", 3, 2, access=RW),
    Bits("error_offset_within_flit", 5, 7, access=RW),
    Bits("error_magnitude", 12, 8, access=RW),
)

FLIT_ERROR_INJECTION_STATUS = Register(
    Int32ul,
    Bits("flit_error_tx_injection_status", 0, 2),
    Bits("flit_error_rx_injection_status", 2, 2),
)

ORDERED_SETS = (
    "ts0", "ts1", "ts2", "skp", "eieos", "eios", "sds", "polling", "configuration", "l0",
    "recovery_non_equalization", "equalization_phase_0_1", "equalization_phase_2", "equalization_phase_3",
)

ORDERED_SET_ERROR_INJECTION_CONTROL_1 = Register(
    Int32ul,
    Bit("ordered_set_error_injection_enable", 0, RW),
    Bit("inject_errors_on_transmitted_ordered_sets", 1, RW),
    Bit("inject_errors_on_received_ordered_sets", 2, RW),
    Bits("number_of_errors_injected", 3, 5, access=RW),
    Bits("spacing_between_injected_errors", 8, 8, access=RW),
    *(Bit(f"inject_{name}", 16 + index, RW) for index, name in enumerate(ORDERED_SETS)),
)

ORDERED_SET_ERROR_INJECTION_CONTROL_2 = Register(
    Int32ul,
    Bits("error_injection_bytes", 0, 16, access=RW),
    Bits("lane_number_for_error_injection", 16, 16, access=RW),
)


ORDERED_SET_INJECTION_STATUS = Register(Int32ul, *(Bits(name, 2 * index, 2) for index, name in enumerate(ORDERED_SETS)))


SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "error_injection_capability" / Int32ul,
    "flit_error_injection_control_1" / FLIT_ERROR_INJECTION_CONTROL_1,
    "flit_error_injection_control_2" / FLIT_ERROR_INJECTION_CONTROL_2,
    "flit_error_injection_status" / FLIT_ERROR_INJECTION_STATUS,
    "ordered_set_error_injection_control_1" / ORDERED_SET_ERROR_INJECTION_CONTROL_1,
    "ordered_set_error_injection_control_2" / ORDERED_SET_ERROR_INJECTION_CONTROL_2,
    "ordered_set_error_tx_injection_status" / ORDERED_SET_INJECTION_STATUS,
    "ordered_set_error_rx_injection_status" / ORDERED_SET_INJECTION_STATUS,
)

SIZE = 0x24


def decode(ctx: DecodeContext) -> Container:
    """Decode all registers."""
    fields = parse_fixed(ctx, SCHEMA)
    fields["problems"] = [] if ctx.readable(0, SIZE) else ["registers run past the readable config space"]
    return fields
