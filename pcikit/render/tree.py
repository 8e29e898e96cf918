"""Bus topology in the layout of ``lspci -t`` / ``lspci -tv`` (pciutils ls-tree.c semantics).

Bridges (class 06xx with a type 1 or 2 header) own the bus range secondary..subordinate;
each bridge hangs under the narrowest bridge whose range holds its primary bus, and each
device lands on its bus under the matching bridge. On live sysfs, as in pciutils, a parent
the kernel names wins: the device goes on that parent's first bus (a parent that is no bridge
by config space becomes one), and a bridge hangs under its parent's bridge.

lspci 3.10 changed the layout (pcikit follows the release ``dialect`` names): each domain
is a root of its own, in ascending order, holding only the buses its devices sit on; a
bridge's primary bus is the bus it sits on, not its Primary Bus Number register; a
device the filter selects shows everything below it; ``\\-`` marks the last device shown.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable, Optional

from ..model import Device

if TYPE_CHECKING:  # the lspci package imports this module (slot paths): import its dialects late
    from .lspci.dialect import LspciVersion

_LINE_LIMIT = 1023


@dataclass
class _Bus:
    domain: int
    number: int
    devices: list["_Node"] = field(default_factory=list)


@dataclass
class _Bridge:
    device: Optional["_Node"]
    domain: int
    primary: int
    secondary: int
    subordinate: int
    children: list["_Bridge"] = field(default_factory=list)
    buses: list[_Bus] = field(default_factory=list)

    def bus(self, domain: int, number: int) -> Optional[_Bus]:
        return next((b for b in self.buses if b.domain == domain and b.number == number), None)

    def new_bus(self, domain: int, number: int) -> _Bus:
        bus = _Bus(domain, number)
        self.buses.append(bus)
        return bus


@dataclass
class _Node:
    device: Device
    bridge: Optional[_Bridge] = None


def _bridge_of(node: _Node, primary_from_address: bool = False) -> Optional[_Bridge]:
    dev = node.device
    if not dev.has_config or dev.class_word >> 8 != 0x06 or dev.header_type not in (1, 2):
        return None
    body = dev.header.body
    if dev.header_type == 1:
        buses = (body.primary_bus, body.secondary_bus, body.subordinate_bus)
    else:
        buses = (body.pci_bus, body.cardbus_bus, body.subordinate_bus)
    if primary_from_address:
        buses = (dev.address.bus, *buses[1:])
    return _Bridge(node, dev.address.domain, *buses)


def _span(bridge: _Bridge) -> int:
    """subordinate - primary as pciutils computes it (unsigned 32-bit: the host spans 0)."""
    return (bridge.subordinate - bridge.primary) & 0xFFFFFFFF


class _Parents:
    """The parents the kernel names (live sysfs), by node; empty when not asked for (-b, dumps)."""

    def __init__(self, nodes: list[_Node], kernel: bool) -> None:
        by_address = {str(node.device.address): node for node in nodes}
        self._of: dict[int, _Node] = {}
        for node in nodes if kernel else ():
            named = node.device.kernel.parent if node.device.kernel is not None else None
            if named in by_address:
                self._of[id(node)] = by_address[named]

    def of(self, node: Optional[_Node]) -> Optional[_Node]:
        """The node the kernel puts ``node`` under, or None."""
        return self._of.get(id(node)) if node is not None else None

    def adopt(self, nodes: list[_Node], chain: list[_Bridge]) -> None:
        """A parent that is no bridge by config space becomes one, for its first child's bus."""
        for node in nodes:
            parent = self.of(node)
            if parent is not None and parent.bridge is None:
                bus = node.device.address.bus
                parent.bridge = _Bridge(parent, parent.device.address.domain, parent.device.address.bus, bus, bus)
                chain.append(parent.bridge)

    def place(self, node: _Node) -> bool:
        """Put ``node`` on the first bus of its kernel parent's bridge; False when it has none."""
        parent = self.of(node)
        if parent is None or parent.bridge is None:
            return False
        bridge, address = parent.bridge, node.device.address
        bus = bridge.buses[0] if bridge.buses else bridge.new_bus(address.domain, address.bus)
        bus.devices.append(node)
        return True


def _insert(node: _Node, bridge: _Bridge) -> None:
    address = node.device.address
    while True:
        bus = bridge.bus(address.domain, address.bus)
        if bus is not None:
            break
        child = next(
            (c for c in bridge.children
             if c.domain == address.domain and c.secondary <= address.bus <= c.subordinate),
            None,
        )
        if child is None:
            bus = bridge.new_bus(address.domain, address.bus)
            break
        bridge = child
    bus.devices.append(node)


def _hang_bridges(chain: list[_Bridge], candidates: list[_Bridge], parents: "_Parents", host: _Bridge,
                  host_yields: bool) -> None:
    """Put each bridge of ``chain`` under its parent: the kernel's when known, else the narrowest
    candidate of its domain whose bus range holds its primary bus (``host_yields``: lspci 3.10+
    prefers any such bridge to the host)."""
    for bridge in chain:
        above = parents.of(bridge.device)
        best = above.bridge if above is not None else None
        for other in candidates if best is None else ():
            if other is bridge or not (other is host or bridge.domain == other.domain):
                continue
            if other.secondary <= bridge.primary <= other.subordinate and (
                best is None or (host_yields and best is host) or _span(best) > _span(other)
            ):
                best = other
        if best is not None:
            best.children.insert(0, bridge)


def _grow(devices: list[Device], kernel: bool = True) -> _Bridge:
    """lspci 3.9's grow_tree(): one host bridge (``kernel``: with the parents sysfs names)."""
    host = _Bridge(None, 0, 0xFFFFFFFF, 0, 0xFFFFFFFF)
    nodes = [_Node(d) for d in devices]
    chain = [host]
    for node in nodes:
        node.bridge = _bridge_of(node)
        if node.bridge is not None:
            chain.append(node.bridge)
    parents = _Parents(nodes, kernel)
    parents.adopt(nodes, chain)
    _hang_bridges(chain, chain, parents, host, host_yields=False)
    for bridge in chain:
        if bridge.bus(bridge.domain, bridge.secondary) is None:
            bridge.new_bus(bridge.domain, bridge.secondary)
    for node in nodes:
        if not parents.place(node):
            _insert(node, host)
    return host


_ALL = 0xFFFFFFFF  # lspci's ~0: the whole range


def _grow_by_domain(devices: list[Device], kernel: bool = True) -> _Bridge:
    """lspci 3.10+'s grow_tree(): one root bridge per domain, then the real bridges (``kernel``:
    with the parents sysfs names)."""
    host = _Bridge(None, _ALL, _ALL, _ALL, _ALL)
    nodes = [_Node(d) for d in devices]
    chain: list[_Bridge] = []
    for domain in dict.fromkeys(node.device.address.domain for node in nodes):
        chain.append(_Bridge(None, domain, _ALL, 0, _ALL))
    for node in nodes:
        node.bridge = _bridge_of(node, primary_from_address=True)
        if node.bridge is not None:
            chain.append(node.bridge)
    parents = _Parents(nodes, kernel)
    parents.adopt(nodes, chain)
    _hang_bridges(chain, [host, *chain], parents, host, host_yields=True)
    for bridge in chain:
        if bridge.device is not None and bridge.bus(bridge.domain, bridge.secondary) is None:
            bridge.new_bus(bridge.domain, bridge.secondary)
    for node in nodes:
        if not parents.place(node):
            _insert_by_domain(node, host)
    return host


def _insert_by_domain(node: _Node, host: _Bridge) -> None:
    """Insert below the root of the node's domain (3.10+: one root per domain), else the host."""
    domain = node.device.address.domain
    _insert(node, next((c for c in host.children if c.domain == domain), host))


class _Printer:
    """pciutils' line buffer: prefixes are rewritten into '|' and spaces after each print."""

    def __init__(self, name: Callable[[Device], Optional[str]], match: Optional[Callable[[Device], bool]]) -> None:
        self.name, self.match, self.lines = name, match, []

    def emit(self, line: str) -> str:
        self.lines.append(line[:_LINE_LIMIT] + ("..." if len(line) >= _LINE_LIMIT else ""))
        return "".join("|" if ch in "+|" else " " for ch in line)

    def dev_ok(self, node: _Node) -> bool:
        if self.match is None or self.match(node.device):
            return True
        return node.bridge is not None and any(self.bus_ok(b) for b in node.bridge.buses)

    def bus_ok(self, bus: _Bus) -> bool:
        if self.match is None:
            return True
        return any(self.dev_ok(n) for n in bus.devices)

    def device(self, node: _Node, line: str) -> str:
        addr = node.device.address
        line += f"{addr.device:02x}.{addr.function:x}"
        bridge = node.bridge
        if bridge is not None:
            if bridge.secondary == 0:
                line += "-"
            elif bridge.secondary == bridge.subordinate:
                line += f"-[{bridge.secondary:02x}]-"
            else:
                line += f"-[{bridge.secondary:02x}-{bridge.subordinate:02x}]-"
            return self.bridge(bridge, line)
        name = self.name(node.device)
        if name is not None:
            line += f"  {name}"
        return self.emit(line)

    def bus(self, bus: _Bus, line: str) -> str:
        shown = [n for n in bus.devices if self.dev_ok(n)]
        if not shown:
            return self.emit(line)
        if len(bus.devices) == 1:
            return self.device(shown[0], line + "--")
        for node in shown:
            last = node is bus.devices[-1]
            rest = self.device(node, line + ("\\-" if last else "+-"))
            line = rest[: len(line)]
        return line

    def bridge(self, bridge: _Bridge, line: str) -> str:
        line += "-"
        if len(bridge.buses) == 1:
            bus = bridge.buses[0]
            if not self.bus_ok(bus):
                return self.emit(line)
            if bridge.device is None:
                line += f"[{bridge.domain:04x}:{bus.number:02x}]-"
            return self.bus(bus, line)
        shown = [b for b in bridge.buses if self.bus_ok(b)]
        if not shown:
            return self.emit(line)
        for bus in shown:
            last = bus is bridge.buses[-1]
            rest = self.bus(bus, line + ("\\-" if last else "+-") + f"[{bus.domain:04x}:{bus.number:02x}]-")
            line = rest[: len(line)]
        return line


class _FilteredPrinter(_Printer):
    """lspci 3.10+'s printer: a selected device's subtree is shown whole, ``\\-`` ends what is shown."""

    def dev_ok(self, node: _Node) -> bool:
        if self.match is None or self.match(node.device):
            return True
        return node.bridge is not None and any(self.bus_ok(b) for b in node.bridge.buses)

    def _child(self, node: _Node, line: str) -> str:
        saved = self.match
        if saved is not None and saved(node.device):
            self.match = None
        try:
            return self.device(node, line)
        finally:
            self.match = saved

    def bus(self, bus: _Bus, line: str) -> str:
        if not bus.devices:
            return self.emit(line)
        shown = [n for n in bus.devices if self.dev_ok(n)]
        if not shown:
            return self.emit(line)
        for index, node in enumerate(shown):
            mark = "--" if len(shown) == 1 else "\\-" if index == len(shown) - 1 else "+-"
            line = self._child(node, line + mark)[: len(line)]
        return line

    def bridge(self, bridge: _Bridge, line: str) -> str:
        line += "-"
        shown = [b for b in bridge.buses if self.bus_ok(b)]
        if len(bridge.buses) == 1:
            if not shown:
                return self.emit(line)
            bus = shown[0]
            label = f"[{bus.domain:04x}:{bus.number:02x}]-" if bridge.device is None else ""
            return self.bus(bus, line + label)
        if not shown:
            return self.emit(line)
        for index, bus in enumerate(shown):
            mark = "" if len(shown) == 1 else "\\-" if index == len(shown) - 1 else "+-"
            line = self.bus(bus, line + f"{mark}[{bus.domain:04x}:{bus.number:02x}]-")[: len(line)]
        return line


def render_tree(
    devices: Iterable[Device],
    name: Callable[[Device], Optional[str]],
    match: Optional[Callable[[Device], bool]] = None,
    dialect: Optional["LspciVersion"] = None,
) -> str:
    """The tree text as lspci ``dialect`` (default the newest) draws it; ``name`` gives the label
    after each leaf (None for ``-t``)."""
    from .lspci.dialect import V3_10

    ordered = sorted(devices, key=lambda dev: dev.address)
    if dialect is not None and dialect < V3_10:
        printer = _Printer(name, match)
        printer.bridge(_grow(ordered), "")
    else:
        printer = _FilteredPrinter(name, match)
        for root in reversed(_grow_by_domain(ordered).children):  # oldest first: ascending domains
            printer.bridge(root, "")
    return "".join(line + "\n" for line in printer.lines)


def _placed_parents(root: _Bridge) -> dict[Device, Optional[Device]]:
    """The bridge device owning the bus each device landed on in a grown tree (None: a root bus)."""
    parents: dict[Device, Optional[Device]] = {}
    seen: set[int] = set()
    stack = [root]
    while stack:
        bridge = stack.pop()
        if id(bridge) in seen:
            continue
        seen.add(id(bridge))
        owner = bridge.device.device if bridge.device is not None else None
        for bus in bridge.buses:
            for node in bus.devices:
                parents[node.device] = owner
        stack.extend(bridge.children)
    return parents


def parent_bridges(devices: Iterable[Device], per_domain: bool, kernel: bool = True) -> dict[Device, Optional[Device]]:
    """The bridge each device sits behind (None on a root bus), placed as lspci's tree places it.

    ``per_domain``: the placement of pciutils 3.10 and later (a root per domain); else that of
    3.9 (one host bridge): the same trees ``render_tree`` draws, where a parent the kernel
    reports (sysfs) wins over bus numbers unless ``kernel`` is False (lspci -b).
    """
    ordered = sorted(devices, key=lambda dev: dev.address)
    return _placed_parents(_grow_by_domain(ordered, kernel) if per_domain else _grow(ordered, kernel))


def bridge_chain(dev: Device, parents: dict[Device, Optional[Device]]) -> list[Device]:
    """The bridges above ``dev``, outermost first (a looping chain stops where it loops)."""
    chain: list[Device] = []
    above = parents.get(dev)
    while above is not None and above not in chain and above is not dev:
        chain.append(above)
        above = parents.get(above)
    return chain[::-1]
