"""Device-level lspci output: the slot name, the terse line, verbose header, capabilities, kernel lines, hex.

The slot is named as pciutils ``lspci.c`` show_slot_name / show_slot_path name it: ``[DDDD:]BB:DD.F``;
``-P`` prefixes the bridges above the device (``00:1c.0/00.0``), ``-PP`` gives each step its bus
number too (``00:1c.0/02:00.0``); the topology behind the paths is imported for ``-P`` only.
"""
from __future__ import annotations


from ...model import Device
from .context import LspciOptions, RenderContext
from .dialect import V3_10
from .names import Namer

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Iterable, Optional


def _step(dev: Device, path: int) -> str:
    address = dev.address
    return address.short if path > 1 else f"{address.device:02x}.{address.function}"


def slot_label(dev: Device, show_domain: bool, path: int = 0,
               parents: Optional[dict[Device, Optional[Device]]] = None) -> str:
    """The slot text of ``dev``; ``path`` is the number of ``-P`` flags, ``parents`` the topology."""
    if path and parents is not None:
        from ..tree import bridge_chain

        chain = bridge_chain(dev, parents)
    else:
        chain = []
    first, rest = (chain[0], chain[1:] + [dev]) if chain else (dev, [])
    text = f"{dev.address.domain:04x}:" if show_domain else ""
    return text + first.address.short + "".join("/" + _step(step, path) for step in rest)


def topology(devices: Iterable[Device], path: int, per_domain: bool,
             kernel: bool = True) -> Optional[dict[Device, Optional[Device]]]:
    """The parent bridge of every device when ``-P`` asks for paths, else None.

    ``per_domain``: place devices as lspci 3.10 and later do; ``kernel``: take the parents the
    kernel reports (not under -b). See :func:`..tree.parent_bridges`.
    """
    if not path:
        return None
    from ..tree import parent_bridges

    return parent_bridges(devices, per_domain, kernel)


def show_terse(ctx: RenderContext, slot: str) -> None:
    """The first line (and Subsystem under -v/-k)."""
    dev = ctx.device
    namer = ctx.namer
    size = ctx.name_size
    klass, names = namer.class_name(dev.class_word, size), namer.vendor_device(dev.vendor_id, dev.device_id, size)
    text = f"{slot} {klass}: {names}"
    if dev.revision:
        text += f" (rev {dev.revision:02x})"
    if ctx.verbose:
        prog_if = dev.prog_if
        name = namer.prog_if(dev.class_word, prog_if, size)
        if prog_if or name is not None:
            text += f" (prog-if {prog_if:02x}" + (f" [{name}]" if name is not None else "") + ")"
    ctx.write(text + "\n")
    if ctx.verbose or ctx.options.kernel:
        sub = dev.subsystem
        if sub is not None and sub[0] and sub[0] != 0xFFFF:
            ctx.write(f"\tSubsystem: {namer.subsystem(dev.vendor_id, dev.device_id, *sub)}\n")


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


def render_device(dev: Device, options: LspciOptions, namer: Namer, slot: str) -> str:
    """Everything lspci prints for one device with these options; ``slot`` names it."""
    if options.bus_centric:
        from .buscentric import bus_view

        dev = bus_view(dev)
    ctx = RenderContext(options, namer, dev)
    if options.machine:
        from .machine import show_machine

        show_machine(ctx, slot)
    elif options.verbose:
        from . import verbose  # header and capability renderers: only for -v

        verbose.show_verbose(ctx, slot)
    else:
        show_terse(ctx, slot)
    if not options.machine and (options.kernel or options.verbose):
        show_kernel(ctx)
    if options.hex_level:
        show_hex(ctx)
    if options.verbose or options.hex_level:
        ctx.write("\n")
    return "".join(ctx.out)


def _shows_domain(dev: Device, options: LspciOptions, domains: bool) -> bool:
    """Machine formats: the device's own domain or -D; the others: any device's, or -D."""
    if options.machine:
        return bool(dev.address.domain) or options.forced_domains
    return domains


def render_devices(devices: Iterable[Device], options: LspciOptions, namer: Namer,
                   scanned: Optional[Iterable[Device]] = None) -> Iterable[str]:
    """Text of each device in lspci's order (domains shown when any device has one, or -D).

    ``scanned``: every device of the source (the topology ``-P`` paths are drawn from);
    defaults to ``devices``.
    """
    devices = sorted(devices, key=lambda dev: dev.address)
    domains = options.domains if options.domains is not None else any(d.address.domain for d in devices)
    parents = topology(devices if scanned is None else scanned, options.path, options.dialect >= V3_10,
                       kernel=not options.bus_centric)
    for dev in devices:
        slot = slot_label(dev, _shows_domain(dev, options, domains), options.path, parents)
        yield render_device(dev, options, namer, slot)
