"""lspci's verbose body (-v/-vv/-vvv): header checks, control/status, BARs, windows, capabilities."""
from __future__ import annotations

from .caps import render_extended, render_standard
from .context import RenderContext, c_char
from .core import show_terse
from .header import (
    irq_of, show_bases, show_bridge, show_cardbus, show_control_status, show_flags_line, show_rom,
)


def _header_checks(ctx: RenderContext) -> tuple[int, int, int, bool]:
    """lspci's class/header sanity lines; returns (bist, min_gnt, max_lat, known)."""
    dev = ctx.device
    htype = dev.header_type
    if not dev.has_config:
        return 0, 0, 0, False
    common = ctx.common = dev.header.common
    if htype == 0:
        if dev.class_word == 0x0604:
            ctx.write(f"\t!!! Invalid class {dev.class_word:04x} for header type {htype:02x}\n")
        body = dev.header.body
        return common.bist.raw, body.min_gnt, body.max_lat, True
    if htype in (1, 2):
        if dev.class_word >> 8 != 0x06:
            ctx.write(f"\t!!! Invalid class {dev.class_word:04x} for header type {htype:02x}\n")
        return common.bist.raw, 0, 0, True
    ctx.write(f"\t!!! Unknown header type {htype:02x}\n")
    return 0, 0, 0, False


def show_verbose(ctx: RenderContext, slot: str) -> None:
    """lspci -v/-vv/-vvv body of one device (``slot``: its name on the first line)."""
    dev = ctx.device
    show_terse(ctx, slot)
    bist, min_gnt, max_lat, known = _header_checks(ctx)
    if dev.kernel is not None and dev.kernel.physical_slot:
        ctx.write(f"\tPhysical Slot: {dev.kernel.physical_slot}\n")
    if dev.kernel is not None and dev.kernel.dt_node:
        ctx.write(f"\tDevice tree node: {dev.kernel.dt_node}\n")
    if known and ctx.verbose > 1:
        show_control_status(ctx, min_gnt, max_lat)
    if ctx.verbose > 1:
        pin = dev.interrupt.pin_raw if known else 0
        irq = irq_of(dev)
        if pin or irq:
            letter = c_char(ord("A") + pin - 1) if pin else "?"
            ctx.write(f"\tInterrupt: pin {letter} routed to IRQ {irq}\n")
        if dev.kernel is not None and dev.kernel.numa_node is not None:
            ctx.write(f"\tNUMA node: {dev.kernel.numa_node}\n")
        if dev.kernel is not None and dev.kernel.iommu_group is not None:
            ctx.write(f"\tIOMMU group: {dev.kernel.iommu_group}\n")
    if known and ctx.verbose <= 1:
        show_flags_line(ctx)
    if bist & 0x80:
        ctx.write("\tBIST is running\n" if bist & 0x40 else f"\tBIST result: {bist & 0x0F:02x}\n")
    if not known:
        return
    if dev.header_type == 0:
        show_bases(ctx, 6)
        show_rom(ctx, 0x30)
    elif dev.header_type == 1:
        show_bases(ctx, 2)
        show_bridge(ctx)
    else:
        show_bases(ctx, 1)
        if not show_cardbus(ctx):
            return
    show_capabilities(ctx)


def show_capabilities(ctx: RenderContext) -> None:
    """The standard list, then the extended list, with lspci's stop markers."""
    dev = ctx.device
    for cap in dev.capabilities:
        ctx.write(f"\tCapabilities: [{cap.offset:02x}] ")
        render_standard(ctx, cap)
    stop = dev.capability_stop
    if stop is not None:
        if stop.reason == "access denied":
            ctx.write("\tCapabilities: <access denied>\n")
        else:
            marker = "<chain looped>" if stop.reason == "looped" else "<chain broken>"
            ctx.write(f"\tCapabilities: [{stop.offset:02x}] {marker}\n")
    for cap in dev.extended_capabilities:
        version = f" v{cap.version}" if ctx.verbose > 1 else ""
        ctx.write(f"\tCapabilities: [{cap.offset:03x}{version}] ")
        render_extended(ctx, cap)
    stop = dev.extended_stop
    if stop is not None:
        version = f" v{stop.version}" if ctx.verbose > 1 else ""
        ctx.write(f"\tCapabilities: [{stop.offset:03x}{version}] <chain looped>\n")
