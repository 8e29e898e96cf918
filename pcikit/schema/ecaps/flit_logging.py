"""Flit Logging extended capability (ID 0x0032, PCIe base spec 6.0 7.7.10).

The last flit error log, the flit error counter and the FBER measurement
counters: flits, invalid flits and correctable errors of lanes 0-15.
"""
from __future__ import annotations

from construct import Array, Container, Int16ul, Int32ul, Struct

from ..attributes import ROS, RW, RW1C, RW1CS
from ..bits import Bit, Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

# PCIe 6.0 7.7.10: the Flit Error Log is sticky (ROS), its Valid bit RW1CS; the counter and FBER
# controls RW; the counter's trigger interrupt indication RW1C; counts and measurements RO.
FLIT_ERROR_LOG_1 = Register(
    Int32ul,
    Bit("flit_error_log_valid", 0, RW1CS),
    Bits("flit_error_link_width", 1, 3, access=ROS),
    Bits("flit_offset_from_last_logged_flit", 4, 4, access=ROS),
    Bits("consecutive_flit_errors", 8, 5, access=ROS),
    Bit("more_entries_valid", 13, ROS),
    Bit("unrecognized_flit", 14, ROS),
    Bit("fec_uncorrectable_error_in_flit", 15, ROS),
    Bits("syndrome_parity_ecc_group_0", 16, 8, access=ROS),
    Bits("syndrome_check_ecc_group_0", 24, 8, access=ROS),
)

FLIT_ERROR_LOG_2 = Register(
    Int32ul,
    Bits("syndrome_parity_ecc_group_1", 0, 8, access=ROS),
    Bits("syndrome_check_ecc_group_1", 8, 8, access=ROS),
    Bits("syndrome_parity_ecc_group_2", 16, 8, access=ROS),
    Bits("syndrome_check_ecc_group_2", 24, 8, access=ROS),
)

FLIT_ERROR_COUNTER_CONTROL = Register(
    Int16ul,
    Bit("flit_error_counter_enable", 0, RW),
    Bit("flit_error_counter_interrupt_enable", 1, RW),
    Bits("events_to_count", 2, 2, access=RW),
    Bits("trigger_event_on_error_count", 4, 8, access=RW),
)

FLIT_ERROR_COUNTER_STATUS = Register(
    Int16ul,
    Bits("link_width_when_error_counter_started", 0, 3),
    Bit("interrupt_generated_based_on_trigger_event_count", 3, RW1C),
    Bits("flit_error_counter", 8, 8),
)

FBER_MEASUREMENT_CONTROL = Register(
    Int32ul,
    Bit("fber_measurement_enable", 0, RW),
    Bit("clear_fber_counters", 1, RW),
    Bits("granularity_of_per_lane_error_reporting", 2, 2, access=RW),
)

LANE_PAIR = Register(Int32ul, Bits("even_lane_correctable_errors", 0, 16), Bits("odd_lane_correctable_errors", 16, 16))

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "flit_error_log_1" / FLIT_ERROR_LOG_1,
    "flit_error_log_2" / FLIT_ERROR_LOG_2,
    "flit_error_counter_control" / FLIT_ERROR_COUNTER_CONTROL,
    "flit_error_counter_status" / FLIT_ERROR_COUNTER_STATUS,
    "fber_measurement_control" / FBER_MEASUREMENT_CONTROL,
    "fber_measurement_status_1" / Int32ul,
    "fber_measurement_status_2" / Register(Int32ul, Bits("invalid_flit_counter", 0, 16)),
    "fber_measurement_status_lanes" / Array(8, LANE_PAIR),
)

SIZE = 0x3C


def decode(ctx: DecodeContext) -> Container:
    """Decode all registers; ``lane_correctable_errors`` lists lanes 0-15 in order."""
    fields = parse_fixed(ctx, SCHEMA)
    fields["flit_counter"] = fields.fber_measurement_status_1
    fields["lane_correctable_errors"] = [
        count
        for pair in fields.fber_measurement_status_lanes
        for count in (pair.even_lane_correctable_errors, pair.odd_lane_correctable_errors)
    ]
    fields["problems"] = [] if ctx.readable(0, SIZE) else ["registers run past the readable config space"]
    return fields
