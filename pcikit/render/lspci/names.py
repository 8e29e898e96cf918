"""Names formatted exactly as pciutils' ``pci_lookup_name`` formats them."""
from __future__ import annotations


from ...ids import IdDatabase
from ...names import NameLookup

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Optional, Union


def _fit(text: str, size: int) -> str:
    """pciutils truncates to the buffer, ending with '...'."""
    if len(text) >= size and size >= 4:
        return text[: size - 4] + "..."
    return text


class Namer:
    """``numeric``: 0 names, 1 numbers only (``-n``), 2 both (``-nn``).

    ``ids`` is a :class:`NameLookup` (pci.ids, then hwdb) or a bare pci.ids database.
    """

    def __init__(self, ids: Union[NameLookup, IdDatabase], numeric: int = 0) -> None:
        self.ids = ids if isinstance(ids, NameLookup) else NameLookup(ids)
        self.numeric = numeric
        self._lines: dict[tuple, Optional[str]] = {}  # the names every device's first lines print, by ID

    def _remembered(self, key: tuple, compute, *args) -> Optional[str]:
        """``compute(*args)``, once per ``key`` (pciutils keeps names in a cache too)."""
        lines = self._lines
        if key not in lines:
            lines[key] = compute(*args)
        return lines[key]

    def _single(self, name: Optional[str], num: str, unknown: str, size: int, mixed: bool = False) -> str:
        mixed = mixed or self.numeric >= 2
        if self.numeric == 1 and not mixed:
            return _fit(num, size)
        if name is None:
            return _fit(f"{unknown} [{num}]" if mixed else f"{unknown} {num}", size)
        return _fit(f"{name} [{num}]" if mixed else name, size)

    def _pair(self, vendor: Optional[str], device: Optional[str], num: str, size: int) -> str:
        if self.numeric == 1:
            return _fit(num, size)
        if self.numeric >= 2:
            if vendor and device:
                return _fit(f"{vendor} {device} [{num}]", size)
            if not vendor:
                return _fit(f"Device [{num}]", size)
            return _fit(f"{vendor} Device [{num}]", size)
        if vendor and device:
            return _fit(f"{vendor} {device}", size)
        if not vendor:
            return _fit(f"Device {num}", size)
        return _fit(f"{vendor} Device {num[5:]}", size)

    def _names(self) -> bool:
        return self.numeric != 1

    def vendor_device(self, vendor: int, device: int, size: int = 128) -> str:
        """``Vendor Device`` as the terse line prints it."""
        return self._remembered(("vd", vendor, device, size), self._vendor_device, vendor, device, size)

    def _vendor_device(self, vendor: int, device: int, size: int) -> str:
        v = self.ids.vendor(vendor) if self._names() else None
        d = self.ids.device(vendor, device) if self._names() else None
        return self._pair(v, d, f"{vendor:04x}:{device:04x}", size)

    def subsystem(self, vendor: int, device: int, sub_vendor: int, sub_device: int, size: int = 256) -> str:
        """Subsystem vendor and name, with lspci's generic fallbacks."""
        key = ("s", vendor, device, sub_vendor, sub_device, size)
        return self._remembered(key, self._subsystem, vendor, device, sub_vendor, sub_device, size)

    def _subsystem(self, vendor: int, device: int, sub_vendor: int, sub_device: int, size: int) -> str:
        v = d = None
        if self._names():
            v = self.ids.vendor(sub_vendor)
            d = self._subsystem_name(vendor, device, sub_vendor, sub_device)
        return self._pair(v, d, f"{sub_vendor:04x}:{sub_device:04x}", size)

    def vendor(self, vendor: int, size: int = 128) -> str:
        """The vendor alone (``PCI_LOOKUP_VENDOR``): name, else ``Vendor xxxx``."""
        name = self.ids.vendor(vendor) if self._names() else None
        return self._single(name, f"{vendor:04x}", "Vendor", size)

    def device(self, vendor: int, device: int, size: int = 128) -> str:
        """The device alone (``PCI_LOOKUP_DEVICE``): name, else ``Device xxxx``."""
        name = self.ids.device(vendor, device) if self._names() else None
        return self._single(name, f"{device:04x}", "Device", size)

    def subsystem_vendor(self, sub_vendor: int, size: int = 128) -> str:
        """The subsystem vendor alone: name, else ``Unknown vendor xxxx``."""
        name = self.ids.vendor(sub_vendor) if self._names() else None
        return self._single(name, f"{sub_vendor:04x}", "Unknown vendor", size)

    def subsystem_device(self, vendor: int, device: int, sub_vendor: int, sub_device: int, size: int = 128) -> str:
        """The subsystem name alone: name, else ``Device xxxx``."""
        name = self._subsystem_name(vendor, device, sub_vendor, sub_device) if self._names() else None
        return self._single(name, f"{sub_device:04x}", "Device", size)

    def _subsystem_name(self, vendor: int, device: int, sub_vendor: int, sub_device: int) -> Optional[str]:
        """pciutils' subsystem lookup: listed under the device, else generic, else the device when equal."""
        name = None
        if vendor > 0 and device > 0:
            name = self.ids.subsystem(vendor, device, sub_vendor, sub_device)
        if name is None:
            name = self.ids.generic_subsystem(sub_vendor, sub_device)
        if name is None and vendor == sub_vendor and device == sub_device:
            name = self.ids.device(vendor, device)
        return name

    def class_name(self, class_word: int, size: int = 128) -> str:
        """Subclass name, else base class name with the number, else ``Class xxxx``."""
        return self._remembered(("c", class_word, size), self._class_name, class_word, size)

    def _class_name(self, class_word: int, size: int) -> str:
        num = f"{class_word:04x}"
        if not self._names():
            return self._single(None, num, "Class", size)
        name = self.ids.subclass_name(class_word >> 8, class_word & 0xFF)
        if name is not None:
            return self._single(name, num, "Class", size)
        name = self.ids.class_name(class_word >> 8)
        return self._single(name, num, "Class", size, mixed=name is not None)

    def prog_if(self, class_word: int, prog_if: int, size: int = 128) -> Optional[str]:
        """Prog-if name (no numbers form): None when unknown."""
        return self._remembered(("i", class_word, prog_if, size), self._prog_if, class_word, prog_if, size)

    def _prog_if(self, class_word: int, prog_if: int, size: int) -> Optional[str]:
        name = self.ids.prog_if_name(class_word >> 8, class_word & 0xFF, prog_if)
        if name is None and class_word == 0x0101 and not prog_if & 0x70:
            bits = [(0x80, "Master"), (0x08, "SecP"), (0x04, "SecO"), (0x02, "PriP"), (0x01, "PriO")]
            name = " ".join(word for bit, word in bits if prog_if & bit)
        if not name:
            return None if name is None else ""
        return _fit(name, size)
