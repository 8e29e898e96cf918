"""Secondary PCI Express extended capability (ID 0x0019).

The Lane Equalization Control array has one 16-bit entry per lane of the
Maximum Link Width (PCI Express capability, Link Capabilities); the width comes
through the context (``ctx.max_link_width``) and bounds the array, as does what
is readable.
"""
from __future__ import annotations

from construct import Container, Int16ul, Int32ul, Struct

from ..bits import Bit, Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

LINK_CONTROL_3 = Register(
    Int32ul,
    Bit("perform_equalization", 0),
    Bit("link_equalization_request_interrupt_enable", 1),
    Bits("enable_lower_skp_os_generation_vector", 9, 7),
)

# One bit per lane: the lane saw an error.
LANE_ERROR_STATUS = Register(Int32ul)

LANE_EQUALIZATION_CONTROL = Register(
    Int16ul,
    Bits("downstream_port_transmitter_preset", 0, 4),
    Bits("downstream_port_receiver_preset_hint", 4, 3),
    Bits("upstream_port_transmitter_preset", 8, 4),
    Bits("upstream_port_receiver_preset_hint", 12, 3),
)

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "link_control_3" / LINK_CONTROL_3,
    "lane_error_status" / LANE_ERROR_STATUS,
)

LANE_EQUALIZATION_CONTROL_OFFSET = 0x0C
MAX_LANES = 32


def decode(ctx: DecodeContext) -> Container:
    """Decode Link Control 3, Lane Error Status and the per-lane equalization controls."""
    fields = parse_fixed(ctx, SCHEMA)
    width = ctx.max_link_width
    fields["max_link_width"] = width
    lanes = []
    for lane in range(min(width or 0, MAX_LANES)):
        relative = LANE_EQUALIZATION_CONTROL_OFFSET + 2 * lane
        if not ctx.readable(relative, 2):
            fields.setdefault("problems", []).append(
                f"Lane Equalization Control truncated after {lane} of {width} lanes"
            )
            break
        lanes.append(LANE_EQUALIZATION_CONTROL.decode(ctx.u16(relative)))
    fields["lane_equalization_control"] = lanes
    return fields
