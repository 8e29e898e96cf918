"""Device 3 extended capability (ID 0x002F, PCIe base spec 6.0 7.7.9).

Device Capabilities/Control/Status 3: DMWr routing, 14-bit tags, L0p and UIO.
Link widths are encoded 0 = x1, 1 = x2, 2 = x4, 3 = x8, 4 = x16; 7 in Target
Link Width means no target (dynamic).
"""
from __future__ import annotations

from construct import Container, Int32ul, Struct

from ..bits import Bit, Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

DEVICE_CAPABILITIES_3 = Register(
    Int32ul,
    Bit("dmwr_request_routing_supported", 0),
    Bit("tag_14bit_completer_supported", 1),
    Bit("tag_14bit_requester_supported", 2),
    Bit("l0p_supported", 3),
    Bits("port_l0p_exit_latency", 4, 3),
    Bits("retimer_l0p_exit_latency", 7, 3),
    Bit("uio_mem_rdwr_completer_supported", 10),
    Bit("uio_mem_rdwr_requester_supported", 11),
)

DEVICE_CONTROL_3 = Register(
    Int32ul,
    Bit("dmwr_requester_enable", 0),
    Bit("dmwr_egress_blocking", 1),
    Bit("tag_14bit_requester_enable", 2),
    Bit("l0p_enable", 3),
    Bits("target_link_width", 4, 3),
    Bit("uio_mem_rdwr_requester_enable", 7),
    Bit("uio_request_256b_boundary_disable", 8),
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
