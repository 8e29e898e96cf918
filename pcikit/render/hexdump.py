"""Hex dumps lspci -F reads back, and raw config images."""
from __future__ import annotations

import os
from typing import Iterable

from ..model import Device
from .lspci import NEWEST, LspciOptions, LspciVersion, render_devices
from .lspci.names import Namer


def render_dump(
    devices: Iterable[Device], hex_level: int, namer: Namer, domains: bool, dialect: LspciVersion = NEWEST
) -> str:
    """``lspci -x``/``-xxx``/``-xxxx`` text: a title line, hex rows, a blank line per device."""
    options = LspciOptions(verbose=0, domains=domains, hex_level=hex_level, dialect=dialect)
    return "".join(render_devices(devices, options, namer))


def image_name(dev: Device) -> str:
    """File name of a device's raw image; the loader reads the address back from it."""
    return f"{dev.address}.config.bin"


def write_binary(devices: Iterable[Device], folder: str) -> list[str]:
    """Write each device's readable config bytes to ``folder``; return the paths.

    Refused (one line) under /sys, /proc or /dev, onto a file, or where the folder cannot be made.
    """
    from ..access.files import make_folder, write_file

    make_folder(folder)
    paths = []
    for dev in devices:
        path = os.path.join(folder, image_name(dev))
        write_file(path, dev.config.read_block(0, dev.config.size))
        paths.append(path)
    return paths
