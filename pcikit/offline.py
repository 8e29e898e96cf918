"""Offline sources: lspci dumps, raw images and fixture specs on disk, and BAR image files.

Each is a :class:`~pcikit.sources.Source`; its BARs are the images it holds (``NAME.barN.bin``
beside a one-device dump, a spec's images, ``--bar N=FILE`` files), never a live device's.
"""
from __future__ import annotations

import abc
import os

from .errors import BarUnavailableError, PcikitError
from .model import Device
from .sources import Source

TYPE_CHECKING = False  # pathlib, mmio and the fixture builder are imported where used
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Mapping, Optional, Union

    from .address import Address
    from .filters import SlotFilter
    from .mmio import BarRegion

    PathLike = Union[str, "os.PathLike[str]"]

_DUMP_SUFFIXES = (".txt", ".lspci")
MAX_BAR_IMAGE = 64 << 20  # BAR images kept beside dumps; larger ones are refused, not read
_BAR_IMAGE_RE = r"\.bar([0-5])\.bin"  # compiled (and cached by re) when BAR images are looked for


class BarFileError(PcikitError):
    """A BAR image file named on the command line that cannot be mapped (an input error)."""


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
