"""Secondary PCI Express extended capability (ID 0x0019).

The Lane Equalization Control array has one 16-bit entry per lane of the
Maximum Link Width (PCI Express capability, Link Capabilities); the decoder
reads that width itself and bounds the array by it and by what is readable.
"""
from __future__ import annotations

from typing import Optional

from construct import Container, Int16ul, Int32ul, Struct

from ...access.memory import BytesConfig
from ...walk import walk_standard
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
CAP_ID_EXPRESS = 0x10
LINK_CAPABILITIES = 0x0C
STATUS_CAPABILITIES_LIST = 0x10


def max_link_width(ctx: DecodeContext) -> Optional[int]:
    """Maximum Link Width of the function's PCI Express capability, or None."""
    config = BytesConfig(ctx.image, ctx.size)
    if not config.readable(0x06, 2) or not config.read16(0x06) & STATUS_CAPABILITIES_LIST:
        return None
    pointer = 0x14 if ctx.header_type == 2 else 0x34
    found, _ = walk_standard(config, pointer)
    express = next((cap for cap in found if cap.cap_id == CAP_ID_EXPRESS), None)
    if express is None or not config.readable(express.offset + LINK_CAPABILITIES, 4):
        return None
    return (config.read32(express.offset + LINK_CAPABILITIES) >> 4) & 0x3F


def decode(ctx: DecodeContext) -> Container:
    """Decode Link Control 3, Lane Error Status and the per-lane equalization controls."""
    fields = parse_fixed(ctx, SCHEMA)
    width = max_link_width(ctx)
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
