"""The MSI-X tab's data: the capability's layout and, when its BAR is readable, the vector table."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from ..model import Device
from ..schema import registry

if TYPE_CHECKING:
    from ..sources import Source

CAP_ID_MSIX = registry.standard_id("MSI-X")
_BAR_SLOTS = range(6)


@dataclass
class MsixReport:
    """``fields``: the capability's decoded fields; ``state``: pcikit.msix.MsixState when read;
    ``note``: why the vector table is not shown (None when it is)."""

    fields: Any = None
    state: Any = None
    note: Optional[str] = None


def _absent(dev: Device) -> str:
    stop = dev.capability_stop
    if stop is None:
        return "This function has no MSI-X capability."
    if stop.reason == "access denied":
        return "The capability list is not readable (only 64 bytes visible; needs root): MSI-X unknown."
    return "No MSI-X capability before the capability list breaks off (see Problems)."


def msix_report(dev: Device, source: "Source") -> MsixReport:
    """Read the vector table through the source's BAR regions (read-only; never writes)."""
    cap = dev.find_capability(CAP_ID_MSIX)
    if cap is None:
        return MsixReport(note=_absent(dev))
    if cap.fields is None:
        return MsixReport(note="The MSI-X capability could not be decoded (see Problems).")
    try:
        from .. import msix
    except ImportError:
        return MsixReport(cap.fields, note="Reading the vector table needs pcikit.msix, which this build lacks.")
    layout = msix.MsixLayout.from_fields(cap.fields)
    wanted = sorted({layout.table_bir, layout.pba_bir} & set(_BAR_SLOTS))
    regions, reasons = source.bar_regions(dev, wanted)
    try:
        state = msix.read_msix(dev, regions)
    finally:
        for region in regions.values():
            region.close()
    note = None
    if state is not None and not state.vectors:
        note = "; ".join(reasons.values()) or state.unread or "no vector could be read"
    return MsixReport(cap.fields, state, note)
