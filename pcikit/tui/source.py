"""Where the inspector's devices come from, and how it reads them again.

A :class:`DeviceSource` loads the device list, re-reads one device on request
(the refresh key) and answers cheaply whether the set of devices changed (live
updates). No Textual here: the app drives these from its own timers and workers.
"""
from __future__ import annotations

import glob
import os
import re
from pathlib import Path
from typing import Optional

from ..access import sysfs
from ..address import Address
from ..errors import DeviceGoneError, NoSuchDeviceError, PcikitError
from ..model import Device
from ..sources import dump_devices, has_live_bus, live_device, live_devices

UDEV_CONTROL = "/run/udev/control"
_PACKAGE_EXAMPLES = Path(__file__).with_name("data") / "examples.txt"
_REPO_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
_DUMP_SUFFIXES = (".txt", ".lspci")
_BAR_IMAGE_RE = re.compile(r"\.bar([0-5])\.bin")


class DeviceSource:
    """Base of every source: ``label`` names it, ``banner`` (if any) is shown above the list."""

    label: str = ""
    banner: Optional[str] = None

    def load(self) -> list[Device]:
        """Every device, in source order."""
        raise NotImplementedError

    def reload(self, address: Address) -> Optional[Device]:
        """A fresh read of one device; None when it is gone."""
        return next((dev for dev in self.load() if dev.address == address), None)

    def poll(self) -> Optional[list[Device]]:
        """The current devices when they may have changed since the last call, else None."""
        return None

    def use_udev(self) -> bool:
        """True when udev events (not polling) should drive live updates."""
        return False

    def bar_regions(self, dev: Device, indices: list[int]) -> tuple[dict, list[str]]:
        """Read-only BAR regions by index, and why any could not be had (caller closes them)."""
        return {}, ["a dump holds config space only, not BAR contents"]


class LiveSource(DeviceSource):
    """The running machine's sysfs tree (or another ``--sysfs-root``)."""

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

    def bar_regions(self, dev: Device, indices: list[int]) -> tuple[dict, list[str]]:
        """Map ``resourceN`` read-only (root only); failures become one-line reasons."""
        from ..barmap import map_resource
        from ..errors import BarUnavailableError

        regions, reasons = {}, []
        for index in indices:
            try:
                regions[index] = map_resource(dev.address, index, self.root)
            except BarUnavailableError as exc:
                reasons.append(str(exc))
        return regions, reasons


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


class _PathSource(DeviceSource):
    """A file or folder on disk, re-read when it changes (live updates for dumps and specs)."""

    def __init__(self, path: "str | os.PathLike[str]", banner: Optional[str] = None) -> None:
        self.path = Path(path)
        self.label = self.path.name or str(path)
        self.banner = banner
        self._signature: tuple = ()

    def _read(self) -> list[Device]:
        raise NotImplementedError

    def load(self) -> list[Device]:
        """Read the path (errors name the file and line)."""
        self._signature = _signature(self.path)
        return self._read() if self.path.exists() else []

    def poll(self) -> Optional[list[Device]]:
        """Reload only when the file or folder changed since the last load."""
        if _signature(self.path) == self._signature:
            return None
        return self.load()


def bar_images_beside(dump: Path) -> dict[int, Path]:
    """BAR images saved next to a one-device dump: ``NAME.barN.bin`` beside ``NAME.lspci.txt``."""
    stem = dump.name
    for suffix in _DUMP_SUFFIXES:
        stem = stem[: -len(suffix)] if stem.endswith(suffix) else stem
    images = {}
    for candidate in dump.parent.glob(f"{glob.escape(stem)}.bar*.bin"):
        match = _BAR_IMAGE_RE.fullmatch(candidate.name[len(stem):])
        if match:
            images[int(match.group(1))] = candidate
    return images


def _image_regions(images: dict[int, bytes], indices: list[int], whose: str) -> tuple[dict, list[str]]:
    """Read-only regions over BAR images, and a reason for each BAR without one."""
    from ..mmio import Region

    regions = {i: Region(images[i], readonly=True) for i in indices if i in images}
    return regions, [f"{whose} has no image of BAR {i}" for i in indices if i not in images]


def _with_bar_images(path: Path, devices: list[Device], into: dict[Address, dict[int, Path]]) -> list[Device]:
    if len(devices) == 1 and path.is_file():
        into[devices[0].address] = bar_images_beside(path)
    return devices


class DumpSource(_PathSource):
    """An lspci dump, a raw image, or a folder of them; BAR images beside a one-device dump are used."""

    def __init__(self, path: "str | os.PathLike[str]", banner: Optional[str] = None) -> None:
        super().__init__(path, banner)
        self._bar_files: dict[Address, dict[int, Path]] = {}

    def _read(self) -> list[Device]:
        self._bar_files = {}
        return _with_bar_images(self.path, dump_devices(self.path), self._bar_files)

    def bar_regions(self, dev: Device, indices: list[int]) -> tuple[dict, list[str]]:
        """BAR images saved beside the dump, else why a dump cannot show BAR contents."""
        files = self._bar_files.get(dev.address)
        if not files:
            return super().bar_regions(dev, indices)
        return _image_regions({i: p.read_bytes() for i, p in files.items() if i in indices}, indices, "the dump")


class SpecSource(_PathSource):
    """A fixture spec (TOML) or a folder of them, built with pcikit.fixture; BAR images included."""

    def __init__(self, path: "str | os.PathLike[str]") -> None:
        super().__init__(path)
        self._bar_images: dict[Address, dict[int, bytes]] = {}

    def _read(self) -> list[Device]:
        try:
            from ..fixture import build, load_spec
        except ImportError:
            raise PcikitError("--spec needs pcikit.fixture (spec loading), which this build lacks") from None
        paths = sorted(self.path.glob("*.toml")) if self.path.is_dir() else [self.path]
        devices = []
        self._bar_images = {}
        for path in paths:
            fixture = build(load_spec(path))
            dev = fixture.device()
            self._bar_images[dev.address] = fixture.bar_images
            devices.append(dev)
        return devices

    def bar_regions(self, dev: Device, indices: list[int]) -> tuple[dict, list[str]]:
        """The spec's BAR images as read-only regions."""
        return _image_regions(self._bar_images.get(dev.address, {}), indices, "the spec")


class FilesSource(DeviceSource):
    """Several dump files read as one list (the bundled fixtures), with the BAR images beside them."""

    def __init__(self, paths: list[Path], label: str, banner: Optional[str] = None) -> None:
        self.paths = paths
        self.label = label
        self.banner = banner
        self._bar_files: dict[Address, dict[int, Path]] = {}

    def load(self) -> list[Device]:
        """Devices of every file, in file order."""
        self._bar_files = {}
        return [dev for path in self.paths for dev in _with_bar_images(path, dump_devices(path), self._bar_files)]

    def bar_regions(self, dev: Device, indices: list[int]) -> tuple[dict, list[str]]:
        """The fixture's BAR images."""
        files = self._bar_files.get(dev.address, {})
        return _image_regions({i: p.read_bytes() for i, p in files.items() if i in indices}, indices, "the fixture")


def bundled_dumps() -> list[Path]:
    """The repository's ``fixtures/`` lspci dumps, else the example dump shipped with the TUI."""
    if _REPO_FIXTURES.is_dir():
        found = sorted(p for p in _REPO_FIXTURES.rglob("*") if p.suffix in _DUMP_SUFFIXES and p.is_file())
        if found:
            return found
    return [_PACKAGE_EXAMPLES]


def bundled_source(reason: str) -> FilesSource:
    """The bundled example devices, with a banner saying why they are shown."""
    paths = bundled_dumps()
    where = "fixtures/" if paths[0] != _PACKAGE_EXAMPLES else "pcikit's built-in examples"
    banner = f"{reason}: showing the bundled example devices ({where}). Use -F DUMP to open a dump."
    return FilesSource(paths, "bundled examples", banner)


def choose_source(
    dump: Optional[str] = None,
    spec: Optional[str] = None,
    sysfs_root: str = sysfs.DEFAULT_ROOT,
) -> DeviceSource:
    """The source the command line asks for; the bundled examples when no bus is visible."""
    if dump and spec:
        raise PcikitError("use either -F DUMP or --spec FILE, not both")
    if dump:
        if not os.path.exists(dump):
            raise PcikitError(f"{dump}: no such file or directory")
        return DumpSource(dump)
    if spec:
        if not os.path.exists(spec):
            raise PcikitError(f"{spec}: no such file or directory")
        return SpecSource(spec)
    if has_live_bus(sysfs_root):
        return LiveSource(sysfs_root)
    return bundled_source(f"No PCI bus visible under {sysfs_root}")
