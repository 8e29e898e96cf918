"""``pcikit tui``: the Textual inspector. Textual is imported only inside this package.

    from pcikit.tui import create_app
    create_app(dump="lspci-xxxx.txt").run()
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Optional

if TYPE_CHECKING:
    from .app import PcikitApp
    from ..sources import Source


def create_app(
    source: "Optional[Source]" = None,
    *,
    dump: Optional[str] = None,
    spec: Optional[str] = None,
    sysfs_root: str = "/sys",
    ids_file: Optional[str] = None,
    poll_interval: Optional[float] = 2.0,
    export_dir: str = ".",
    bars: Optional[Mapping[int, str]] = None,
    bar_slot: Optional[str] = None,
) -> "PcikitApp":
    """Build the app over ``source`` (or the one the options name; see ``choose_source``).

    Devices are loaded here, so a malformed dump (or a ``bars`` file that cannot be
    read: {BAR index: image file} of the device ``bar_slot`` names, or of the only
    device) raises PcikitError before any screen is drawn. ``poll_interval`` None
    turns polling off.
    """
    from ..ids import default_database
    from ..names import NameLookup, choose_hwdb
    from .app import PcikitApp
    from .source import choose_source, with_bar_files

    if source is None:
        source = choose_source(dump, spec, sysfs_root)
    devices = source.load()
    source = with_bar_files(source, devices, bars or {}, bar_slot)
    names = NameLookup(default_database(ids_file), choose_hwdb({}))  # as `pcikit list` names them
    return PcikitApp(source, devices, names, poll_interval, export_dir)
