"""PCIe health verdicts: named checks over a set of devices and the topology between them.

The API the CLI, the TUI and the fleet export share::

    from pcikit.health import check_devices
    for finding in check_devices(devices):          # devices: list[pcikit.Device]
        print(finding.slot, finding.severity, finding.check, finding.message)

``check_devices(devices, sysfs_root=None, checks=None)`` runs every check (or the named
ones) and returns :class:`Finding` objects sorted by slot. Pass ``sysfs_root`` for live
devices: the ``aer`` check then also reads the kernel's ``aer_dev_*`` counters and the
``msix`` check compares MSI-X masking with the IRQs the kernel lists. The checks and the
PCIe specification sections they rest on are documented in ``docs/health.md``.
"""
from __future__ import annotations

from typing import Iterable, Optional, Sequence

from .finding import ERROR, INFO, SEVERITIES, WARNING, Finding, worst
from .topology import Topology

__all__ = ["CHECKS", "ERROR", "Finding", "INFO", "SEVERITIES", "Topology", "WARNING",
           "check_devices", "check_topology", "worst"]


def _registry() -> dict:
    from . import errors, interrupts, links

    return {
        "unreachable": errors.check_unreachable,
        "link-down": links.check_link_down,
        "link-speed": links.check_link_speed,
        "link-width": links.check_link_width,
        "aspm": links.check_aspm,
        "aer": errors.check_aer,
        "dpc": errors.check_dpc,
        "msix": interrupts.check_msix,
    }


CHECKS: tuple[str, ...] = ("unreachable", "link-down", "link-speed", "link-width", "aspm", "aer", "dpc", "msix")


def check_topology(topology: Topology, checks: Optional[Iterable[str]] = None) -> list[Finding]:
    """Run the named checks (default: all of :data:`CHECKS`) over one topology."""
    registry = _registry()
    names = list(CHECKS if checks is None else checks)
    unknown = [name for name in names if name not in registry]
    if unknown:
        raise ValueError(f"unknown check(s): {', '.join(unknown)} (known: {', '.join(CHECKS)})")
    findings: list[Finding] = []
    for name in names:
        findings.extend(registry[name](topology))
    order = {dev.address: i for i, dev in enumerate(topology.devices)}
    findings.sort(key=lambda f: (order.get(f.address, len(order)), CHECKS.index(f.check)))
    return findings


def check_devices(devices: Sequence, sysfs_root: Optional[str] = None,
                  checks: Optional[Iterable[str]] = None) -> list[Finding]:
    """Findings for ``devices`` (one host's functions, the topology built from them).

    ``sysfs_root`` marks the devices as live (kernel counters and IRQs are read from it).
    """
    return check_topology(Topology(list(devices), sysfs_root), checks)
