"""Physical Layer 64.0 GT/s extended capability (ID 0x0031, PCIe base spec 6.0 7.7.7).

Capabilities and Control are reserved; Status reports equalization and
precoding; from +0x10 one Lane Equalization Control byte per lane.
"""
from __future__ import annotations

from construct import Construct, Container, Int8ul, Int32ul, Struct

from ..attributes import HWINIT, ROS, RW1CS
from ..bits import Bit, Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER
from .lanes import decode_with_equalization, with_lanes

# PCIe 6.0 7.7.7: the equalization results are ROS, Link Equalization Request RW1CS, the precoding
# and No Equalization Needed indications RO; the per-lane presets HwInit.
STATUS_64GT = Register(
    Int32ul,
    Bit("equalization_64gts_complete", 0, ROS),
    Bit("equalization_64gts_phase_1_successful", 1, ROS),
    Bit("equalization_64gts_phase_2_successful", 2, ROS),
    Bit("equalization_64gts_phase_3_successful", 3, ROS),
    Bit("link_equalization_request_64gts", 4, RW1CS),
    Bit("transmitter_precoding_on", 5),
    Bit("transmitter_precoding_request", 6),
    Bit("no_equalization_needed_received", 7),
)

LANE_EQUALIZATION_CONTROL_64GT = Register(
    Int8ul,
    Bits("downstream_port_64gts_transmitter_preset", 0, 4, access=HWINIT),
    Bits("upstream_port_64gts_transmitter_preset", 4, 4, access=HWINIT),
)

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "capabilities_64gt" / Int32ul,
    "control_64gt" / Int32ul,
    "status_64gt" / STATUS_64GT,
)

LANES_OFFSET = 0x10


def schema_of(fields: Container) -> Construct:
    """The schema the register catalogue walks: the registers, then the per-lane equalization controls."""
    return with_lanes(SCHEMA, "lane_equalization_control", LANE_EQUALIZATION_CONTROL_64GT)


def decode(ctx: DecodeContext) -> Container:
    """Decode the registers and the per-lane equalization controls."""
    return decode_with_equalization(ctx, SCHEMA, LANES_OFFSET, LANE_EQUALIZATION_CONTROL_64GT, "64.0 GT/s")
