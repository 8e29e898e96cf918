"""Multicast (pciutils cap_multicast); what is shown depends on the PCIe port type.

lspci ends the McastCap line only for root, upstream and downstream ports, so
for other functions the McastCtl text follows on the same line, as here.
Sizes are printed as C ``int`` shifts (``1 << n`` with n taken modulo 32).
"""
from __future__ import annotations

from ..context import RenderContext, flag

ENDPOINTS = (0x0, 0x9)  # Endpoint, Root Complex Integrated Endpoint
PORTS = (0x4, 0x5, 0x6)  # Root Port, Upstream Port, Downstream Port


def c_shift(count: int) -> int:
    """``1 << count`` as a 32-bit signed C int on x86 (shift count modulo 32)."""
    value = (1 << (count & 31)) & 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv capability, control and the multicast vectors."""
    ctx.write("Multicast\n")
    f = cap.fields
    if ctx.verbose < 2 or f is None or not cap.readable(4, 0x30):
        return
    kind = cap.device.port_type
    mcap = f.multicast_capability
    ctx.write(f"\t\tMcastCap: MaxGroups {mcap.mc_max_group}")
    if kind in ENDPOINTS:
        window = mcap.mc_window_size_requested
        ctx.write(f", WindowSz {window} ({c_shift(window)} bytes)")
    if kind in PORTS:
        ctx.write(f", ECRCRegen{flag(mcap.mc_ecrc_regeneration_supported)}\n")
    ctrl = f.multicast_control
    ctx.write(f"\t\tMcastCtl: NumGroups {ctrl.mc_num_group}, Enable{flag(ctrl.mc_enable)}\n")
    base = f.mc_base_address
    ctx.write(f"\t\tMcastBAR: IndexPos {base.mc_index_position}, BaseAddr {base.mc_base_address:016x}\n")
    ctx.write(f"\t\tMcastReceiveVec:      {f.mc_receive:016x}\n")
    ctx.write(f"\t\tMcastBlockAllVec:     {f.mc_block_all:016x}\n")
    ctx.write(f"\t\tMcastBlockUntransVec: {f.mc_block_untranslated:016x}\n")
    if kind in ENDPOINTS:
        return
    overlay = f.mc_overlay_bar
    size = overlay.mc_overlay_size
    shown = f"({c_shift(size)} bytes)" if size >= 6 else "(disabled)"
    ctx.write(f"\t\tMcastOverlayBAR: OverlaySize {size} {shown}, BaseAddr {overlay.mc_overlay_bar:016x}\n")
