"""Where devices come from: the live sysfs tree, dump files, raw images."""
from __future__ import annotations

import os
from typing import Iterable, Optional, Union

from .access import sysfs
from .address import Address, IdFilter, SlotFilter
from .model import Device


def live_devices(root: str = sysfs.DEFAULT_ROOT, kernel: bool = True) -> list[Device]:
    """Every function under ``root``/bus/pci, sorted as lspci sorts them."""
    devices = []
    for address, path in sysfs.iter_functions(root):
        try:
            config = sysfs.SysfsConfig(path)
        except Exception:  # noqa: BLE001 - a device that vanished mid-scan is skipped
            continue
        devices.append(Device(address, config, sysfs.kernel_info(path) if kernel else None))
    return devices


def live_device(address: Address, root: str = sysfs.DEFAULT_ROOT) -> Device:
    """One live function; NoSuchDeviceError when it does not exist."""
    config, path = sysfs.open_function(address, root)
    return Device(address, config, sysfs.kernel_info(path))


def dump_devices(path: Union[str, os.PathLike]) -> list[Device]:
    """Devices of a text dump, a raw image or a directory of them, in file order."""
    from .access.dump import load_dump

    return [Device(e.address, e.config, None, e.title) for e in load_dump(path)]


def has_live_bus(root: str = sysfs.DEFAULT_ROOT) -> bool:
    """True when ``root`` has a PCI bus to enumerate."""
    return os.path.isdir(sysfs.devices_dir(root))


def select(
    devices: Iterable[Device],
    slot: Optional[SlotFilter] = None,
    ids: Optional[IdFilter] = None,
) -> list[Device]:
    """Devices matching lspci-style ``-s`` and ``-d`` filters."""
    chosen = []
    for dev in devices:
        if slot is not None and not slot.matches(dev.address):
            continue
        if ids is not None and not ids.matches(dev.vendor_id, dev.device_id, dev.class_word):
            continue
        chosen.append(dev)
    return chosen
