"""Where a profile's emulator departs from the catalogue's register attributes (data from
:mod:`pcikit.testing.profiles`, applied to a mock's byte masks when it is built).

QEMU (``profile="qemu"``, measured against QEMU 7.2 in tests/test_qemu_masks.py):

* every config byte outside the header and the capabilities is writable (``hw/pci/pci.c``
  ``pci_init_wmask`` fills the device-specific area of ``wmask``; ``pci_add_capability``
  clears it only over each capability);
* Command: Parity Error Response is read-only (``pci_init_wmask`` leaves it out).
"""
from __future__ import annotations

from typing import Iterable

from ..model import Device
from ..schema import header as header_schema
from ..schema.bits import Placed
from .profiles import answer
from .registers import COMMAND, Masks, bit

PARITY_ERROR_RESPONSE = bit(header_schema.COMMAND, "parity_error_response")


def apply(masks: Masks, model: Device, registers: Iterable[Placed], header_end: int, profile: str) -> Masks:
    """``masks`` changed where ``profile`` departs from the catalogue (in place; returned)."""
    if answer("unused_config_bytes", profile) == "writable":
        covered = bytearray(len(masks.writable))
        covered[:header_end] = b"\1" * min(header_end, len(covered))
        for reg in registers:
            covered[reg.offset : reg.offset + reg.width] = b"\1" * reg.width
        for cap in model.capabilities + model.extended_capabilities:
            if cap.fields is None:  # no schema: keep its header (the list) read-only at least
                covered[cap.offset : cap.offset + (4 if cap.extended else 2)] = b"\1" * (4 if cap.extended else 2)
        for at, used in enumerate(covered):
            if not used:
                masks.writable[at] = 0xFF
    if answer("command_parity_response", profile) == "read-only" and len(masks.writable) > COMMAND:
        masks.writable[COMMAND] &= ~PARITY_ERROR_RESPONSE
    return masks
