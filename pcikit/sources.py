"""Where devices come from: one :class:`Source` interface, the live one, and the choice of source.

A source enumerates devices (:meth:`Source.load`), reads one again
(:meth:`Source.reload`), gives a BAR as a region (:meth:`Source.bar_region`) and
says cheaply whether its set of devices changed (:meth:`Source.poll`). The CLI,
``pcikit msix`` and the TUI read devices only through a source; the mock
(:class:`pcikit.testing.MockSource`) and emulators implement the same interface.
Dumps, specs and BAR image files are the sources of :mod:`pcikit.offline`.

    source = open_source(dump="lspci-xxxx.txt")
    for dev in source.load():
        regions, missing = source.bar_regions(dev, [0])
"""
from __future__ import annotations

import abc
import os

from .access import sysfs
from .address import Address
from .errors import BarUnavailableError, DeviceGoneError, NoSuchDeviceError, PcikitError
from .model import Device

TYPE_CHECKING = False  # mmio and the offline sources are imported where used: a live listing needs neither
if TYPE_CHECKING:
    from typing import Iterable, Optional, Union

    from .filters import IdFilter, SlotFilter

    from .mmio import BarRegion

    PathLike = Union[str, "os.PathLike[str]"]

UDEV_CONTROL = "/run/udev/control"
BAR_COUNT = 6


class NoBusError(PcikitError):
    """No PCI bus to enumerate under a sysfs root."""


class Source(abc.ABC):
    """Where devices come from. ``label`` names the source; ``banner`` (if any) is shown above a list.

    ``live`` is true for sources that read a running (or emulated) device, whose
    BARs can be asked for; offline sources (dumps, specs) offer only the BAR images
    they hold.
    """

    label: str = ""
    banner: Optional[str] = None
    live: bool = False

    @abc.abstractmethod
    def load(self) -> list[Device]:
        """Every device, in source order (lspci order for live sources)."""

    def reload(self, address: Address) -> Optional[Device]:
        """A fresh read of one device; None when it is gone."""
        return next((dev for dev in self.load() if dev.address == address), None)

    def bar_region(self, dev: Device, index: int) -> BarRegion:
        """BAR ``index`` of ``dev`` as a region, read-only from hardware and files (the caller closes it).

        Raises :class:`~pcikit.errors.BarUnavailableError` with a one-line reason
        when this source cannot give it.
        """
        raise BarUnavailableError(f"BAR {index} is not available from {self.label or 'this source'}")

    def bar_regions(self, dev: Device, indices: Iterable[int]) -> tuple[dict[int, BarRegion], dict[int, str]]:
        """Regions of the BARs ``indices`` (reserved BIRs 6-7 included), and why each missing one is missing."""
        regions: dict[int, BarRegion] = {}
        missing: dict[int, str] = {}
        for index in dict.fromkeys(indices):
            if not 0 <= index < BAR_COUNT:
                missing[index] = f"BIR {index} is reserved (BARs are 0-5)"
                continue
            try:
                regions[index] = self.bar_region(dev, index)
            except BarUnavailableError as exc:
                missing[index] = str(exc)
        return regions, missing

    def load_slots(self, slot: SlotFilter) -> tuple[list[Device], bool]:
        """What ``-s`` needs: the devices whose address ``slot`` matches (source order), and whether
        any device of the source has a non-zero domain (lspci then prints every domain)."""
        devices = self.load()
        return select(devices, slot), any(dev.address.domain for dev in devices)

    def poll(self) -> Optional[list[Device]]:
        """The current devices when they may have changed since the last call, else None."""
        return None

    def use_udev(self) -> bool:
        """True when udev events (not polling) should drive live updates."""
        return False


# -- live sysfs -----------------------------------------------------------------------------

def live_devices(root: str = sysfs.DEFAULT_ROOT, kernel: bool = True,
                 addresses: Optional[Iterable[Address]] = None) -> list[Device]:
    """Every function under ``root``/bus/pci (those at ``addresses``: no other config space is
    read), sorted as lspci sorts them."""
    devices = []
    slots = sysfs.physical_slots(root) if kernel else {}
    for address, path in sysfs.iter_functions(root, addresses):
        try:
            config = sysfs.SysfsConfig(path)
        except DeviceGoneError:  # vanished mid-scan
            continue
        except PcikitError as exc:  # a config that is no regular file, unreadable, ...: said, then skipped
            import sys

            print(f"pcikit: warning: {address}: {exc} (skipped)", file=sys.stderr)
            continue
        slot = slots.get(address[:3])
        devices.append(Device(address, config, sysfs.kernel_info(path, slot) if kernel else None))
    return devices


def live_device(address: Address, root: str = sysfs.DEFAULT_ROOT) -> Device:
    """One live function; NoSuchDeviceError when it does not exist."""
    config, path = sysfs.open_function(address, root)
    return Device(address, config, sysfs.kernel_info(path, sysfs.physical_slots(root).get(address[:3])))


def has_live_bus(root: str = sysfs.DEFAULT_ROOT) -> bool:
    """True when ``root`` has a PCI bus to enumerate."""
    return os.path.isdir(sysfs.devices_dir(root))


class LiveSource(Source):
    """The running machine's sysfs tree (or another ``--sysfs-root``); BARs from ``resourceN`` (root only)."""

    live = True

    def __init__(self, root: str = sysfs.DEFAULT_ROOT) -> None:
        self.root = root
        self.label = "live" if root == sysfs.DEFAULT_ROOT else f"live ({root})"
        self._known: frozenset[Address] = frozenset()
        if hasattr(os, "geteuid") and os.geteuid() != 0:
            self.banner = "Not root: the kernel shows only the first 64 bytes of config space."

    def load(self) -> list[Device]:
        """Every function, lspci order."""
        devices = live_devices(self.root)
        self._known = frozenset(dev.address for dev in devices)
        return devices

    def load_slots(self, slot: SlotFilter) -> tuple[list[Device], bool]:
        """The functions ``slot`` matches, read from their config space alone (every config read is
        a hardware access: a VM exit under a hypervisor), and whether any address has a domain."""
        addresses = sysfs.list_addresses(self.root)
        chosen = [address for address in addresses if slot.matches(address)]
        return live_devices(self.root, addresses=chosen), any(address.domain for address in addresses)

    def reload(self, address: Address) -> Optional[Device]:
        """Re-open the function; None when it was removed."""
        try:
            return live_device(address, self.root)
        except (NoSuchDeviceError, DeviceGoneError):
            return None

    def poll(self) -> Optional[list[Device]]:
        """Re-list the bus folder (cheap); reload only when the set of addresses changed."""
        current = frozenset(sysfs.list_addresses(self.root))
        if current == self._known:
            return None
        return self.load()

    def use_udev(self) -> bool:
        """udev runs for the real /sys only."""
        return self.root == sysfs.DEFAULT_ROOT and os.path.exists(UDEV_CONTROL)

    def bar_region(self, dev: Device, index: int) -> BarRegion:
        """``resourceN`` mapped read-only; failures are one-line BarUnavailableError reasons."""
        from .barmap import map_resource

        return map_resource(dev.address, index, self.root)


def open_source(dump: Optional[PathLike] = None, spec: Optional[PathLike] = None,
                sysfs_root: str = sysfs.DEFAULT_ROOT, qemu: Optional[str] = None) -> Source:
    """The source a command line names: a dump (``-F``), a spec, a QEMU machine started with
    ``qemu`` (its arguments), else the live bus (NoBusError when absent)."""
    if sum(bool(given) for given in (dump, spec, qemu is not None)) > 1:
        raise PcikitError("use one of -F DUMP, --spec FILE and --qemu ARGS")
    if qemu is not None:
        from .qemu.source import QemuSource

        return QemuSource(qemu)
    if dump or spec:
        from .offline import DumpSource, SpecSource

        path, kind = (dump, DumpSource) if dump else (spec, SpecSource)
        if not os.path.exists(path):
            raise PcikitError(f"{os.fspath(path)}: no such file or directory")
        return kind(path)
    if not has_live_bus(sysfs_root):
        raise NoBusError(f"no PCI bus under {sysfs_root} (use -F FILE to read a dump)")
    return LiveSource(sysfs_root)


def lspci_order(devices: Iterable[Device]) -> list[Device]:
    """Devices sorted as lspci sorts them: domain, bus, device, function (stable for duplicates)."""
    return sorted(devices, key=lambda dev: dev.address)


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
        if ids is not None and not ids.matches(dev.vendor_id, dev.device_id, dev.class_word, dev.prog_if):
            continue
        chosen.append(dev)
    return chosen
