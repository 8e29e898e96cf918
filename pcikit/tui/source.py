"""The inspector's choice of source: what the command line names, else the bundled examples.

The sources themselves (live sysfs, dumps, specs) are :mod:`pcikit.sources`; this
module only adds the TUI's fallback when no PCI bus is visible.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from ..access import sysfs
from ..sources import FilesSource, NoBusError, Source, open_source

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
