"""Who is at the other end of each link: bridges by secondary bus, PCIe capability fields.

A function's link partner is the bridge (type 1 header) whose Secondary Bus Number is
the function's bus, in the same domain. Only PCIe ports that face downstream (Root Port,
Switch Downstream Port, PCI-to-PCIe bridge) have a link below them; only functions that
face upstream (endpoints, Switch Upstream Ports, PCIe-to-PCI bridges) have one above.
"""
from __future__ import annotations

from typing import Any, NamedTuple, Optional

from ..model import HEADER_BRIDGE, Device
from ..schema.capability_ids import PCI_EXPRESS as CAP_ID_EXP
from ..schema.caps import express

UPSTREAM_FACING = frozenset({express.ENDPOINT, express.LEGACY_ENDPOINT, express.UPSTREAM_PORT,
                             express.PCIE_TO_PCI_BRIDGE})
DOWNSTREAM_FACING = frozenset({express.ROOT_PORT, express.DOWNSTREAM_PORT, express.PCI_TO_PCIE_BRIDGE})


class Link(NamedTuple):
    """One hop: the upstream-facing function and the port above it (None when not in the source)."""

    device: Device
    port: Optional[Device]


def reachable(dev: Device) -> bool:
    """False when the function reads all ones (vendor ID 0xffff) or has no readable header."""
    return dev.has_config and dev.vendor_id != 0xFFFF


class Topology:
    """The devices of one host and the links between them."""

    def __init__(self, devices: list[Device], sysfs_root: Optional[str] = None) -> None:
        self.devices = devices
        self.sysfs_root = sysfs_root
        self._express: dict[int, Any] = {}
        self._bridges: dict[tuple[int, int], Device] = {}
        self._behind: dict[tuple[int, int], list[Device]] = {}
        self._links: Optional[list[Link]] = None
        for dev in devices:
            self._behind.setdefault((dev.address.domain, dev.address.bus), []).append(dev)
            if reachable(dev) and dev.header_type == HEADER_BRIDGE and dev.header is not None:
                key = (dev.address.domain, dev.header.body.secondary_bus)
                if key[1] != dev.address.bus:  # a bridge is never its own partner
                    self._bridges.setdefault(key, dev)

    @property
    def live(self) -> bool:
        """True when the devices come from a live sysfs tree."""
        return self.sysfs_root is not None

    def express(self, dev: Device) -> Optional[Any]:
        """Decoded PCI Express capability fields of ``dev`` (None when absent or unreadable)."""
        key = id(dev)
        if key not in self._express:
            cap = dev.find_capability(CAP_ID_EXP) if reachable(dev) else None
            self._express[key] = None if cap is None else cap.fields
        return self._express[key]

    def port_type(self, dev: Device) -> Optional[int]:
        """PCIe Device/Port Type of ``dev`` or None."""
        fields = self.express(dev)
        return None if fields is None else fields["port_type_raw"]

    def bridge_above(self, dev: Device) -> Optional[Device]:
        """The bridge whose secondary bus holds ``dev`` (any kind), or None."""
        return self._bridges.get((dev.address.domain, dev.address.bus))

    def behind(self, port: Device) -> list[Device]:
        """The functions on the secondary bus of bridge ``port``."""
        if port.header is None or port.header_type != HEADER_BRIDGE:
            return []
        return self._behind.get((port.address.domain, port.header.body.secondary_bus), [])

    def links(self) -> list[Link]:
        """Every upstream-facing PCIe function that has link registers, with its partner port.

        Found once per topology: every link check and the fleet's links table walk the same list.
        """
        if self._links is None:
            self._links = self._find_links()
        return self._links

    def _find_links(self) -> list[Link]:
        found = []
        for dev in self.devices:
            fields = self.express(dev)
            if fields is None or fields["link_status"] is None or fields["port_type_raw"] not in UPSTREAM_FACING:
                continue
            port = self.bridge_above(dev)
            port_fields = None if port is None else self.express(port)
            if port_fields is None or port_fields["port_type_raw"] not in DOWNSTREAM_FACING \
                    or port_fields["link_status"] is None:
                port = None
            found.append(Link(dev, port))
        return found

    def downstream_ports(self) -> list[Device]:
        """PCIe ports with a link below them (Root Ports, Switch Downstream Ports, ...)."""
        return [dev for dev in self.devices
                if self.port_type(dev) in DOWNSTREAM_FACING and self.express(dev)["link_status"] is not None]
