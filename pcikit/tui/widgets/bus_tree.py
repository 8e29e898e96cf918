"""The bus tree: devices under the bridges that lead to them."""
from __future__ import annotations

from typing import Callable, Optional

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ...address import Address
from ..rows import DeviceRow
from ..topology import BusNode


class BusTree(Tree):
    """Root buses, then devices; a node's data is the device address (None for a bus)."""

    DEFAULT_CSS = """
    BusTree { height: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("PCI", **kwargs)
        self.show_root = False
        self._node_of: dict[Address, TreeNode] = {}

    def show(
        self,
        forest: dict[tuple[int, int], list[BusNode]],
        rows: dict[Address, DeviceRow],
        keep: Callable[[Address], bool],
    ) -> None:
        """Rebuild; only devices ``keep`` accepts, and the bridges leading to them, are shown."""
        current = self.selected_address
        self.clear()
        self._node_of = {}
        for (domain, bus), nodes in sorted(forest.items()):
            shown = [n for n in nodes if self._wanted(n, keep)]
            if not shown:
                continue
            parent = self.root.add(Text(f"[{domain:04x}:{bus:02x}]", style="bold"), None, expand=True)
            for node in shown:
                self._add(parent, node, rows, keep)
        if current is not None:
            self.select(current)

    def _wanted(self, node: BusNode, keep: Callable[[Address], bool]) -> bool:
        return keep(node.device.address) or any(self._wanted(c, keep) for c in node.children)

    def _add(self, parent: TreeNode, node: BusNode, rows: dict[Address, DeviceRow], keep) -> None:
        address = node.device.address
        row = rows[address]
        label = Text.assemble(
            (row.slot, "bold"), " ", row.class_name, ": ", row.vendor, " ", row.device,
            (f"  {row.interrupts}" if row.interrupts else "", "cyan"),
        )
        children = [c for c in node.children if self._wanted(c, keep)]
        if children:
            branch = parent.add(label, address, expand=True)
            for child in children:
                self._add(branch, child, rows, keep)
        else:
            branch = parent.add_leaf(label, address)
        self._node_of[address] = branch

    @property
    def selected_address(self) -> Optional[Address]:
        """The device under the cursor, if any."""
        node = self.cursor_node
        return node.data if node is not None else None

    def select(self, address: Address) -> bool:
        """Move the cursor to ``address``; False when it is not shown."""
        node = self._node_of.get(address)
        if node is None:
            return False
        self.call_after_refresh(self.move_cursor, node)  # line numbers exist after the next render
        return True
