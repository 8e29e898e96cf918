"""Where devices come from: one :class:`Source` interface, and its live, dump and spec implementations.

A source enumerates devices (:meth:`Source.load`), reads one again
(:meth:`Source.reload`), gives a BAR as a region (:meth:`Source.bar_region`) and
says cheaply whether its set of devices changed (:meth:`Source.poll`). The CLI,
``pcikit msix`` and the TUI read devices only through a source; the mock
(:class:`pcikit.testing.MockSource`) and emulators implement the same interface.

    source = open_source(dump="lspci-xxxx.txt")
    for dev in source.load():
        regions, missing = source.bar_regions(dev, [0])
"""
from __future__ import annotations

import abc
import os

from .access import sysfs
from .address import Address, IdFilter, SlotFilter
from .errors import BarUnavailableError, DeviceGoneError, NoSuchDeviceError, PcikitError
from .model import Device

TYPE_CHECKING = False  # pathlib and mmio are imported where used: a live listing needs neither
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Iterable, Mapping, Optional, Union

    from .mmio import BarRegion

    PathLike = Union[str, "os.PathLike[str]"]

UDEV_CONTROL = "/run/udev/control"
BAR_COUNT = 6
_DUMP_SUFFIXES = (".txt", ".lspci")
MAX_BAR_IMAGE = 64 << 20  # BAR images kept beside dumps; larger ones are refused, not read
_BAR_IMAGE_RE = r"\.bar([0-5])\.bin"  # compiled (and cached by re) when BAR images are looked for



class NoBusError(PcikitError):
    """No PCI bus to enumerate under a sysfs root."""


class BarFileError(PcikitError):
    """A BAR image file named on the command line that cannot be mapped (an input error)."""


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


# -- dumps and specs on disk ----------------------------------------------------------------

def dump_devices(path: PathLike) -> list[Device]:
    """Devices of a text dump, a raw image or a directory of them, in file order."""
    from .access.dump import load_dump

    return [Device(e.address, e.config, None, e.title) for e in load_dump(path)]


def bar_images_beside(dump: Path) -> dict[int, Path]:
    """BAR images saved next to a one-device dump: ``NAME.barN.bin`` beside ``NAME.lspci.txt``."""
    import glob
    import re

    stem = dump.name
    for suffix in _DUMP_SUFFIXES:
        stem = stem[: -len(suffix)] if stem.endswith(suffix) else stem
    images = {}
    for candidate in dump.parent.glob(f"{glob.escape(stem)}.bar*.bin"):
        match = re.fullmatch(_BAR_IMAGE_RE, candidate.name[len(stem):])
        if match:
            images[int(match.group(1))] = candidate
    return images


def _signature(path: Path) -> tuple:
    """What changes when a dump file, or the set/contents of a dump folder, changes."""
    try:
        if not path.is_dir():
            stat = path.stat()
            return (stat.st_mtime_ns, stat.st_size)
        return tuple(
            (entry.name, entry.stat().st_mtime_ns, entry.stat().st_size)
            for entry in sorted(os.scandir(path), key=lambda e: e.name)
            if entry.is_file()
        )
    except OSError:
        return ()


class _ImageSource(Source):
    """An offline source whose BARs are the images it holds (files beside a dump, a spec's images)."""

    def __init__(self) -> None:
        self._images: dict[Address, dict[int, Union[Path, bytes]]] = {}

    def _keep_images_beside(self, path: Path, devices: list[Device]) -> list[Device]:
        if len(devices) == 1 and path.is_file():
            self._images[devices[0].address] = dict(bar_images_beside(path))
        return devices

    def bar_region(self, dev: Device, index: int) -> BarRegion:
        """The held image of BAR ``index`` (read-only), else why an offline source has none."""
        from pathlib import Path

        from .mmio import Region

        image = self._images.get(dev.address, {}).get(index)
        if image is None:
            raise BarUnavailableError(self._no_image(index))
        if isinstance(image, Path):
            from .access.files import read_bounded

            image = read_bounded(image, MAX_BAR_IMAGE)
        return Region(image, readonly=True)

    def _no_image(self, index: int) -> str:
        return f"a dump holds config space only, not BAR {index}"


class _PathSource(_ImageSource):
    """A file or folder on disk, re-read when it changes (live updates for dumps and specs)."""

    def __init__(self, path: PathLike, banner: Optional[str] = None) -> None:
        from pathlib import Path

        super().__init__()
        self.path = Path(path)
        self.label = self.path.name or str(path)
        self.banner = banner
        self._signature: tuple = ()

    @abc.abstractmethod
    def _read(self) -> list[Device]:
        """Parse the path."""

    def load(self) -> list[Device]:
        """Read the path (errors name the file and line)."""
        self._signature = _signature(self.path)
        self._images = {}
        return self._read() if self.path.exists() else []

    def poll(self) -> Optional[list[Device]]:
        """Reload only when the file or folder changed since the last load."""
        if _signature(self.path) == self._signature:
            return None
        return self.load()


class DumpSource(_PathSource):
    """An lspci dump, a raw image, or a folder of them; BAR images beside a one-device dump are used."""

    def _read(self) -> list[Device]:
        return self._keep_images_beside(self.path, dump_devices(self.path))


class SpecSource(_PathSource):
    """A fixture spec (TOML) or a folder of them, built with pcikit.fixture; BAR images included."""

    def _read(self) -> list[Device]:
        try:
            from .fixture import build, load_spec
        except ImportError:
            raise PcikitError("--spec needs pcikit.fixture (spec loading), which this build lacks") from None
        paths = sorted(self.path.glob("*.toml")) if self.path.is_dir() else [self.path]
        devices = []
        for path in paths:
            fixture = build(load_spec(path))
            dev = fixture.device()
            self._images[dev.address] = dict(fixture.bar_images)
            devices.append(dev)
        return devices

    def _no_image(self, index: int) -> str:
        return f"the spec has no image of BAR {index}"


class FilesSource(_ImageSource):
    """Several dump files read as one list (e.g. bundled examples), with the BAR images beside them."""

    def __init__(self, paths: list[Path], label: str, banner: Optional[str] = None) -> None:
        super().__init__()
        self.paths = paths
        self.label = label
        self.banner = banner

    def load(self) -> list[Device]:
        """Devices of every file, in file order."""
        self._images = {}
        return [dev for path in self.paths for dev in self._keep_images_beside(path, dump_devices(path))]

    def _no_image(self, index: int) -> str:
        return f"the fixture has no image of BAR {index}"


class BarFileSource(Source):
    """Another source, with BAR image files (``--bar N=FILE``) standing in for BARs of its devices.

    A file that cannot be mapped raises :class:`BarFileError` (an input error), not
    a per-device reason.
    """

    def __init__(self, inner: Source, files: Mapping[int, PathLike], files_only: bool = False) -> None:
        self.inner = inner
        self.files = dict(files)
        self.files_only = files_only  # other BARs are refused, never mapped from the inner source
        self.label, self.banner, self.live = inner.label, inner.banner, inner.live

    def load(self) -> list[Device]:
        """The inner source's devices."""
        return self.inner.load()

    def reload(self, address: Address) -> Optional[Device]:
        """The inner source's fresh read."""
        return self.inner.reload(address)

    def load_slots(self, slot: SlotFilter) -> tuple[list[Device], bool]:
        """The inner source's answer."""
        return self.inner.load_slots(slot)

    def poll(self) -> Optional[list[Device]]:
        """The inner source's answer."""
        return self.inner.poll()

    def bar_region(self, dev: Device, index: int) -> BarRegion:
        """The file given for BAR ``index``, else the inner source's BAR."""
        if index not in self.files:
            if self.files_only:
                raise BarUnavailableError(f"BAR {index} was not given (--bar {index}=FILE); live BARs are not read here")
            return self.inner.bar_region(dev, index)
        from .barmap import map_file

        try:
            return map_file(self.files[index])
        except BarUnavailableError as exc:
            raise BarFileError(str(exc)) from None


def open_source(dump: Optional[PathLike] = None, spec: Optional[PathLike] = None,
                sysfs_root: str = sysfs.DEFAULT_ROOT, qemu: Optional[str] = None) -> Source:
    """The source a command line names: a dump (``-F``), a spec, a QEMU machine started with
    ``qemu`` (its arguments), else the live bus (NoBusError when absent)."""
    if sum(bool(given) for given in (dump, spec, qemu is not None)) > 1:
        raise PcikitError("use one of -F DUMP, --spec FILE and --qemu ARGS")
    if qemu is not None:
        from .qemu.source import QemuSource

        return QemuSource(qemu)
    for path, kind in ((dump, DumpSource), (spec, SpecSource)):
        if path:
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
