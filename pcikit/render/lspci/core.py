"""Device-level lspci output: the terse line, verbose header, capabilities, kernel lines, hex."""
from __future__ import annotations

from typing import Iterable

from ...model import Device
from .caps import render_extended, render_standard
from .context import LspciOptions, RenderContext
from .header import (
    irq_of, show_bases, show_bridge, show_cardbus, show_control_status, show_flags_line, show_rom,
)
from .names import Namer


def slot_name(dev: Device, domains: bool) -> str:
    """``BB:DD.F`` or ``DDDD:BB:DD.F``."""
    return str(dev.address) if domains else dev.address.short


def show_terse(ctx: RenderContext, domains: bool) -> None:
    """The first line (and Subsystem under -v/-k)."""
    dev = ctx.device
    namer = ctx.namer
    text = f"{slot_name(dev, domains)} {namer.class_name(dev.class_word)}: {namer.vendor_device(dev.vendor_id, dev.device_id)}"
    if dev.revision:
        text += f" (rev {dev.revision:02x})"
    if ctx.verbose:
        prog_if = dev.prog_if
        name = namer.prog_if(dev.class_word, prog_if)
        if prog_if or name is not None:
            text += f" (prog-if {prog_if:02x}" + (f" [{name}]" if name is not None else "") + ")"
    ctx.write(text + "\n")
    if ctx.verbose or ctx.options.kernel:
        sub = dev.subsystem
        if sub is not None and sub[0] and sub[0] != 0xFFFF:
            ctx.write(f"\tSubsystem: {namer.subsystem(dev.vendor_id, dev.device_id, *sub)}\n")


def _header_checks(ctx: RenderContext) -> tuple[int, int, int, bool]:
    """lspci's class/header sanity lines; returns (bist, min_gnt, max_lat, known)."""
    dev = ctx.device
    htype = dev.header_type
    if not dev.has_config:
        return 0, 0, 0, False
    common = dev.header.common
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


def show_verbose(ctx: RenderContext, domains: bool) -> None:
    """lspci -v/-vv/-vvv body of one device."""
    dev = ctx.device
    show_terse(ctx, domains)
    bist, min_gnt, max_lat, known = _header_checks(ctx)
    if dev.kernel is not None and dev.kernel.physical_slot:
        ctx.write(f"\tPhysical Slot: {dev.kernel.physical_slot}\n")
    if known and ctx.verbose > 1:
        show_control_status(ctx, min_gnt, max_lat)
    if ctx.verbose > 1:
        pin = dev.interrupt.pin_raw if known else 0
        irq = irq_of(dev)
        if pin or irq:
            letter = chr(ord("A") + pin - 1) if pin else "?"
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


def show_kernel(ctx: RenderContext) -> None:
    """``Kernel driver in use`` (live sources only)."""
    kernel = ctx.device.kernel
    if kernel is not None and kernel.driver:
        ctx.write(f"\tKernel driver in use: {kernel.driver}\n")
    if kernel is not None and kernel.modules:
        ctx.write("\tKernel modules: " + ", ".join(kernel.modules) + "\n")


def show_hex(ctx: RenderContext) -> None:
    """``-x`` (64 bytes), ``-xxx`` (256), ``-xxxx`` (4096) rows, limited to what is readable."""
    dev = ctx.device
    level = ctx.options.hex_level
    if not dev.has_config:
        ctx.write("WARNING: Cannot show hex-dump of the config space\n")
        return
    count = 128 if dev.header_type == 2 and dev.config.size >= 128 else 64
    if level >= 3 and dev.config.readable(0, 256):
        count = 4096 if level >= 4 and dev.config.readable(0, 4096) else 256
    data = dev.config.read_block(0, count)
    for base in range(0, count, 16):
        ctx.write(f"{base:02x}: " + " ".join(f"{b:02x}" for b in data[base : base + 16]) + "\n")


def render_device(dev: Device, options: LspciOptions, namer: Namer, domains: bool) -> str:
    """Everything lspci prints for one device with these options."""
    ctx = RenderContext(options, namer, dev)
    if options.verbose:
        show_verbose(ctx, domains)
    else:
        show_terse(ctx, domains)
    if options.kernel or options.verbose:
        show_kernel(ctx)
    if options.hex_level:
        show_hex(ctx)
    if options.verbose or options.hex_level:
        ctx.write("\n")
    return "".join(ctx.out)


def render_devices(devices: Iterable[Device], options: LspciOptions, namer: Namer) -> Iterable[str]:
    """Text of each device in lspci's order (domains shown when any device has one, or -D)."""
    devices = sorted(devices, key=lambda dev: dev.address)
    domains = options.domains if options.domains is not None else any(d.address.domain for d in devices)
    for dev in devices:
        yield render_device(dev, options, namer, domains)
