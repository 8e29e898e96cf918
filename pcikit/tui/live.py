"""Live updates: which devices appeared or went away since the last look.

The app runs :func:`merge` from a timer (polling) or from a udev thread
(:func:`watch_udev`); merging is plain data work, kept out of the app.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..address import Address
from ..model import Device
from ..sources import Source


@dataclass
class Changes:
    """Addresses added (their devices are now in the map) and gone (removed from it)."""

    added: list[Address] = field(default_factory=list)
    gone: list[Address] = field(default_factory=list)


def merge(devices: dict[Address, Device], source: Source) -> Changes:
    """Bring ``devices`` up to date with the source (no change when the source says nothing moved)."""
    current = source.poll()
    if current is None:
        return Changes()
    fresh = {dev.address: dev for dev in current}
    changes = Changes([a for a in fresh if a not in devices], [a for a in devices if a not in fresh])
    for address in changes.added:
        devices[address] = fresh[address]
    for address in changes.gone:
        devices.pop(address, None)
    return changes


def watch_udev(cancelled: Callable[[], bool], changed: Callable[[], None]) -> None:
    """Block on udev PCI events until ``cancelled``; call ``changed`` for each (runs in a thread)."""
    from .watch import UdevWatcher

    watcher = UdevWatcher()
    while not cancelled():
        if watcher.wait(1.0):
            changed()
