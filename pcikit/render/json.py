"""The stable JSON document (docs/json-schema.md, docs/pcikit.schema.json): one object per device,
in the order given (the CLI gives lspci's order)."""
from __future__ import annotations

import json
from typing import Any, Iterable, Iterator, Mapping, Optional

from ..ids import IdDatabase
from ..model import Capability, Device
from .fields import plain


def _names(dev: Device, ids: Optional[IdDatabase]) -> dict[str, Optional[str]]:
    if ids is None:
        return {"vendor": None, "device": None, "subsystem": None, "class": None}
    klass = ids.subclass_name(dev.class_code >> 16, (dev.class_code >> 8) & 0xFF)
    return {
        "vendor": ids.vendor(dev.vendor_id),
        "device": ids.device(dev.vendor_id, dev.device_id),
        "subsystem": _subsystem_name(dev, ids),
        "class": klass if klass is not None else ids.class_name(dev.class_code >> 16),
    }


def _subsystem_name(dev: Device, ids: IdDatabase) -> Optional[str]:
    """The subsystem's own entry, else (as lspci does) the device name when they are equal."""
    sub = dev.subsystem
    if not sub:
        return None
    name = ids.subsystem(dev.vendor_id, dev.device_id, *sub)
    if name is None and sub == (dev.vendor_id, dev.device_id):
        name = ids.device(dev.vendor_id, dev.device_id)
    return name


def _register(value: Any) -> Optional[dict]:
    return plain(value) if value is not None else None


def _capability(cap: Capability) -> dict[str, Any]:
    entry: dict[str, Any] = {"offset": cap.offset, "id": cap.cap_id}
    if cap.extended:
        entry["version"] = cap.version
    entry["name"] = cap.name
    entry["fields"] = plain(cap.fields) if cap.fields is not None else None
    return entry


def _bars(dev: Device) -> list[dict[str, Any]]:
    return [
        {
            "index": bar.index,
            "space": bar.space,
            "address": bar.address,
            "bits": bar.bits,
            "prefetchable": bar.prefetchable,
            "size": bar.size,
        }
        for bar in dev.bars
    ]


def _interrupts(dev: Device, regions: Optional[tuple]) -> dict[str, Any]:
    """``interrupts`` always; ``msix_table`` and ``pba`` when the table's BAR could be read."""
    from ..interrupts import interrupt_summary

    summary = interrupt_summary(dev, *(regions or ()))
    extra: dict[str, Any] = {"interrupts": summary.to_json()}
    state = summary.msix
    if state is not None and state.unread is None and state.vectors:
        extra["msix_table"] = [v.to_json() for v in state.vectors]
        extra["pba"] = [v.pending for v in state.vectors]
    return extra


def device_document(dev: Device, ids: Optional[IdDatabase] = None, regions: Optional[tuple] = None) -> dict[str, Any]:
    """The JSON object of one device (plain dicts, lists, numbers, strings).

    ``regions`` is (BAR index -> mapped region, BAR index -> why unmapped); with the
    MSI-X table's BAR mapped, the document carries ``msix_table`` and ``pba``.
    """
    header = dev.header
    sub = dev.subsystem
    problems = dev.problems
    return {
        "slot": str(dev.address),
        "vendor_id": dev.vendor_id,
        "device_id": dev.device_id,
        "subsystem_vendor_id": sub[0] if sub else None,
        "subsystem_id": sub[1] if sub else None,
        "revision": dev.revision,
        "class_code": dev.class_code,
        "header_type": dev.header_type,
        "multifunction": dev.multifunction,
        "config_size": dev.config.size,
        "names": _names(dev, ids),
        "command": _register(header.common.command) if header else None,
        "status": _register(header.common.status) if header else None,
        "interrupt": {"pin": dev.interrupt.pin, "line": dev.interrupt.line},
        "bars": _bars(dev) if header else [],
        "capabilities": [_capability(c) for c in dev.capabilities],
        "extended_capabilities": [_capability(c) for c in dev.extended_capabilities],
        "driver": dev.kernel.driver if dev.kernel else None,
        "header": plain(header) if header else None,
        **(_interrupts(dev, regions) if header else {}),
        "problems": problems,
    }


def dumps(devices: Iterable[Device], ids: Optional[IdDatabase] = None,
          regions: Optional[Mapping[Any, tuple]] = None) -> str:
    """The JSON array for ``devices``; ``regions`` maps an address to (regions, why unmapped)."""
    return "".join(iter_dumps(devices, ids, regions))


def iter_dumps(devices: Iterable[Device], ids: Optional[IdDatabase] = None,
               regions: Optional[Mapping[Any, tuple]] = None) -> Iterator[str]:
    """:func:`dumps` in pieces, one device at a time (the same text, joined).

    Only one device's document exists at a time, so a caller that hands over devices it no
    longer holds (see the CLI) writes any number of them in bounded memory.
    """
    regions = regions or {}
    first = True
    for dev in devices:
        text = json.dumps(device_document(dev, ids, regions.get(dev.address)), indent=2)
        yield ("[\n  " if first else ",\n  ") + text.replace("\n", "\n  ")  # one level in, as in a list
        first = False
    yield "[]" if first else "\n]"
