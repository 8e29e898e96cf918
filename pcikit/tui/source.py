"""The inspector's choice of source: what the command line names, else the bundled examples.

The sources themselves (live sysfs, dumps, specs) are :mod:`pcikit.sources`; this
module only adds the TUI's fallback when no PCI bus is visible, and ``--bar`` files
for one device of a dump.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional

from ..access import sysfs
from ..address import Address
from ..filters import SlotFilter
from ..errors import PcikitError
from ..mmio import BarRegion
from ..model import Device
from ..offline import BarFileSource, FilesSource
from ..sources import NoBusError, Source, open_source

_PACKAGE_EXAMPLES = Path(__file__).with_name("data") / "examples.txt"
_REPO_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
_DUMP_SUFFIXES = (".txt", ".lspci")


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
) -> Source:
    """The source the command line asks for; the bundled examples when no bus is visible."""
    try:
        return open_source(dump, spec, sysfs_root)
    except NoBusError:
        return bundled_source(f"No PCI bus visible under {sysfs_root}")


class DeviceBarFiles(BarFileSource):
    """``--bar N=FILE`` images standing in for BARs of one device (``address``); others come from ``inner``."""

    def __init__(self, inner: Source, files: Mapping[int, str], address: Address) -> None:
        super().__init__(inner, files)
        self.address = address

    def bar_region(self, dev: Device, index: int) -> BarRegion:
        """The file for BAR ``index`` of the chosen device, else the inner source's BAR."""
        if dev.address != self.address:
            return self.inner.bar_region(dev, index)
        return super().bar_region(dev, index)


def with_bar_files(source: Source, devices: list[Device], files: Mapping[int, str],
                   slot: Optional[str] = None) -> Source:
    """``source`` with ``files`` as BARs of the device ``slot`` names (or the only device).

    Every file is opened once here, so a bad one is a one-line error before the screen is drawn.
    """
    if not files:
        return source
    if slot is not None:
        try:
            wanted = SlotFilter.parse(slot)
        except ValueError as exc:
            raise PcikitError(str(exc)) from None
        chosen = [dev for dev in devices if wanted.matches(dev.address)]
    else:
        chosen = devices
    if len(chosen) != 1:
        where = f"{len(chosen)} devices match -s {slot}" if slot else f"the source holds {len(chosen)} devices"
        raise PcikitError(f"--bar maps BARs of one device, but {where} (name it with -s SLOT)")
    wrapped = DeviceBarFiles(source, files, chosen[0].address)
    for index in files:
        wrapped.bar_region(chosen[0], index).close()
    return wrapped
