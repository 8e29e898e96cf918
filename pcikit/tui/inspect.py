"""Everything the detail pane shows about one device, decoded on first use."""
from __future__ import annotations

from functools import cached_property
from typing import Callable, Optional

from ..ids import IdDatabase
from ..model import Device
from ..sources import Source
from .changes import changed_bytes, changed_paths
from .health import DeviceHealth, check_one
from .msix_info import MsixReport, msix_report
from .spans import FieldMap


class Inspection:
    """One read of one device; ``previous`` (an earlier read) makes the changes known."""

    def __init__(
        self,
        device: Device,
        ids: IdDatabase,
        source: Source,
        previous: Optional[Device] = None,
        health: Optional[Callable[[], DeviceHealth]] = None,
    ) -> None:
        self.device = device
        self.ids = ids
        self.source = source
        self.previous = previous
        self._health = health

    @cached_property
    def health(self) -> DeviceHealth:
        """pcikit.health's findings and the decode problems (``health`` computes them; else the device alone)."""
        if self._health is not None:
            return self._health()
        return check_one(self.device, [self.device])

    @cached_property
    def field_map(self) -> FieldMap:
        """Byte ranges of every decoded field."""
        return FieldMap.of(self.device)

    @cached_property
    def problems(self) -> list[str]:
        """The model's problems (decodes everything once)."""
        return self.device.problems

    @cached_property
    def changed(self) -> set[tuple]:
        """Field paths that differ from the previous read (empty without one)."""
        return changed_paths(self.previous, self.device) if self.previous is not None else set()

    @cached_property
    def changed_offsets(self) -> set[int]:
        """Config offsets that differ from the previous read."""
        return changed_bytes(self.previous, self.device) if self.previous is not None else set()

    @cached_property
    def msix(self) -> MsixReport:
        """The MSI-X layout and, when a BAR is readable, the vector table."""
        return msix_report(self.device, self.source)
