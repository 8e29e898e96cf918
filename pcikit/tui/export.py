"""Saving the selected device: pcikit JSON or an lspci dump that ``lspci -F`` reads back."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

from ..errors import PcikitError
from ..ids import IdDatabase
from ..model import Device

if TYPE_CHECKING:
    from ..render.lspci import LspciVersion


def json_text(dev: Device, ids: IdDatabase) -> str:
    """The device as ``pcikit show --json`` prints it."""
    try:
        from ..render.json import dumps
    except ImportError:
        raise PcikitError("JSON export needs pcikit.render.json, which this build lacks") from None
    return dumps([dev], ids) + "\n"


def default_release() -> "LspciVersion":
    """The lspci release ``$PCIKIT_LSPCI_VERSION`` names (the newest when unset or unsupported)."""
    from ..render.lspci import NEWEST, choose_version

    try:
        return choose_version(None)
    except ValueError:
        return NEWEST


def lspci_text(dev: Device, ids: IdDatabase, domains: bool, hex_level: int = 4,
               release: "Optional[LspciVersion]" = None) -> str:
    """``lspci -vvv`` text (with ``-xxxx`` hex at ``hex_level`` 4; none at 0), kernel lines included,
    as ``release`` prints it (None: :func:`default_release`)."""
    from ..render.lspci import LspciOptions, render_devices
    from ..render.lspci.names import Namer

    options = LspciOptions(verbose=3, domains=domains, kernel=True, hex_level=hex_level,
                           dialect=release or default_release())
    return "".join(render_devices([dev], options, Namer(ids)))


def save(folder: Path, dev: Device, suffix: str, text: str) -> Path:
    """Write ``text`` to ``pcikit-<slot><suffix>`` in ``folder`` (never under /sys, /proc, /dev);
    refusals and write errors are one-line PcikitErrors."""
    from ..access.files import write_file

    path = folder / f"pcikit-{str(dev.address).replace(':', '-')}{suffix}"
    write_file(path, text.encode("utf-8"))
    return path
