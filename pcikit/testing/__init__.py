"""Mock PCI devices for testing driver code without hardware (no pytest needed).

A :class:`MockDevice` is a register model with the semantics real devices and
emulators (QEMU ``hw/pci/pci.c``, ``hw/pci/msix.c``) have, behind the same
interfaces as a live device:

* ``dev.config`` is a :class:`pcikit.access.ConfigSpace` (``read``/``write``,
  ``read8/16/32``, ``write8/16/32``) with per-byte write and write-1-to-clear
  masks, BAR sizing, MSI/MSI-X control, Command and Status semantics;
* ``dev.bar(n)`` is a :class:`pcikit.mmio.BarRegion` (``read8..64``/``write8..64``,
  ``size``) that decodes only while Command enables it;
* ``dev.open()`` is the :class:`pcikit.Device` model over it, exactly as
  ``pcikit.open(slot)`` is for a live function.

The device side: ``dev.msix.fire(v)``, ``dev.msi.fire(n)``, ``dev.intx.set_level()``;
records in ``dev.interrupts``, ``dev.access_log`` and ``dev.violations``; hooks
(``dev.on_bar_write(bar, offset, callback)`` and friends) to model behaviour;
``dev.surprise_remove()`` and ``dev.fail_next()`` for faults. Example::

    from pcikit.testing import DeviceBuilder

    dev = DeviceBuilder(0x1234, 0x5678).bar(0, 0x1000).msix(vectors=4, bar=0).build()
    dev.config.write16(0x04, 0x0006)            # Memory Space + Bus Master
    assert dev.msix.fire(0) is False            # masked at reset: now pending
    assert dev.msix.pending(0)
"""
from __future__ import annotations

from .builder import DeviceBuilder
from .config import MockConfig
from .device import MockDevice
from .log import Access, AccessLog, InterruptMessage
from .msix import MsixEntry
from .region import MockRegion
from .source import MockSource
from .state import MockError, VmmPanic

__all__ = [
    "Access", "AccessLog", "DeviceBuilder", "InterruptMessage", "MockConfig", "MockDevice",
    "MockError", "MockRegion", "MockSource", "MsixEntry", "VmmPanic",
]
