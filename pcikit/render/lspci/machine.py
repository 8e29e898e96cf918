"""lspci's machine-readable formats (pciutils ``lspci.c`` show_machine).

``-m`` / ``-mm``: one line per device, names shell-quoted; ``-vmm``: ``Tag:<TAB>value`` records
(``-vm`` names the first tag ``Device`` instead of ``Slot``), with ``-k`` the driver and modules.
"""
from __future__ import annotations

from .context import RenderContext


def shell_quoted(text: str) -> str:
    """`` "text"`` with ``"`` and ``\\`` escaped by a backslash (print_shell_escaped)."""
    return ' "' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _subsystem(ctx: RenderContext):
    """(vendor, device) of a subsystem lspci prints, or None."""
    sub = ctx.device.subsystem
    return sub if sub is not None and sub[0] and sub[0] != 0xFFFF else None


def _names(ctx: RenderContext, size: int) -> list[str]:
    """Class, vendor and device names as the machine formats look them up (one at a time)."""
    dev, namer = ctx.device, ctx.namer
    return [
        namer.class_name(dev.class_word, size),
        namer.vendor(dev.vendor_id, size),
        namer.device(dev.vendor_id, dev.device_id, size),
    ]


def _subsystem_names(ctx: RenderContext, sub: tuple[int, int], size: int) -> list[str]:
    dev, namer = ctx.device, ctx.namer
    return [
        namer.subsystem_vendor(sub[0], size),
        namer.subsystem_device(dev.vendor_id, dev.device_id, sub[0], sub[1], size),
    ]


def show_machine_line(ctx: RenderContext, slot: str) -> None:
    """``-m`` / ``-mm``: slot, quoted names, ``-rNN`` revision, ``-pNN`` prog-if, quoted subsystem."""
    dev, size = ctx.device, ctx.name_size
    text = slot + "".join(shell_quoted(name) for name in _names(ctx, size))
    if dev.revision:
        text += f" -r{dev.revision:02x}"
    text += f" -p{dev.prog_if:02x}"
    sub = _subsystem(ctx)
    if sub is not None:
        text += "".join(shell_quoted(name) for name in _subsystem_names(ctx, sub, size))
    else:
        text += ' "" ""'
    ctx.write(text + "\n")


def show_machine_record(ctx: RenderContext, slot: str) -> None:
    """``-vmm``: one ``Tag:<TAB>value`` line per known fact (``-vm``: ``Device:`` for the slot)."""
    dev, size = ctx.device, ctx.name_size
    kernel = dev.kernel
    lines = [("Slot" if ctx.options.machine >= 2 else "Device", slot)]
    lines += zip(("Class", "Vendor", "Device"), _names(ctx, size))
    sub = _subsystem(ctx)
    if sub is not None:
        lines += zip(("SVendor", "SDevice"), _subsystem_names(ctx, sub, size))
    if kernel is not None and kernel.physical_slot:
        lines.append(("PhySlot", kernel.physical_slot))
    if dev.revision:
        lines.append(("Rev", f"{dev.revision:02x}"))
    lines.append(("ProgIf", f"{dev.prog_if:02x}"))
    if ctx.options.kernel and kernel is not None:
        if kernel.driver:
            lines.append(("Driver", kernel.driver))
        lines += (("Module", module) for module in kernel.modules)
    if kernel is not None and kernel.numa_node is not None:
        lines.append(("NUMANode", str(kernel.numa_node)))
    if kernel is not None and kernel.dt_node:
        lines.append(("DTNode", kernel.dt_node))
    if kernel is not None and kernel.iommu_group is not None:
        lines.append(("IOMMUGroup", kernel.iommu_group))
    ctx.write("".join(f"{tag}:\t{value}\n" for tag, value in lines))


def show_machine(ctx: RenderContext, slot: str) -> None:
    """The machine-readable text of one device (``-m``/``-mm``, or with ``-v`` the record)."""
    if ctx.verbose:
        show_machine_record(ctx, slot)
    else:
        show_machine_line(ctx, slot)
