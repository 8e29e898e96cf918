"""Physical Layer 16.0 GT/s extended capability (ID 0x0026, PCIe base spec 7.7.5).

Status, the data parity mismatch registers (one bit per lane) and, from +0x20,
one Lane Equalization Control byte per lane of the Maximum Link Width.
"""
from __future__ import annotations

from construct import Construct, Container, Int8ul, Int32ul, Padding, Struct

from ..attributes import HWINIT, ROS, RW1CS
from ..bits import Bit, Bits, Register, whole
from ..context import DecodeContext
from . import EXTENDED_HEADER
from .lanes import decode_with_equalization, with_lanes

# PCIe 7.7.5: Capabilities and Control are reserved; the equalization results are ROS, Link
# Equalization Request and the Data Parity Mismatch Status bits RW1CS; the per-lane presets HwInit.
STATUS_16GT = Register(
    Int32ul,
    Bit("equalization_16gts_complete", 0, ROS),
    Bit("equalization_16gts_phase_1_successful", 1, ROS),
    Bit("equalization_16gts_phase_2_successful", 2, ROS),
    Bit("equalization_16gts_phase_3_successful", 3, ROS),
    Bit("link_equalization_request_16gts", 4, RW1CS),
)

LANE_EQUALIZATION_CONTROL_16GT = Register(
    Int8ul,
    Bits("downstream_port_16gts_transmitter_preset", 0, 4, access=HWINIT),
    Bits("upstream_port_16gts_transmitter_preset", 4, 4, access=HWINIT),
)

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "capabilities_16gt" / Int32ul,
    "control_16gt" / Int32ul,
    "status_16gt" / STATUS_16GT,
    "local_data_parity_mismatch_status" / whole(Int32ul, RW1CS),
    "first_retimer_data_parity_mismatch_status" / whole(Int32ul, RW1CS),
    "second_retimer_data_parity_mismatch_status" / whole(Int32ul, RW1CS),
    Padding(4),
)

LANES_OFFSET = 0x20


def schema_of(fields: Container) -> Construct:
    """The schema the register catalogue walks: the registers, then the per-lane equalization controls."""
    return with_lanes(SCHEMA, "lane_equalization_control", LANE_EQUALIZATION_CONTROL_16GT)


def decode(ctx: DecodeContext) -> Container:
    """Decode the registers and the per-lane equalization controls."""
    return decode_with_equalization(ctx, SCHEMA, LANES_OFFSET, LANE_EQUALIZATION_CONTROL_16GT, "16.0 GT/s")
