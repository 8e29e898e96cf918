"""The TUI's view of :mod:`pcikit.health`: findings per device, the list's status glyph, the power state.

The checks themselves (links against both ends, AER, DPC, unreachable, MSI-X, ASPM)
are pcikit.health's; this module groups their findings by device, adds the model's
decode problems as warnings (a broken capability list is worth a look), and folds
both into the one glyph the device list shows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from ..address import Address
from ..model import Device
from ..schema import registry

if TYPE_CHECKING:
    from ..health import Finding

# pcikit.health's severities (its JSON values); pcikit.health itself is imported when a check
# runs, not for the list's first paint.
ERROR, WARNING, INFO = "error", "warning", "info"
OK = "ok"
CAP_ID_PM = registry.standard_id("Power Management")
GLYPHS = {OK: ("●", "green"), INFO: ("●", "green"), WARNING: ("▲", "yellow"), ERROR: ("✖", "bold red"),
          None: ("·", "dim")}
_RANK = {OK: 0, INFO: 0, WARNING: 1, ERROR: 2}
_POWER_STATES = {0: "D0", 1: "D1", 2: "D2", 3: "D3hot"}


@dataclass
class DeviceHealth:
    """pcikit.health's findings about one device and the model's decode problems."""

    findings: "list[Finding]" = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def severity(self) -> str:
        """``ok``, ``warning`` or ``error`` (information and no findings are ok; a problem is a warning)."""
        ranks = [_RANK[f.severity] for f in self.findings] + [_RANK[WARNING] for _ in self.problems]
        worst = max(ranks, default=0)
        return {0: OK, 1: WARNING, 2: ERROR}[worst]

    def lines(self) -> list[tuple[str, str, str]]:
        """(severity, topic, text) rows, worst first, for the Health section and summary line."""
        rows = [(f.severity, f.check, f.message) for f in self.findings]
        rows += [(WARNING, "decode", problem) for problem in self.problems]
        order = {ERROR: 0, WARNING: 1, INFO: 2}
        return sorted(rows, key=lambda row: order[row[0]])


def check_all(devices: list[Device], sysfs_root: Optional[str] = None) -> dict[Address, DeviceHealth]:
    """Every device's health (one topology; ``sysfs_root`` for live devices: kernel counters too)."""
    from ..health import check_devices

    results = {dev.address: DeviceHealth(problems=dev.problems) for dev in devices}
    for finding in check_devices(devices, sysfs_root):
        if finding.address in results:
            results[finding.address].findings.append(finding)
    return results


def check_one(dev: Device, devices: list[Device], sysfs_root: Optional[str] = None) -> DeviceHealth:
    """One device's health, checked with only its link neighbours (the bridge above, the functions behind)."""
    from ..health import Topology

    topology = Topology(devices)
    above = topology.bridge_above(dev)
    near = [dev] + ([above] if above is not None else []) + [d for d in topology.behind(dev) if d is not dev]
    return check_all(near, sysfs_root)[dev.address]


def glyph(severity: Optional[str]) -> tuple[str, str]:
    """(glyph, style) for a severity; None (not yet checked) is a dim dot."""
    return GLYPHS[severity]


def power_state(dev: Device) -> Optional[str]:
    """``D0`` ... ``D3hot`` from the Power Management capability's PMCSR, None without one."""
    cap = dev.find_capability(CAP_ID_PM)
    fields = cap.fields if cap is not None else None
    pmcsr = fields.get("pmcsr") if fields is not None else None
    return None if pmcsr is None else _POWER_STATES.get(pmcsr.power_state, f"state {pmcsr.power_state}")
