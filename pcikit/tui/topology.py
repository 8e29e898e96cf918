"""The bus tree the inspector draws: each device under the bridge whose bus range holds its bus.

Bridges are class 06xx functions with a type 1 or 2 header; they own buses
secondary..subordinate (as ``lspci -t`` reads them). A device hangs under the
narrowest such bridge of its domain; devices no bridge claims are roots, grouped
by ``(domain, bus)``. Loops in bogus bus numbers are cut, never followed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..model import Device

_MAX_DEPTH = 256


@dataclass
class BusNode:
    """A device and the devices behind it (empty unless it is a bridge)."""

    device: Device
    children: list["BusNode"] = field(default_factory=list)


def bridge_range(dev: Device) -> Optional[tuple[int, int]]:
    """(secondary, subordinate) of a configured bridge, else None."""
    if not dev.has_config or dev.class_word >> 8 != 0x06 or dev.header_type not in (1, 2):
        return None
    body = dev.header.body
    secondary = body.secondary_bus if dev.header_type == 1 else body.cardbus_bus
    subordinate = body.subordinate_bus
    if secondary == 0 or subordinate < secondary:
        return None
    return secondary, subordinate


def _claims(bridges: list[tuple[Device, tuple[int, int]]]) -> dict[tuple[int, int], list[Device]]:
    """For each (domain, bus), the two narrowest bridges whose range holds it (first found wins ties)."""
    claims: dict[tuple[int, int], list[tuple[int, int, Device]]] = {}
    for order, (bridge, (low, high)) in enumerate(bridges):
        for bus in range(low, high + 1):
            entry = claims.setdefault((bridge.address.domain, bus), [])
            entry.append((high - low, order, bridge))
            entry.sort(key=lambda item: item[:2])
            del entry[2:]
    return {key: [bridge for _, _, bridge in entry] for key, entry in claims.items()}


def _parent(dev: Device, claims: dict[tuple[int, int], list[Device]]) -> Optional[Device]:
    """The narrowest bridge (other than ``dev`` itself) whose bus range holds ``dev``'s bus."""
    candidates = claims.get((dev.address.domain, dev.address.bus), [])
    return next((bridge for bridge in candidates if bridge is not dev), None)


def _cycles(parents: dict[int, Optional[Device]], devices: list[Device]) -> None:
    """Drop parent links that lead back to the device itself (bogus bus numbers)."""
    for dev in devices:
        seen = {id(dev)}
        step = parents[id(dev)]
        for _ in range(_MAX_DEPTH):
            if step is None:
                break
            if id(step) in seen:
                parents[id(dev)] = None
                break
            seen.add(id(step))
            step = parents[id(step)]


def bus_forest(devices: list[Device]) -> dict[tuple[int, int], list[BusNode]]:
    """Root nodes by (domain, bus), each with its subtree, in address order."""
    ordered = sorted(devices, key=lambda d: d.address)
    claims = _claims([(dev, rng) for dev in ordered if (rng := bridge_range(dev)) is not None])
    parents = {id(dev): _parent(dev, claims) for dev in ordered}
    _cycles(parents, ordered)
    nodes = {id(dev): BusNode(dev) for dev in ordered}
    roots: dict[tuple[int, int], list[BusNode]] = {}
    for dev in ordered:
        parent = parents[id(dev)]
        if parent is None:
            roots.setdefault((dev.address.domain, dev.address.bus), []).append(nodes[id(dev)])
        else:
            nodes[id(parent)].children.append(nodes[id(dev)])
    return roots


