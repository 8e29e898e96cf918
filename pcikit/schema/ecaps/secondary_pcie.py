"""Secondary PCI Express extended capability (ID 0x0019).

The Lane Equalization Control array has one 16-bit entry per lane of the
Maximum Link Width (PCI Express capability, Link Capabilities); the width comes
through the context (``ctx.max_link_width``) and bounds the array, as does what
is readable. Link Capabilities 2's Lower SKP OS Generation Supported Speeds Vector,
which says which bits of Link Control 3's Enable vector are writable, comes the same way.
"""
from __future__ import annotations

from construct import Container, Int16ul, Int32ul, Struct

from ..attributes import HWINIT, RW, RW1CS, Count, FieldBits, port_in
from ..bits import Bit, Bits, Register
from ..caps.express import DOWNSTREAM_PORT, ROOT_PORT
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

# PCIe 7.7.3.2: Perform Equalization and the Link Equalization Request Interrupt Enable are RW on
# Downstream Ports (and on crosslink-capable Upstream Ports, which the mock keeps RsvdP), reset 0.
# Enable Lower SKP OS Generation Vector is RW, default 0, for the speeds Link Capabilities 2's Lower
# SKP OS Generation Supported Speeds Vector lists, RsvdP for the others: that vector is the PCI
# Express capability's, so it comes through the context (ctx.lower_skp_os_generation_speeds).
_DOWNSTREAM = port_in(ROOT_PORT, DOWNSTREAM_PORT)

LINK_CONTROL_3 = Register(
    Int32ul,
    Bit("perform_equalization", 0, RW, when=_DOWNSTREAM),
    Bit("link_equalization_request_interrupt_enable", 1, RW, when=_DOWNSTREAM),
    Bits("enable_lower_skp_os_generation_vector", 9, 7, access=RW,
         when=FieldBits("lower_skp_os_generation_supported_speeds_vector")),
)

# PCIe 7.7.3.3: one bit per lane of the Maximum Link Width, set when the lane saw an error: RW1CS,
# default 0; the bits past the link width are RsvdZ. (Decoded as the raw value, as lspci shows it.)
LANE_ERROR_STATUS = Register(Int32ul, Bits("lanes", 0, 32, access=RW1CS, when=Count("max_link_width")))

# PCIe 7.7.3.4: the presets are HwInit (RO in Upstream Ports).
LANE_EQUALIZATION_CONTROL = Register(
    Int16ul,
    Bits("downstream_port_transmitter_preset", 0, 4, access=HWINIT),
    Bits("downstream_port_receiver_preset_hint", 4, 3, access=HWINIT),
    Bits("upstream_port_transmitter_preset", 8, 4, access=HWINIT),
    Bits("upstream_port_receiver_preset_hint", 12, 3, access=HWINIT),
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
    fields["lower_skp_os_generation_supported_speeds_vector"] = ctx.lower_skp_os_generation_speeds
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
