"""pcikit: PCI/PCIe configuration space and MSI-X, as a library and a toolkit.

The small public API::

    import pcikit
    for dev in pcikit.devices():            # live sysfs
        print(dev.address, hex(dev.vendor_id), [c.name for c in dev.capabilities])
    dev = pcikit.open("0000:00:01.0")       # one live function
    devs = pcikit.load_dump("lspci-xxxx.txt")

Names are imported on first use, so ``pcikit list`` and the pytest plugin start fast.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Any, Union
    from .access import BytesConfig, ConfigSpace
    from .address import Address
    from .errors import PcikitError
    from .model import Bar, Capability, Device, Interrupt

__version__ = "0.1.0"

_LAZY = {
    "Address": "address", "Bar": "model", "BytesConfig": "access", "Capability": "model",
    "ConfigSpace": "access", "Device": "model", "Interrupt": "model", "PcikitError": "errors",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pcikit' has no attribute {name!r}")
    import importlib  # here, not at the top: ``import pcikit`` stays nearly free

    return getattr(importlib.import_module(f"pcikit.{module}"), name)


def devices(root: str = "/sys") -> "list[Device]":
    """Every live PCI function, in lspci order."""
    from .sources import live_devices

    return live_devices(root)


def open(slot: "Union[str, Address]", root: str = "/sys") -> "Device":  # noqa: A001 - reads like pcikit.open(slot)
    """One live function by address (``0000:00:01.0`` or ``00:01.0``)."""
    from .address import Address
    from .sources import live_device

    address = slot if isinstance(slot, Address) else Address.parse(slot)
    return live_device(address, root)


def load_dump(path: str) -> "list[Device]":
    """Devices of an lspci dump, raw config image, or a directory of them."""
    from .offline import dump_devices

    return dump_devices(path)


def from_bytes(data: bytes, slot: str = "0000:00:00.0") -> "Device":
    """A device over raw config bytes (64, 256 or 4096 of them)."""
    from .access import BytesConfig
    from .address import Address
    from .model import Device

    return Device(Address.parse(slot), BytesConfig(data))


__all__ = [
    "Address", "Bar", "BytesConfig", "Capability", "ConfigSpace", "Device", "Interrupt",
    "PcikitError", "devices", "from_bytes", "load_dump", "open",
]
