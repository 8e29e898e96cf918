"""Saving the selected device: pcikit JSON or an lspci dump that ``lspci -F`` reads back."""
from __future__ import annotations

from pathlib import Path

from ..errors import PcikitError
from ..ids import IdDatabase
from ..model import Device


def json_text(dev: Device, ids: IdDatabase) -> str:
    """The device as ``pcikit show --json`` prints it."""
    try:
        from ..render.json import dumps
    except ImportError:
        raise PcikitError("JSON export needs pcikit.render.json, which this build lacks") from None
    return dumps([dev], ids) + "\n"


def lspci_text(dev: Device, ids: IdDatabase, domains: bool, hex_level: int = 4) -> str:
    """``lspci -vvv`` text (with ``-xxxx`` hex at ``hex_level`` 4; none at 0), kernel lines included,
    as the release ``$PCIKIT_LSPCI_VERSION`` names prints it (the newest when unset or unsupported)."""
    from ..render.lspci import NEWEST, LspciOptions, choose_version, render_devices
    from ..render.lspci.names import Namer

    try:
        release = choose_version(None)
    except ValueError:
        release = NEWEST
    options = LspciOptions(verbose=3, domains=domains, kernel=True, hex_level=hex_level, dialect=release)
    return "".join(render_devices([dev], options, Namer(ids)))


def save(folder: Path, dev: Device, suffix: str, text: str) -> Path:
    """Write ``text`` to ``pcikit-<slot><suffix>`` in ``folder`` (never under /sys, /proc, /dev);
    refusals and write errors are one-line PcikitErrors."""
    from ..access.files import write_file

    path = folder / f"pcikit-{str(dev.address).replace(':', '-')}{suffix}"
    write_file(path, text.encode("utf-8"))
    return path
