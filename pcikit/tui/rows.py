"""One list row per device: identity (no capability decoding), the interrupt mode once drawn, the filter match."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Optional

from ..address import Address
from ..ids import IdDatabase
from ..model import Device
from ..schema import registry

CAP_ID_MSI = registry.standard_id("MSI")
CAP_ID_MSIX = registry.standard_id("MSI-X")


@dataclass(frozen=True)
class DeviceRow:
    """What the device list shows for one function."""

    address: Address
    slot: str
    class_name: str
    vendor: str
    device: str
    driver: str
    interrupts: str
    search: str
    device_model: Optional[Device] = field(default=None, compare=False, repr=False)

    @cached_property
    def name(self) -> str:
        """Short vendor name and device name: what the list's flexible column shows."""
        return f"{short_vendor(self.vendor)} {self.device}"

    def name_within(self, width: int) -> str:
        """The name for a ``width``-wide column: without the vendor when only the device name fits
        (the details' title names both)."""
        return self.name if len(self.name) <= width or len(self.device) > width else self.device

    @cached_property
    def mode(self) -> str:
        """The interrupt mechanism in use (``MSI-X``, ``MSI``, ``INTx`` or ``none``); decodes MSI/MSI-X."""
        from ..interrupts import interrupt_summary

        return interrupt_summary(self.device_model).mode if self.device_model is not None else ""

    def matches(self, query: str) -> bool:
        """True when every word of ``query`` occurs in the row (case-insensitive)."""
        return all(word in self.search for word in query.lower().split())


def class_label(dev: Device, ids: IdDatabase) -> str:
    """Subclass name, else base class name, else ``Class xxxx``."""
    base, sub = dev.class_code >> 16, (dev.class_code >> 8) & 0xFF
    return ids.subclass_name(base, sub) or ids.class_name(base) or f"Class {dev.class_word:04x}"


def interrupt_badges(dev: Device) -> str:
    """``MSI-X``, ``MSI`` and ``INTx`` for the mechanisms the function offers (list walk only)."""
    ids = {cap.cap_id for cap in dev.capabilities}
    badges = [name for cap_id, name in ((CAP_ID_MSIX, "MSI-X"), (CAP_ID_MSI, "MSI")) if cap_id in ids]
    if dev.interrupt.pin is not None:
        badges.append("INTx")
    return " ".join(badges)


def slot_text(address: Address, domains: bool) -> str:
    """``DDDD:BB:DD.F`` when any device has a domain, else ``BB:DD.F`` as lspci prints."""
    return str(address) if domains else address.short


def device_row(dev: Device, ids: IdDatabase, domains: bool) -> DeviceRow:
    """The row of ``dev``; names fall back to hex IDs."""
    vendor = ids.vendor(dev.vendor_id) or f"Vendor {dev.vendor_id:04x}"
    device = ids.device(dev.vendor_id, dev.device_id) or f"Device {dev.device_id:04x}"
    klass = class_label(dev, ids)
    driver = (dev.kernel.driver if dev.kernel else None) or ""
    interrupts = interrupt_badges(dev)
    slot = slot_text(dev.address, domains)
    search = " ".join((
        str(dev.address), klass, vendor, device, driver, interrupts,
        f"{dev.vendor_id:04x}:{dev.device_id:04x}", f"{dev.class_code:06x}", dev.title or "",
    )).lower()
    return DeviceRow(dev.address, slot, klass, vendor, device, driver, interrupts, search, dev)


_BRACKETED = re.compile(r"\[([^\]]+)\]\s*$")
_CORPORATE = re.compile(
    r"[,\s]+(corporation|corp\.?|incorporated|inc\.?|co\.?,? ?ltd\.?|ltd\.?|limited|gmbh|ag|s\.?a\.?|llc|plc|b\.?v\.?)$",
    re.IGNORECASE,
)


def short_vendor(name: str) -> str:
    """``Advanced Micro Devices, Inc. [AMD]`` -> ``AMD``, ``Intel Corporation`` -> ``Intel``."""
    bracketed = _BRACKETED.search(name)
    if bracketed:
        return bracketed.group(1)
    previous = None
    while previous != name:
        previous, name = name, _CORPORATE.sub("", name).rstrip(" ,")
    return name or previous


# Sort keys of the list's columns: each maps a row (and its status rank) to a comparable value.
SORT_KEYS: dict[str, Callable[[DeviceRow, int], tuple]] = {
    "slot": lambda row, rank: (row.address,),
    "status": lambda row, rank: (-rank, row.address),
    "name": lambda row, rank: (row.name.lower(), row.address),
    "class": lambda row, rank: (row.class_name.lower(), row.address),
    "driver": lambda row, rank: (row.driver == "", row.driver, row.address),
    "mode": lambda row, rank: (row.mode, row.address),
}
