"""Physical Layer 16.0 GT/s extended capability (ID 0x0026, PCIe base spec 7.7.5).

Status, the data parity mismatch registers (one bit per lane) and, from +0x20,
one Lane Equalization Control byte per lane of the Maximum Link Width.
"""
from __future__ import annotations

from construct import Container, Int8ul, Int32ul, Padding, Struct

from ..bits import Bit, Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER
from .lanes import decode_with_equalization

STATUS_16GT = Register(
    Int32ul,
    Bit("equalization_16gts_complete", 0),
    Bit("equalization_16gts_phase_1_successful", 1),
    Bit("equalization_16gts_phase_2_successful", 2),
    Bit("equalization_16gts_phase_3_successful", 3),
    Bit("link_equalization_request_16gts", 4),
)

LANE_EQUALIZATION_CONTROL_16GT = Register(
    Int8ul,
    Bits("downstream_port_16gts_transmitter_preset", 0, 4),
    Bits("upstream_port_16gts_transmitter_preset", 4, 4),
)

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "capabilities_16gt" / Int32ul,
    "control_16gt" / Int32ul,
    "status_16gt" / STATUS_16GT,
    "local_data_parity_mismatch_status" / Int32ul,
    "first_retimer_data_parity_mismatch_status" / Int32ul,
    "second_retimer_data_parity_mismatch_status" / Int32ul,
    Padding(4),
)

LANES_OFFSET = 0x20


def decode(ctx: DecodeContext) -> Container:
    """Decode the registers and the per-lane equalization controls."""
    return decode_with_equalization(ctx, SCHEMA, LANES_OFFSET, LANE_EQUALIZATION_CONTROL_16GT, "16.0 GT/s")
