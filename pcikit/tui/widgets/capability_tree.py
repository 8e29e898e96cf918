"""The Capabilities tab: the header and every capability as a tree of decoded registers and fields.

Children are added when a node is first expanded, so a device with many
extended capabilities opens instantly. A node's data is its field path (see
:mod:`pcikit.tui.spans`); highlighting a node posts :class:`CapabilityTree.FieldFocused`.
"""
from __future__ import annotations

from typing import Any, Optional

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ...model import Capability
from .. import keys
from ..inspect import Inspection
from ..spans import FieldMap, Span, owner_path, value_at

CHANGED = "bold black on yellow"
_STOP_TEXT = {
    "looped": "list loops back to 0x{offset:02x}",
    "broken": "list broken at 0x{offset:02x} (ID 0xff)",
    "too long": "list too long; stopped at 0x{offset:02x}",
    "access denied": "rest not readable (needs root: only 64 bytes visible)",
}


def _where(span: Optional[Span]) -> str:
    if span is None:
        return ""
    if span.bits is not None:
        lo, width = span.bits
        return f"  bit {lo}" if width == 1 else f"  bits {lo}-{lo + width - 1}"
    return f"  @0x{span.start:03x}" + (f"+{span.length}" if span.length > 1 else "")


def _scalar(value: Any) -> tuple[str, str]:
    """(text, style) of a leaf value."""
    if isinstance(value, bool):
        return ("+", "green") if value else ("-", "dim")
    if isinstance(value, int):
        return (f"0x{value:x} ({value})" if value > 9 else str(value)), ""
    if isinstance(value, (bytes, bytearray)):
        return value.hex(" "), ""
    if value is None:
        return "absent", "dim"
    return str(value), ""


def _children(value: Any, absent: bool = True) -> list[tuple[Any, Any]]:
    """Child fields of a decoded value; ``absent`` False leaves out registers the device lacks (None)."""
    if isinstance(value, dict):
        return [(k, v) for k, v in value.items()
                if not str(k).startswith("_") and k != "raw" and (absent or v is not None)]
    if isinstance(value, list):
        return list(enumerate(value))
    return []


def value_text(value: Any) -> Optional[str]:
    """A field's value as ``c`` copies it: registers and integers in hex, flags as + or -; None for groups."""
    if isinstance(value, dict) and "raw" in value:
        return f"0x{value['raw']:x}"
    if isinstance(value, bool):
        return "+" if value else "-"
    if isinstance(value, int):
        return f"0x{value:x}"
    if isinstance(value, (bytes, bytearray)):
        return value.hex(" ")
    if isinstance(value, (dict, list)) or value is None:
        return None
    return str(value)


class CapabilityTree(Tree):
    """Header + capabilities of one device; expand a node to see its registers and fields."""

    BINDINGS = [
        Binding("right", "open_node", "Expand", show=False),
        Binding("left", "close_node", "Collapse", show=False),
    ] + keys.bindings(keys.TREE)

    class FieldFocused(Message):
        """The cursor is on the field at ``path``."""

        def __init__(self, path: tuple) -> None:
            super().__init__()
            self.path = path

    def __init__(self, **kwargs) -> None:
        super().__init__("Device", **kwargs)
        self.show_root = False
        self._unexpanded: dict[int, Any] = {}
        self._field_map: Optional[FieldMap] = None
        self._changed_paths: set = set()
        self._inspection: Optional[Inspection] = None
        self.show_absent = False
        self.last_search = ""

    def show(self, inspection: Optional[Inspection]) -> None:
        """Rebuild for ``inspection`` (None clears): top-level nodes only, the rest on expand."""
        self.clear()
        self._unexpanded = {}
        self._inspection = inspection
        if inspection is None:
            return
        dev = inspection.device
        self._field_map = inspection.field_map
        self._changed_paths = inspection.changed
        if dev.header is not None:
            self._branch(self.root, Text("Header", style="bold"), ("header",), dev.header)
        for cap in dev.capabilities:
            self._capability(cap)
        self._stop("Capabilities", dev.capability_stop)
        for cap in dev.extended_capabilities:
            self._capability(cap)
        self._stop("Extended capabilities", dev.extended_stop)

    def _capability(self, cap: Capability) -> None:
        path = owner_path(cap)
        width = 3 if cap.extended else 2
        label = Text.assemble((f"[{cap.offset:0{width}x}] ", "bold"), (cap.name, "bold"))
        label.append(f" v{cap.version}" if cap.extended else "", style="dim")
        label.append(f"  id 0x{cap.cap_id:02x}", style="dim")
        fields = cap.fields
        if fields is None:
            label.append("  (not decoded)", style="italic dim")
        if path in self._changed_paths:
            label.stylize(CHANGED)
        node = self._branch(self.root, label, path, fields if fields is not None else {})
        node.expand()
        for problem in cap.problems:
            node.add_leaf(Text(f"⚠ {problem}", style="bold red"), path)

    def _stop(self, what: str, stop: Any) -> None:
        if stop is None:
            return
        text = _STOP_TEXT.get(stop.reason, stop.reason).format(offset=stop.offset or 0)
        self.root.add_leaf(Text(f"⚠ {what}: {text}", style="bold red"), None)

    def _branch(self, parent: TreeNode, label: Text, path: tuple, value: Any) -> TreeNode:
        node = parent.add(label, path, allow_expand=bool(_children(value, self.show_absent)))
        self._unexpanded[node.id] = value
        return node

    def _label(self, key: Any, value: Any, path: tuple) -> Text:
        span = self._field_map.span(path) if self._field_map is not None else None
        name = f"[{key}]" if isinstance(key, int) else str(key)
        if isinstance(value, dict) and "raw" in value:
            digits = 2 * span.length if span is not None and span.bits is None else 2
            text = Text.assemble((name, "bold"), f" = 0x{value['raw']:0{digits}x}")
        elif isinstance(value, (dict, list)):
            text = Text(name, style="bold")
        else:
            shown, style = _scalar(value)
            text = Text.assemble(name, " = ", (shown, style))
        text.append(_where(span), style="dim")
        if path in self._changed_paths:
            text.stylize(CHANGED)
        return text

    def _populate(self, node: TreeNode) -> None:
        value = self._unexpanded.pop(node.id, None)
        if value is None:
            return
        for key, child in _children(value, self.show_absent):
            path = node.data + (key,)
            label = self._label(key, child, path)
            if _children(child, self.show_absent):
                self._branch(node, label, path, child)
            else:
                node.add_leaf(label, path)

    def action_open_node(self) -> None:
        """Right arrow: expand the node under the cursor."""
        node = self.cursor_node
        if node is not None and node.allow_expand:
            self._populate(node)
            node.expand()

    def action_close_node(self) -> None:
        """Left arrow: collapse the node, or go to its parent."""
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded) -> None:
        """Add the children of a node the first time it opens."""
        self._populate(event.node)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        """Tell the pane which field the cursor is on."""
        if event.node.data is not None:
            self.post_message(self.FieldFocused(event.node.data))

    # -- absent registers, copy, search --------------------------------------------------
    def action_toggle_absent(self) -> None:
        """``a``: show or hide the registers this device does not implement (decoded as absent)."""
        self.show_absent = not self.show_absent
        current = self.cursor_node.data if self.cursor_node is not None else None
        self.show(self._inspection)
        if current is not None:
            self.reveal(current)
        self.app.notify("Absent registers shown" if self.show_absent else "Absent registers hidden", timeout=1.5)

    def copy_value(self) -> Optional[str]:
        """The value under the cursor as text (None on a group node)."""
        node = self.cursor_node
        if node is None or node.data is None or self._inspection is None:
            return None
        return value_text(value_at(self._inspection.device, node.data))

    def _paths(self) -> list[tuple[tuple, str]]:
        """Every field path in tree order with the text a search looks in (name and value)."""
        ins = self._inspection
        if ins is None:
            return []
        dev = ins.device
        out: list[tuple[tuple, str]] = []

        def walk(path: tuple, value: Any, name: str) -> None:
            shown = value_text(value)
            out.append((path, f"{name} {shown or ''}".lower()))
            for key, child in _children(value, self.show_absent):
                walk(path + (key,), child, str(key))

        if dev.header is not None:
            walk(("header",), dev.header, "header")
        for cap in dev.capabilities + dev.extended_capabilities:
            walk(owner_path(cap), cap.fields if cap.fields is not None else {}, cap.name)
        return out

    def search(self, query: str, after_cursor: bool = False) -> bool:
        """Move to the first field (after the cursor's, with ``after_cursor``) whose name or value holds ``query``."""
        self.last_search = query
        query = query.lower().strip()
        if not query:
            return False
        paths = self._paths()
        current = self.cursor_node.data if self.cursor_node is not None else None
        start = next((i for i, (p, _) in enumerate(paths) if p == current), -1) + 1 if after_cursor else 0
        order = paths[start:] + paths[:start]
        found = next((path for path, text in order if query in text), None)
        return found is not None and self.reveal(found)

    def action_next_match(self) -> None:
        """``n``: the next field matching the last search."""
        if self.last_search and not self.search(self.last_search, after_cursor=True):
            self.app.notify(f"No field matches “{self.last_search}”", severity="warning", timeout=2)

    def reveal(self, path: tuple) -> bool:
        """Expand down to the field at ``path`` and put the cursor on it; False when it is not shown."""
        node = self.root
        while node.data != path:
            self._populate(node)
            node.expand()
            node = next(
                (c for c in node.children if c.data is not None and path[: len(c.data)] == c.data), None
            )
            if node is None:
                return False
        self.call_after_refresh(self.move_cursor, node)
        return True
