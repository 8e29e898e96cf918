"""Device 3 extended capability (ID 0x002F, PCIe base spec 6.0 7.7.9).

Device Capabilities/Control/Status 3: DMWr routing, 14-bit tags, L0p and UIO.
Link widths are encoded 0 = x1, 1 = x2, 2 = x4, 3 = x8, 4 = x16; 7 in Target
Link Width means no target (dynamic).
"""
from __future__ import annotations

from construct import Container, Int32ul, Struct

from ..attributes import HWINIT, RW, has
from ..bits import Bit, Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

DEVICE_CAPABILITIES_3 = Register(
    Int32ul,
    Bit("dmwr_request_routing_supported", 0, HWINIT),
    Bit("tag_14bit_completer_supported", 1, HWINIT),
    Bit("tag_14bit_requester_supported", 2, HWINIT),
    Bit("l0p_supported", 3, HWINIT),
    Bits("port_l0p_exit_latency", 4, 3, access=HWINIT),
    Bits("retimer_l0p_exit_latency", 7, 3, access=HWINIT),
    Bit("uio_mem_rdwr_completer_supported", 10, HWINIT),
    Bit("uio_mem_rdwr_requester_supported", 11, HWINIT),
)

# PCIe 6.0 7.7.9.3: each enable is RW where Device Capabilities 3 advertises its feature (RsvdP or
# RO elsewhere); the L0p Target Link Width with L0p.
_CAP = "device_capabilities_3."

DEVICE_CONTROL_3 = Register(
    Int32ul,
    Bit("dmwr_requester_enable", 0, RW),
    Bit("dmwr_egress_blocking", 1, RW, when=has(_CAP + "dmwr_request_routing_supported")),
    Bit("tag_14bit_requester_enable", 2, RW, when=has(_CAP + "tag_14bit_requester_supported")),
    Bit("l0p_enable", 3, RW, when=has(_CAP + "l0p_supported")),
    Bits("target_link_width", 4, 3, access=RW, reset=None, when=has(_CAP + "l0p_supported")),
    Bit("uio_mem_rdwr_requester_enable", 7, RW, when=has(_CAP + "uio_mem_rdwr_requester_supported")),
    Bit("uio_request_256b_boundary_disable", 8, RW, when=has(_CAP + "uio_mem_rdwr_requester_supported")),
)

DEVICE_STATUS_3 = Register(
    Int32ul,
    Bits("initial_link_width", 0, 3),
    Bit("segment_captured", 3),
    Bit("remote_l0p_supported", 4),
)

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "device_capabilities_3" / DEVICE_CAPABILITIES_3,
    "device_control_3" / DEVICE_CONTROL_3,
    "device_status_3" / DEVICE_STATUS_3,
)

SIZE = 0x10
LINK_WIDTHS = {0: 1, 1: 2, 2: 4, 3: 8, 4: 16}


def decode(ctx: DecodeContext) -> Container:
    """Decode the three registers; link widths in lanes (None when reserved or dynamic)."""
    fields = parse_fixed(ctx, SCHEMA)
    fields["target_link_width_lanes"] = LINK_WIDTHS.get(fields.device_control_3.target_link_width)
    fields["initial_link_width_lanes"] = LINK_WIDTHS.get(fields.device_status_3.initial_link_width)
    fields["problems"] = [] if ctx.readable(0, SIZE) else ["registers run past the readable config space"]
    return fields
