"""The header part of lspci's verbose output (pciutils ``lspci.c`` show_verbose and friends)."""
from __future__ import annotations

from ...decode.bars import IORESOURCE_IO, IORESOURCE_MEM, IORESOURCE_MEM_64, IORESOURCE_PREFETCH
from ...schema.bars import is_64bit, pair
from .context import RenderContext, flag, pm, signs16, size_suffix

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Optional

IORESOURCE_PCI_EA_BEI = 1 << 5
_DEVSEL = {0: "fast", 1: "medium", 2: "slow"}


def _range(ctx: RenderContext, prefix: str, base: int, limit: int, bits: int, disabled: bool) -> None:
    text = f"{prefix}:"
    if base <= limit or ctx.verbose > 2:
        digits = (bits + 3) // 4
        text += f" {base:0{digits}x}-{limit:0{digits}x}"
    if not disabled and base <= limit:
        text += size_suffix(limit - base + 1)
    else:
        text += " [disabled]"
    if bits:
        text += f" [{bits}-bit]"
    ctx.write(text + "\n")


def _pci_flags(ioflg: int) -> int:
    if ioflg & IORESOURCE_IO:
        return 1
    if not ioflg & IORESOURCE_MEM:
        return 0
    flg = 4 if ioflg & IORESOURCE_MEM_64 else 0
    return flg | (8 if ioflg & IORESOURCE_PREFETCH else 0)


def bar_fills(dev, registers: list[int], count: int) -> list[tuple[int, int, Optional[int]]]:
    """(pos, len, ioflg) of BAR slots 0 .. ``count - 1`` as pciutils fills them for this source."""
    kernel = dev.kernel
    if kernel is not None and kernel.resources:
        return [_kernel_fill(kernel.resources, index) for index in range(count)]
    bases = _generic_bases(registers)
    return [(bases[index] if index < len(bases) else 0, 0, None) for index in range(count)]


def _kernel_fill(resources: list, index: int) -> tuple[int, int, int]:
    res = resources[index] if index < len(resources) else None
    if res is None:
        return 0, 0, 0
    size = res.end - res.start + 1 if res.end > res.start else 0
    return res.start | (res.flags & 0xF), size, res.flags


def _generic_bases(registers: list[int]) -> list[int]:
    """pciutils' generic fill: the base of each BAR (0 for upper halves and junk), in one pass."""
    bases = [0] * len(registers)
    i = 0
    while i < len(registers):
        raw = registers[i]
        if raw in (0, 0xFFFFFFFF):
            i += 1
            continue
        paired = pair(registers, i)
        if is_64bit(raw) and paired.upper is None:  # a 64-bit BAR in the last slot: pciutils skips it
            i += 1
            continue
        bases[i] = raw if paired.upper is None else raw | paired.upper << 32
        i += paired.registers
    return bases


def show_bases(ctx: RenderContext, count: int) -> None:
    """Region lines; reproduces lspci quirks (upper halves of 64-bit BARs in dumps)."""
    dev = ctx.device
    cmd = ctx.common.command.raw
    registers = dev.bar_registers
    for i, (pos, length, ioflg) in enumerate(bar_fills(dev, registers, count)):
        flg = _pci_flags(ioflg) if ioflg is not None else registers[i]
        if flg == 0xFFFFFFFF:
            flg = 0
        if not pos and not flg and not length:
            continue
        ctx.write(f"\tRegion {i}: " if ctx.verbose > 1 else "\t")
        hw_lower = hw_upper = 0
        broken = virtual = False
        if ioflg is not None:
            hw_lower = registers[i]
            if (hw_lower & 1) == (_pci_flags(ioflg) & 1):
                if (ioflg & 0x1F00) == IORESOURCE_MEM and (hw_lower & 6) == 4:
                    if i >= count - 1:
                        broken = True
                    else:
                        hw_upper = registers[i + 1]
                if pos and not hw_lower and not hw_upper and not ioflg & IORESOURCE_PCI_EA_BEI:
                    virtual = True
        text = _bar_text(pos, flg, cmd, hw_lower, hw_upper, broken, virtual)
        if ioflg and ioflg & IORESOURCE_PCI_EA_BEI:
            text += " [enhanced]"
        ctx.write(text + size_suffix(length) + "\n")


def _bar_text(pos: int, flg: int, cmd: int, hw_lower: int, hw_upper: int, broken: bool, virtual: bool) -> str:
    if flg & 1:
        address = pos & ~3
        text = "I/O ports at "
        if address or cmd & 1:
            text += f"{address:04x}"
        else:
            text += "<ignored>" if hw_lower else "<unassigned>"
        return text + (" [virtual]" if virtual else "" if cmd & 1 else " [disabled]")
    mem_type = flg & 6
    address = pos & ~0xF
    text = "Memory at "
    if broken:
        text += "<broken-64-bit-slot>"
    elif address:
        text += f"{address:08x}"
    else:
        text += "<ignored>" if hw_lower or hw_upper else "<unassigned>"
    kind = {0: "32-bit", 4: "64-bit", 2: "low-1M"}.get(mem_type, "type 3")
    text += f" ({kind}, {'' if flg & 8 else 'non-'}prefetchable)"
    return text + (" [virtual]" if virtual else "" if cmd & 2 else " [disabled]")


def show_rom(ctx: RenderContext, reg: int) -> None:
    """The Expansion ROM line."""
    dev = ctx.device
    kernel = dev.kernel
    flg = dev.config.read32(reg) if dev.config.readable(reg, 4) else 0
    length, ioflg = 0, 0
    if kernel is not None and len(kernel.resources) > 6:
        res = kernel.resources[6]
        rom = res.start | (res.flags & 0xF)
        length = res.end - res.start + 1 if res.end > res.start else 0
        ioflg = res.flags
    else:
        rom = 0 if flg == 0xFFFFFFFF else flg
    cmd = ctx.common.command.raw
    if not rom and not flg and not length:
        return
    virtual = False
    if rom & ~0x7FF and not flg & ~0x7FF and not ioflg & IORESOURCE_PCI_EA_BEI:
        flg, virtual = rom, True
    text = "\tExpansion ROM at "
    if rom & ~0x7FF:
        text += f"{rom & ~0x7FF:08x}"
    else:
        text += "<ignored>" if flg & ~0x7FF else "<unassigned>"
    if virtual:
        text += " [virtual]"
    if not flg & 1:
        text += " [disabled]"
    elif not virtual and not cmd & 2:
        text += " [disabled by cmd]"
    if ioflg & IORESOURCE_PCI_EA_BEI:
        text += " [enhanced]"
    ctx.write(text + size_suffix(length) + "\n")


def _devsel(status: int) -> str:
    return _DEVSEL.get((status >> 9) & 3, "??")


def show_control_status(ctx: RenderContext, min_gnt: int, max_lat: int) -> None:
    """Control/Status/Latency lines (-vv)."""
    common = ctx.common
    cmd, st = common.command.raw, common.status.raw
    c, s = signs16(cmd), signs16(st)
    ctx.write(
        f"\tControl: I/O{c[0]} Mem{c[1]} BusMaster{c[2]} SpecCycle{c[3]} MemWINV{c[4]} VGASnoop{c[5]} "
        f"ParErr{c[6]} Stepping{c[7]} SERR{c[8]} FastB2B{c[9]} DisINTx{c[10]}\n"
    )
    ctx.write(
        f"\tStatus: Cap{s[4]} 66MHz{s[5]} UDF{s[6]} FastB2B{s[7]} ParErr{s[8]} DEVSEL={_devsel(st)} "
        f">TAbort{s[11]} <TAbort{s[12]} <MAbort{s[13]} >SERR{s[14]} <PERR{s[15]} INTx{s[3]}\n"
    )
    if not cmd & 4:
        return
    text = f"\tLatency: {common.latency_timer}"
    if min_gnt or max_lat:
        parts = []
        if min_gnt:
            parts.append(f"{min_gnt * 250}ns min")
        if max_lat:
            parts.append(f"{max_lat * 250}ns max")
        text += " (" + ", ".join(parts) + ")"
    if common.cache_line_size:
        text += f", Cache Line Size: {common.cache_line_size * 4} bytes"
    ctx.write(text + "\n")


def show_flags_line(ctx: RenderContext) -> None:
    """The ``Flags:`` summary of -v."""
    dev = ctx.device
    common = ctx.common
    cmd, st = common.command.raw, common.status.raw
    words = []
    for bit, word in ((4, "bus master"), (0x20, "VGA palette snoop"), (0x80, "stepping"), (0x200, "fast Back2Back")):
        if cmd & bit:
            words.append(word)
    for bit, word in ((0x20, "66MHz"), (0x40, "user-definable features")):
        if st & bit:
            words.append(word)
    text = "\tFlags: " + "".join(w + ", " for w in words) + f"{_devsel(st)} devsel"
    if cmd & 4:
        text += f", latency {common.latency_timer}"
    irq = irq_of(dev)
    if irq:
        text += f", IRQ {irq}"
    if dev.kernel is not None and dev.kernel.numa_node is not None:
        text += f", NUMA node {dev.kernel.numa_node}"
    if dev.kernel is not None and dev.kernel.iommu_group is not None:
        text += f", IOMMU group {dev.kernel.iommu_group}"
    ctx.write(text + "\n")


def irq_of(dev) -> int:
    """The IRQ lspci shows: the kernel's for live devices, else (dumps, -b) Interrupt Line."""
    if dev.kernel is not None and dev.kernel.irq is not None:
        return dev.kernel.irq
    return dev.interrupt.line_raw if dev.has_config else 0


def show_bridge(ctx: RenderContext) -> None:
    """Type 1 header: buses, windows, secondary status, bridge control."""
    body = ctx.device.header.body
    ctx.write(
        f"\tBus: primary={body.primary_bus:02x}, secondary={body.secondary_bus:02x}, "
        f"subordinate={body.subordinate_bus:02x}, sec-latency={body.secondary_latency_timer}\n"
    )
    _io_window(ctx, body)
    _memory_window(ctx, body)
    _prefetch_window(ctx, body)
    if ctx.verbose > 1:
        sec = body.secondary_status.raw
        ctx.write(
            f"\tSecondary status: 66MHz{flag(sec, 0x20)} FastB2B{flag(sec, 0x80)} ParErr{flag(sec, 0x100)} "
            f"DEVSEL={_devsel(sec)} >TAbort{flag(sec, 0x800)} <TAbort{flag(sec, 0x1000)} "
            f"<MAbort{flag(sec, 0x2000)} <SERR{flag(sec, 0x4000)} <PERR{flag(sec, 0x8000)}\n"
        )
    show_rom(ctx, 0x38)
    if ctx.verbose > 1:
        brc = body.bridge_control
        ctx.write(
            f"\tBridgeCtl: Parity{pm(brc.parity_error_response)} SERR{pm(brc.serr_enable)} "
            f"NoISA{pm(brc.isa_enable)} VGA{pm(brc.vga_enable)} VGA16{pm(brc.vga_16bit_decode)} "
            f"MAbort{pm(brc.master_abort_mode)} >Reset{pm(brc.secondary_bus_reset)} "
            f"FastB2B{pm(brc.fast_back_to_back_enable)}\n"
        )
        ctx.write(
            f"\t\tPriDiscTmr{pm(brc.primary_discard_timeout)} SecDiscTmr{pm(brc.secondary_discard_timeout)} "
            f"DiscTmrStat{pm(brc.discard_timer_status)} DiscTmrSERREn{pm(brc.discard_timer_serr_enable)}\n"
        )


def _io_window(ctx: RenderContext, body) -> None:
    base, limit = body.io_base, body.io_limit
    io_type = base & 0xF
    if io_type != (limit & 0xF) or io_type not in (0, 1):
        ctx.write(f"\t!!! Unknown I/O range types {base:x}/{limit:x}\n")
        return
    lo = (base & 0xF0) << 8
    hi = (limit & 0xF0) << 8
    if io_type == 1:
        lo |= body.io_base_upper16 << 16
        hi |= body.io_limit_upper16 << 16
    _range(ctx, "\tI/O behind bridge", lo, hi + 0xFFF, 32 if io_type == 1 else 16, False)


def _memory_window(ctx: RenderContext, body) -> None:
    base, limit = body.memory_base, body.memory_limit
    mem_type = base & 0xF
    if mem_type != (limit & 0xF) or mem_type:
        ctx.write(f"\t!!! Unknown memory range types {base:x}/{limit:x}\n")
        return
    _range(ctx, "\tMemory behind bridge", (base & 0xFFF0) << 16, ((limit & 0xFFF0) << 16) + 0xFFFFF, 32, False)


def _prefetch_window(ctx: RenderContext, body) -> None:
    base, limit = body.prefetchable_memory_base, body.prefetchable_memory_limit
    pref_type = base & 0xF
    if pref_type != (limit & 0xF) or pref_type not in (0, 1):
        ctx.write(f"\t!!! Unknown prefetchable memory range types {base:x}/{limit:x}\n")
        return
    lo = (base & 0xFFF0) << 16
    hi = (limit & 0xFFF0) << 16
    if pref_type == 1:
        lo |= body.prefetchable_base_upper32 << 32
        hi |= body.prefetchable_limit_upper32 << 32
    _range(ctx, "\tPrefetchable memory behind bridge", lo, hi + 0xFFFFF, 64 if pref_type == 1 else 32, False)


def show_cardbus(ctx: RenderContext) -> bool:
    """Type 2 header; returns False when the rest is not readable (64-byte reads)."""
    dev = ctx.device
    body = dev.header.body
    cmd = ctx.common.command.raw
    brc = body.bridge_control.raw
    verb = ctx.verbose > 2
    ctx.write(
        f"\tBus: primary={body.pci_bus:02x}, secondary={body.cardbus_bus:02x}, "
        f"subordinate={body.subordinate_bus:02x}, sec-latency={body.cardbus_latency_timer}\n"
    )
    for i in range(2):
        base = body[f"memory_base{i}"]
        limit = (body[f"memory_limit{i}"] + 0xFFF) & 0xFFFFFFFF
        if base <= limit or verb:
            ctx.write(
                f"\tMemory window {i}: {base:08x}-{limit:08x}{'' if cmd & 2 else ' [disabled]'}"
                f"{' (prefetchable)' if brc & (0x100 << i) else ''}\n"
            )
    for i in range(2):
        base, limit = body[f"io_base{i}"], body[f"io_limit{i}"]
        if not base & 1:
            base &= 0xFFFF
            limit &= 0xFFFF
        base &= ~3
        limit = ((limit & ~3) + 3) & 0xFFFFFFFF
        if base <= limit or verb:
            ctx.write(f"\tI/O window {i}: {base:08x}-{limit:08x}{'' if cmd & 1 else ' [disabled]'}\n")
    if body.secondary_status.raw & 0x4000:
        ctx.write("\tSecondary status: SERR\n")
    if ctx.verbose > 1:
        ctx.write(
            f"\tBridgeCtl: Parity{flag(brc, 1)} SERR{flag(brc, 2)} ISA{flag(brc, 4)} VGA{flag(brc, 8)} "
            f"MAbort{flag(brc, 0x20)} >Reset{flag(brc, 0x40)} 16bInt{flag(brc, 0x80)} PostWrite{flag(brc, 0x400)}\n"
        )
    if dev.config.size < 128:
        ctx.write("\t<access denied to the rest>\n")
        return False
    exca = body.legacy_mode_base & 0xFFFF
    if exca:
        ctx.write(f"\t16-bit legacy interface ports at {exca:04x}\n")
    return True
