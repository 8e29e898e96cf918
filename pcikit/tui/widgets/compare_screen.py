"""The ``=`` overlay: the marked device (A) compared with the selected one (B), as ``pcikit diff`` compares."""
from __future__ import annotations

import json

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, Tree

from ...compare import Comparison, compare_documents, show_value
from ...ids import IdDatabase
from ...model import Device


def document(dev: Device) -> dict:
    """The device's JSON document as ``pcikit diff`` reads it (names play no part)."""
    from ...render.json import dumps

    return json.loads(dumps([dev], IdDatabase(b"")))[0]


def comparison(a: Device, b: Device) -> Comparison:
    """Compare two devices field by field (the ``pcikit diff`` model)."""
    return compare_documents(document(a), document(b))


def fill_tree(tree: Tree, result: Comparison) -> int:
    """One branch per group with differences, one leaf per difference; returns how many differences."""
    count = 0
    for group in result.groups:
        if not group.differences:
            continue
        branch = tree.root.add(Text(group.title, style="bold"), expand=True)
        for diff in group.differences:
            left = show_value(diff.field, diff.a, "a" in diff.present)
            right = show_value(diff.field, diff.b, "b" in diff.present)
            branch.add_leaf(Text.assemble((diff.field, "bold"), ": ", (left, "red"), " → ", (right, "green")))
            count += 1
    for side, caps, style in (("A", result.only_a, "red"), ("B", result.only_b, "green")):
        for cap in caps:
            kind = "extended capability" if cap["extended"] else "capability"
            tree.root.add_leaf(Text(f"only in {side}: {kind} {cap['name']} [0x{cap['offset']:03x}]", style=style))
            count += 1
    return count


class CompareScreen(ModalScreen):
    """Differences as a tree; Escape closes it."""

    DEFAULT_CSS = """
    CompareScreen { align: center middle; }
    CompareScreen > Vertical { width: 95%; height: 90%; border: round $primary; background: $surface; }
    CompareScreen #compare-title { height: auto; padding: 0 1; background: $boost; }
    CompareScreen Tree { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("q", "dismiss", "Close", show=False)]

    def __init__(self, a: Device, b: Device) -> None:
        super().__init__()
        self.a, self.b = a, b
        self.result = comparison(a, b)

    def compose(self) -> ComposeResult:
        """Title line (A, B, count) and the tree."""
        tree: Tree = Tree("differences", id="compare-tree")
        tree.show_root = False
        count = fill_tree(tree, self.result)
        summary = "identical" if self.result.identical else f"{count} difference{'s' if count != 1 else ''}"
        title = Text.assemble(("A ", "bold red"), str(self.a.address), "   ", ("B ", "bold green"),
                              str(self.b.address), f"   {summary}")
        with Vertical() as box:
            box.border_title = "compare (pcikit diff)"
            yield Static(title, id="compare-title")
            yield tree

    def on_mount(self) -> None:
        """Keys go to the tree."""
        self.query_one(Tree).focus()
