"""``pcikit tui``: the Textual inspector. Textual is imported only inside this package.

    from pcikit.tui import create_app
    create_app(dump="lspci-xxxx.txt").run()
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

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
) -> "PcikitApp":
    """Build the app over ``source`` (or the one the options name; see ``choose_source``).

    Devices are loaded here, so a malformed dump raises (PcikitError) before any
    screen is drawn. ``poll_interval`` None turns polling off.
    """
    from ..ids import default_database
    from .app import PcikitApp
    from .source import choose_source

    if source is None:
        source = choose_source(dump, spec, sysfs_root)
    devices = source.load()
    return PcikitApp(source, devices, default_database(ids_file), poll_interval, export_dir)
