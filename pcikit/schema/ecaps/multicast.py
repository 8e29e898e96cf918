"""Multicast extended capability (ID 0x0012, PCIe base spec 7.9.11).

Which registers mean something depends on the function: endpoints use the
window size, switch and root ports the ECRC regeneration bit and the overlay
BAR. The decoder keeps every register and records the port type it was given.
"""
from __future__ import annotations

from construct import Container, Int16ul, Int64ul, Struct

from ..attributes import RW, port_in
from ..bits import Bit, Bits, Register, whole
from ..caps.express import DOWNSTREAM_PORT, ROOT_PORT, UPSTREAM_PORT
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

MULTICAST_CAPABILITY = Register(
    Int16ul,
    Bits("mc_max_group_raw", 0, 6),
    Bits("mc_max_group", 0, 6, add=1),
    Bits("mc_window_size_requested", 8, 6),
    Bit("mc_ecrc_regeneration_supported", 15),
)

# PCIe 7.9.11.3-7.9.11.9: control, base address and receive are RW, reset 0; MC_Block_All,
# MC_Block_Untranslated and the overlay BAR are RW in Root Ports and Switch Ports, RsvdP in Endpoints.
MULTICAST_CONTROL = Register(
    Int16ul,
    Bits("mc_num_group_raw", 0, 6, access=RW),
    Bits("mc_num_group", 0, 6, add=1, access=RW),
    Bit("mc_enable", 15, RW),
)

MC_BASE_ADDRESS = Register(
    Int64ul,
    Bits("mc_index_position", 0, 6, access=RW),
    Bits("mc_base_address", 12, 52, shift=12, access=RW),
)

_PORTS = port_in(ROOT_PORT, UPSTREAM_PORT, DOWNSTREAM_PORT)

MC_OVERLAY_BAR = Register(
    Int64ul,
    Bits("mc_overlay_size", 0, 6, access=RW, when=_PORTS),
    Bits("mc_overlay_bar", 6, 58, shift=6, access=RW, when=_PORTS),
)

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "multicast_capability" / MULTICAST_CAPABILITY,
    "multicast_control" / MULTICAST_CONTROL,
    "mc_base_address" / MC_BASE_ADDRESS,
    "mc_receive" / whole(Int64ul, RW),
    "mc_block_all" / whole(Int64ul, RW, when=_PORTS),
    "mc_block_untranslated" / whole(Int64ul, RW, when=_PORTS),
    "mc_overlay_bar" / MC_OVERLAY_BAR,
)

SIZE = 0x30
MIN_OVERLAY_SIZE = 6  # smaller values disable the overlay


def decode(ctx: DecodeContext) -> Container:
    """Decode all registers; sizes in bytes where the spec defines them."""
    fields = parse_fixed(ctx, SCHEMA)
    problems: list[str] = []
    if not ctx.readable(0, SIZE):
        problems.append("registers run past the readable config space")
    window = fields.multicast_capability.mc_window_size_requested
    overlay = fields.mc_overlay_bar.mc_overlay_size
    fields["mc_window_size_bytes"] = 1 << window
    fields["mc_overlay_size_bytes"] = 1 << overlay if overlay >= MIN_OVERLAY_SIZE else None
    fields["port_type"] = ctx.port_type
    fields["problems"] = problems
    return fields
