"""The stable JSON document (see docs/json-schema.md): one object per device, source order."""
from __future__ import annotations

import json
from typing import Any, Iterable, Optional

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


def device_document(dev: Device, ids: Optional[IdDatabase] = None) -> dict[str, Any]:
    """The JSON object of one device (plain dicts, lists, numbers, strings)."""
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
        "problems": problems,
    }


def dumps(devices: Iterable[Device], ids: Optional[IdDatabase] = None) -> str:
    """The JSON array for ``devices``, indented for people, stable key order."""
    return json.dumps([device_document(d, ids) for d in devices], indent=2)
