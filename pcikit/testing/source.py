"""MockSource: mock devices behind the :class:`pcikit.sources.Source` interface.

    source = MockSource([DeviceBuilder(0x1234, 0x5678).bar(0, 0x1000).build()])
    create_app(source)          # the TUI over mock devices; BARs are the mocks' regions
"""
from __future__ import annotations

from typing import Iterable, Optional

from ..address import Address
from ..errors import BarUnavailableError
from ..mmio import BarRegion
from ..model import Device
from ..sources import Source
from .device import MockDevice
from .state import MockError


class MockSource(Source):
    """Mock devices as a live source: each load reads their config space now; BARs are their regions."""

    live = True

    def __init__(self, devices: Iterable[MockDevice], label: str = "mock") -> None:
        self.devices = {dev.address: dev for dev in devices}
        self.label = label

    def load(self) -> list[Device]:
        """A fresh model over every mock, in address order."""
        return [self.devices[address].open() for address in sorted(self.devices)]

    def reload(self, address: Address) -> Optional[Device]:
        """A fresh model over one mock; None when no mock has ``address`` or it was removed."""
        mock = self.devices.get(address)
        if mock is None or mock.removed:
            return None
        return mock.open()

    def bar_region(self, dev: Device, index: int) -> BarRegion:
        """The mock's own BAR region (writes reach the model)."""
        mock = self.devices.get(dev.address)
        if mock is None:
            raise BarUnavailableError(f"{dev.address}: no such mock device")
        try:
            return mock.bar(index)
        except MockError as exc:
            raise BarUnavailableError(str(exc)) from None
