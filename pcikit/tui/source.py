"""Where the inspector's devices come from, and how it reads them again.

A :class:`DeviceSource` loads the device list, re-reads one device on request
(the refresh key) and answers cheaply whether the set of devices changed (live
updates). No Textual here: the app drives these from its own timers and workers.
"""
from __future__ import annotations

import os
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


class DeviceSource:
    """Base of every source: ``label`` names it, ``banner`` (if any) is shown above the list."""

    label: str = ""
    banner: Optional[str] = None
    live: bool = False

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


class DumpSource(_PathSource):
    """An lspci dump, a raw image, or a folder of them."""

    def _read(self) -> list[Device]:
        return dump_devices(self.path)


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
        from ..mmio import Region

        images = self._bar_images.get(dev.address, {})
        regions = {i: Region(images[i], readonly=True) for i in indices if i in images}
        return regions, [f"the spec gives no image for BAR {i}" for i in indices if i not in images]


class FilesSource(DeviceSource):
    """Several dump files read as one list (the bundled fixtures)."""

    def __init__(self, paths: list[Path], label: str, banner: Optional[str] = None) -> None:
        self.paths = paths
        self.label = label
        self.banner = banner

    def load(self) -> list[Device]:
        """Devices of every file, in file order."""
        return [dev for path in self.paths for dev in dump_devices(path)]


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
