"""pcikit's own readable layout: the header at a glance, capabilities, and problems.

``-v`` adds every decoded register of every capability (set flags and field values);
``-vv`` also lists clear flags, so each bit of the spec is visible.
"""
from __future__ import annotations

from ..ids import IdDatabase
from ..model import Capability, Device
from .fields import plain
from .lspci.context import size_suffix

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Any, Iterable, Mapping, Optional

_SKIP = {"cap_id", "next", "raw", "problems"}


def _title(dev: Device, ids: IdDatabase) -> str:
    klass = ids.subclass_name(dev.class_code >> 16, (dev.class_code >> 8) & 0xFF) or ids.class_name(dev.class_code >> 16)
    vendor = ids.vendor(dev.vendor_id) or f"vendor {dev.vendor_id:04x}"
    device = ids.device(dev.vendor_id, dev.device_id) or f"device {dev.device_id:04x}"
    text = f"{dev.address} {klass or 'class'} [{dev.class_word:04x}]: {vendor} {device} [{dev.vendor_id:04x}:{dev.device_id:04x}]"
    return text + (f" (rev {dev.revision:02x})" if dev.revision else "")


def _set_flags(register: Any) -> str:
    names = [k for k, v in plain(register).items() if v is True]
    return " ".join(names) if names else "-"


def _interrupts(dev: Device, regions: Optional[tuple], verbose: int) -> list[str]:
    from ..interrupts import interrupt_summary

    summary = interrupt_summary(dev, *(regions or ()))
    first, *rest = summary.lines()
    lines = [f"    interrupts  {first}"]
    lines.extend(f"                {line}" for line in rest)
    state = summary.msix
    if verbose and state is not None and state.vectors:
        lines.append("                vector  address             data        masked  pending")
        for v in state.vectors:
            pending = "?" if v.pending is None else ("yes" if v.pending else "no")
            lines.append(f"                {v.vector:6d}  {v.address:#018x}  {v.data:#010x}  "
                         f"{'yes' if v.masked else 'no':6s}  {pending}")
    return lines


def _bar_line(bar) -> str:
    kind = "I/O" if bar.space == "io" else f"memory {bar.bits}-bit{' prefetchable' if bar.prefetchable else ''}"
    where = f"0x{bar.address:x}" if bar.address else "unassigned"
    size = size_suffix(bar.size) if bar.size else ""
    return f"    BAR {bar.index}       {kind} at {where}{size}"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "+" if value else "-"
    if isinstance(value, int):
        return f"{value} (0x{value:x})" if value > 9 else str(value)
    return str(value)


def _field_lines(fields: Any, verbose: int, indent: str) -> list[str]:
    lines: list[str] = []
    for key, value in plain(fields).items():
        if key in _SKIP or value is None:
            continue
        if isinstance(value, dict) and "raw" in value:
            bits = [
                k if v is True else f"-{k}" if v is False else f"{k}={_value(v)}"
                for k, v in value.items()
                if k != "raw" and (v is not False or verbose > 1)
            ]
            lines.append(f"{indent}{key} = 0x{value['raw']:x}: " + " ".join(bits))
        elif isinstance(value, dict):
            lines.append(f"{indent}{key}:")
            lines.extend(_field_lines(value, verbose, indent + "  "))
        elif isinstance(value, list):
            lines.append(f"{indent}{key}: [{len(value)} entries]")
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    lines.append(f"{indent}  [{index}]")
                    lines.extend(_field_lines(item, verbose, indent + "    "))
                else:
                    lines.append(f"{indent}  [{index}] {_value(item)}")
        else:
            lines.append(f"{indent}{key} = {_value(value)}")
    return lines


def _capability_name(cap: Capability) -> str:
    """The capability's name; virtio structures as lspci names them (``Vendor Specific: VirtIO: CommonCfg``)."""
    fields = cap.fields
    if not cap.extended and fields is not None and fields.get("kind") == "virtio":
        from .lspci.caps.vendor import virtio_name

        return f"{cap.name}: VirtIO: {virtio_name(fields.cfg_type)}"
    return cap.name


def _capability(cap: Capability, verbose: int) -> list[str]:
    where = f"[{cap.offset:03x}]" if cap.extended else f"[{cap.offset:02x}]"
    version = f" v{cap.version}" if cap.extended else ""
    lines = [f"      {where} {_capability_name(cap)}{version}"]
    if verbose and cap.fields is not None:
        lines.extend(_field_lines(cap.fields, verbose, "           "))
    return lines


def _subsystem(dev: Device, ids: IdDatabase) -> Optional[str]:
    sub = dev.subsystem
    if not sub or sub[0] in (0, 0xFFFF):
        return None
    name = ids.subsystem(dev.vendor_id, dev.device_id, *sub)
    if name is None and sub == (dev.vendor_id, dev.device_id):
        name = ids.device(dev.vendor_id, dev.device_id)
    vendor = ids.vendor(sub[0]) or "vendor"
    return f"{vendor} {name or 'device'} [{sub[0]:04x}:{sub[1]:04x}]"


def render_device(dev: Device, ids: IdDatabase, verbose: int = 0, regions: Optional[tuple] = None) -> str:
    """The native text of one device; ``regions`` (mapped BARs, why-unmapped) lets it show MSI-X vectors."""
    lines = [_title(dev, ids)]
    if not dev.has_config:
        lines.append(f"    config      only {dev.config.size} bytes readable")
        return "\n".join(lines + [f"    problem     {p}" for p in dev.problems]) + "\n"
    sub = _subsystem(dev, ids)
    if sub:
        lines.append(f"    subsystem   {sub}")
    if dev.kernel is not None and dev.kernel.driver:
        lines.append(f"    driver      {dev.kernel.driver}")
    lines.append(f"    header      type {dev.header_type}{', multi-function' if dev.multifunction else ''}; "
                 f"{dev.config.size} config bytes readable")
    lines.append(f"    command     {_set_flags(dev.command)}")
    lines.append(f"    status      {_set_flags(dev.status)}")
    lines.extend(_interrupts(dev, regions, verbose))
    lines.extend(_bar_line(bar) for bar in dev.bars)
    caps = dev.capabilities + dev.extended_capabilities
    if dev.config.size <= 64 and dev.status is not None and dev.status.capabilities_list:
        lines.append("    capabilities need root: only the first 64 bytes of config space are readable")
    elif caps:
        lines.append("    capabilities")
        for cap in caps:
            lines.extend(_capability(cap, verbose))
    lines.extend(f"    problem     {p}" for p in dev.problems)
    return "\n".join(lines) + "\n"


def render_text(devices: Iterable[Device], ids: IdDatabase, verbose: int = 0,
                regions: Optional[Mapping[Any, tuple]] = None) -> str:
    """Native text of every device, separated by blank lines (``regions`` keyed by address)."""
    regions = regions or {}
    return "\n".join(render_device(dev, ids, verbose, regions.get(dev.address)) for dev in devices)
