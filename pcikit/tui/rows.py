"""One list row per device: identity only (no capability decoding), and the filter match."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..address import Address
from ..ids import IdDatabase
from ..model import Device

CAP_ID_MSI = 0x05
CAP_ID_MSIX = 0x11


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
    return DeviceRow(dev.address, slot, klass, vendor, device, driver, interrupts, search)


def problem_badge(count: Optional[int]) -> str:
    """``!N`` once a device's problems are known and there are some."""
    return f"!{count}" if count else ""
