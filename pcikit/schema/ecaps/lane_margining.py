"""Lane Margining at the Receiver extended capability (ID 0x0027, PCIe base spec 7.7.7).

Port capabilities and status, then one Margining Lane Control and Status
register pair per lane of the Maximum Link Width, from +0x08.
"""
from __future__ import annotations

from construct import Construct, Container, Int16ul, Struct

from ..attributes import HWINIT, RW
from ..bits import Bit, Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed
from .lanes import per_lane, with_lanes

# PCIe 7.7.7 (Lane Margining at the Receiver): Port Capabilities HwInit, Port Status RO; each
# lane's Margining Lane Control is RW, resetting to "no command" (Margin Type 111b, Margin Payload
# 9Ch); its Status RO. The lanes are decoded as a list after the fixed part.
MARGINING_PORT_CAPABILITIES = Register(Int16ul, Bit("margining_uses_driver_software", 0, HWINIT))

MARGINING_PORT_STATUS = Register(Int16ul, Bit("margining_ready", 0), Bit("margining_software_ready", 1))

MARGINING_LANE_CONTROL = Register(
    Int16ul,
    Bits("receiver_number", 0, 3, access=RW),
    Bits("margin_type", 3, 3, access=RW, reset=0b111),
    Bit("usage_model", 6, RW),
    Bits("margin_payload", 8, 8, access=RW, reset=0x9C),
)

MARGINING_LANE_STATUS = Register(
    Int16ul,
    Bits("receiver_number_status", 0, 3),
    Bits("margin_type_status", 3, 3),
    Bit("usage_model_status", 6),
    Bits("margin_payload_status", 8, 8),
)

LANE = Struct(
    "margining_lane_control" / MARGINING_LANE_CONTROL,
    "margining_lane_status" / MARGINING_LANE_STATUS,
)

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "margining_port_capabilities" / MARGINING_PORT_CAPABILITIES,
    "margining_port_status" / MARGINING_PORT_STATUS,
)

LANES_OFFSET = 0x08
LANE_SIZE = 4


def schema_of(fields: Container) -> Construct:
    """The schema the register catalogue walks: the port registers, then each lane's pair."""
    return with_lanes(SCHEMA, "lanes", LANE)


def decode(ctx: DecodeContext) -> Container:
    """Decode the port registers and each lane's control and status."""
    fields = parse_fixed(ctx, SCHEMA)
    problems: list[str] = []
    if not ctx.readable(0, LANES_OFFSET):
        problems.append("registers run past the readable config space")
    width, lanes = per_lane(ctx, LANES_OFFSET, LANE_SIZE, lambda rel: ctx.parse(LANE, rel), "margining lanes", problems)
    fields["max_link_width"] = width
    fields["lanes"] = lanes
    fields["problems"] = problems
    return fields
