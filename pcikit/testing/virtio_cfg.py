"""The virtio PCI configuration access capability (virtio 1.2, 4.1.4.9): BAR access through config space.

The driver writes ``bar``, ``offset`` and ``length`` (1, 2 or 4) of the capability (RW, from
the schema), then reads or writes ``pci_cfg_data``, the dword after the structure: the access
reaches ``length`` bytes of BAR ``bar`` at ``offset``, as a load or store from inside the
function (BAR hooks and MSI-X structures answer). ``pci_cfg_data`` itself is a RW dword:
an access the window cannot perform (no such BAR, a length other than 1, 2 or 4, misaligned or
past the BAR's end) reaches only it, as in QEMU, and is recorded in ``dev.violations``.
"""
from __future__ import annotations

from typing import Callable, Optional

from ..errors import RegionAccessError
from ..model import Capability
from ..schema.caps import vendor as vendor_schema
from .config import MockConfig
from .log import Access
from .region import MockRegion
from .registers import locate
from .state import DeviceState

_WIDTHS = (1, 2, 4)


def pci_cfg_capabilities(capabilities: list[Capability]) -> list[Capability]:
    """The virtio PCI configuration access capabilities among ``capabilities``."""
    return [cap for cap in capabilities if cap.fields is not None and cap.fields.get("kind") == "virtio"
            and cap.fields.cfg_type == vendor_schema.VIRTIO_PCI_CFG]


class VirtioPciCfgWindow:
    """One PCI configuration access capability of a mock device."""

    def __init__(self, config: MockConfig, cap: Capability, regions: Callable[[int], Optional[MockRegion]],
                 state: DeviceState) -> None:
        where = locate(cap)
        self._config, self._regions, self._state = config, regions, state
        self._bar, self._offset, self._length = where["bar"], where["region_offset"], where["region_length"]
        self.data = where["region_length"] + 4  # pci_cfg_data follows the structure
        config.define_register(self.data, 4, writable=0xFFFF_FFFF, reset=0)
        config.on_read(self.data, 4, self._read)
        config.on_write(self.data, 4, self._write)

    def _target(self) -> tuple[Optional[MockRegion], int, int]:
        config = self._config
        return (self._regions(config.peek(self._bar, 1)), config.peek(self._offset, 4), config.peek(self._length, 4))

    def _refuse(self, what: str) -> None:
        self._state.violation(f"virtio PCI_CFG window: {what}")

    def _read(self, access: Access) -> Optional[int]:
        region, offset, length = self._target()
        if region is None or length not in _WIDTHS:
            self._refuse(f"read with no BAR or length {length}")
            return None
        try:
            value = region.dispatch_read(offset, length)
        except RegionAccessError as exc:
            self._refuse(str(exc))
            return None
        shift = 8 * (access.offset - self.data)
        return (value >> shift) & ((1 << (8 * access.width)) - 1)

    def _write(self, access: Access) -> None:
        region, offset, length = self._target()
        if region is None or length not in _WIDTHS:
            self._refuse(f"write with no BAR or length {length}")
            return None
        try:
            region.dispatch_write(offset, length, access.value >> (8 * (access.offset - self.data)))
        except RegionAccessError as exc:
            self._refuse(str(exc))
        return None
