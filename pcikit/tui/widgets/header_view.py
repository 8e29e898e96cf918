"""The Header tab: identity, Command/Status bits, BARs with sizes, interrupt pin and line."""
from __future__ import annotations

from typing import Any, Optional

from rich.console import Group
from rich.text import Text

from ...model import Bar, Device
from ..inspect import Inspection
from ..rows import class_label
from .section import Section
from .text_pane import TextPane

CHANGED = "bold black on yellow"
_HEADER_TYPES = {0: "0 (normal)", 1: "1 (PCI-to-PCI bridge)", 2: "2 (CardBus bridge)"}


def human_size(size: int) -> str:
    """4096 -> ``4K``; exact powers of 1024 only get a suffix."""
    for suffix in ("", "K", "M", "G", "T"):
        if size % 1024 or suffix == "T":
            return f"{size}{suffix}"
        size //= 1024
    return str(size)


def _value(text: str, changed: bool) -> Text:
    return Text(text, style=CHANGED if changed else "")


def _flags(register: Any) -> Text:
    """The set flags of a decoded register, and its non-zero multi-bit fields."""
    out = Text()
    for key, value in register.items():
        if key == "raw" or str(key).startswith("_") or not value:
            continue
        out.append(f"{key}+ " if isinstance(value, bool) else f"{key}={value} ", style="green")
    out.append("(other bits clear)" if out else "(all clear)", style="dim")
    return out


def _bar_text(bar: Bar) -> str:
    if bar.space == "io":
        kind = "I/O ports"
    else:
        kind = f"Memory ({bar.bits}-bit, {'prefetchable' if bar.prefetchable else 'non-prefetchable'})"
    where = f"at 0x{bar.address:x}" if bar.address else "unassigned"
    size = f"size {human_size(bar.size)}" if bar.size else "size unknown (not reported by a dump)"
    return f"{kind} {where}, {size}"


def _link_text(dev: Device) -> str:
    """``8 GT/s x4 (capable 8 GT/s x16)`` from the PCIe capability's link registers, else empty."""
    cap = dev.find_capability(0x10)
    fields = cap.fields if cap is not None else None
    if fields is None or fields.get("link_status") is None or not fields.get("max_link_width"):
        return ""
    if None in (fields.link_speed_gts, fields.link_width, fields.max_link_speed_gts):
        return ""
    return (f"{fields.link_speed_gts:g} GT/s x{fields.link_width} "
            f"(capable {fields.max_link_speed_gts:g} GT/s x{fields.max_link_width})")


class HeaderView(TextPane):
    """The decoded header of the selected device (read from the model, never from bytes)."""

    def show(self, inspection: Optional[Inspection]) -> None:
        """Render ``inspection`` (None clears)."""
        self.set_content(Group(*self._sections(inspection)) if inspection is not None else None)

    def _sections(self, inspection: Inspection) -> list:
        dev = inspection.device
        changed = inspection.changed
        sections = [self._health(inspection), self._identity(dev, inspection)]
        if dev.header is None:
            sections.append(Text(f"Only {dev.config.size} bytes of config space are readable: no header.", style="red"))
            return sections
        sections.append(self._registers(dev, changed))
        if dev.header.body is None:
            note = f"Header type 0x{dev.header_type:02x} is not defined: only the first 16 bytes are decoded."
            sections.append(Text(note, style="red"))
            return sections
        sections.append(self._bars(dev, changed))
        sections.append(self._interrupt(dev, changed))
        if dev.header_type == 1:
            sections.append(self._bridge(dev, changed))
        return sections

    def _health(self, inspection: Inspection) -> Section:
        """pcikit.health's findings (worst first), then the link, interrupts, power and the kernel's view."""
        from ...interrupts import interrupt_summary
        from ..health import glyph, power_state

        dev = inspection.device
        health = inspection.health
        table = Section("Health")
        for severity, topic, text in health.lines():
            mark, style = glyph(severity) if severity != "info" else ("i", "cyan")
            table.add_row(Text(f"{mark} {topic}", style=style), Text(text, style=style))
        if health.severity == "ok" and not any(s != "info" for s, _, _ in health.lines()):
            table.add_row(Text("● ok", style="green"), Text("no problems found", style="green"))
        link = _link_text(dev)
        if link:
            table.add_row("Link", link)
        if dev.header is not None:
            table.add_row("Interrupts", interrupt_summary(dev).mode + " in use")
        power = power_state(dev)
        if power is not None:
            table.add_row("Power state", power)
        kernel = dev.kernel
        if kernel is not None:
            for label, value in (("IOMMU group", kernel.iommu_group), ("NUMA node", kernel.numa_node),
                                 ("Modules", ", ".join(kernel.modules))):
                if value not in (None, ""):
                    table.add_row(label, str(value))
        return table

    def _identity(self, dev: Device, inspection: Inspection) -> Section:
        ids = inspection.ids
        table = Section("Identity")
        vendor = ids.vendor(dev.vendor_id) or "unknown vendor"
        device = ids.device(dev.vendor_id, dev.device_id) or "unknown device"
        table.add_row("Slot", str(dev.address))
        table.add_row("Vendor", f"{dev.vendor_id:04x}  {vendor}")
        table.add_row("Device", f"{dev.device_id:04x}  {device}")
        sub = dev.subsystem
        if sub is not None and sub[0] not in (0, 0xFFFF):
            name = ids.subsystem(dev.vendor_id, dev.device_id, *sub) or ids.vendor(sub[0]) or ""
            table.add_row("Subsystem", f"{sub[0]:04x}:{sub[1]:04x}  {name}")
        prog_if = ids.prog_if_name(dev.class_code >> 16, (dev.class_code >> 8) & 0xFF, dev.prog_if)
        klass = class_label(dev, ids) + (f" ({prog_if})" if prog_if else "")
        table.add_row("Class", f"{dev.class_code:06x}  {klass}")
        table.add_row("Revision", f"{dev.revision:02x}")
        table.add_row("Header type", _HEADER_TYPES.get(dev.header_type, f"{dev.header_type:02x} (unknown)")
                      + (", multi-function" if dev.multifunction else ""))
        table.add_row("Config space", f"{dev.config.size} bytes readable")
        if dev.kernel is not None:
            table.add_row("Driver", dev.kernel.driver or "none bound")
        return table

    def _registers(self, dev: Device, changed: set) -> Section:
        common = dev.header.common
        table = Section("Command and Status")
        for name in ("command", "status"):
            register = common[name]
            raw = _value(f"0x{register.raw:04x}", ("header", "common", name) in changed)
            table.add_row(name.capitalize(), Text.assemble(raw, "  ", _flags(register)))
        return table

    def _bars(self, dev: Device, changed: set) -> Section:
        table = Section("Base Address Registers")
        if not dev.bars:
            table.add_row("", "none implemented")
        for bar in dev.bars:
            path = ("header", "body", "bars", bar.index)
            table.add_row(f"BAR {bar.index}", _value(_bar_text(bar), path in changed))
        rom = dev.header.body.get("expansion_rom")
        if rom is not None and rom.raw:
            text = f"at 0x{rom.address:x} ({'enabled' if rom.enable else 'disabled'})"
            table.add_row("ROM", _value(text, ("header", "body", "expansion_rom") in changed))
        return table

    def _interrupt(self, dev: Device, changed: set) -> Section:
        irq = dev.interrupt
        table = Section("Interrupt")
        pin = irq.pin or (f"reserved value 0x{irq.pin_raw:02x}" if irq.reserved_pin else "none (no INTx)")
        table.add_row("Pin", _value(pin, ("header", "body", "interrupt_pin") in changed))
        line = "not connected / unknown (0xff)" if irq.line is None else str(irq.line)
        table.add_row("Line", _value(line, ("header", "body", "interrupt_line") in changed))
        if dev.kernel is not None and dev.kernel.irq:
            table.add_row("Kernel IRQ", str(dev.kernel.irq))
        return table

    def _bridge(self, dev: Device, changed: set) -> Section:
        body = dev.header.body
        table = Section("Bridge")
        for name in ("primary_bus", "secondary_bus", "subordinate_bus"):
            label = name.replace("_", " ").capitalize()
            table.add_row(label, _value(f"{body[name]:02x}", ("header", "body", name) in changed))
        return table
