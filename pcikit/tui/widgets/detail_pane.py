"""The detail pane: a title line and the Header, Capabilities, MSI-X, Hex, Problems and lspci tabs.

Only the visible tab is rendered; the others are rendered when first shown, so
moving through the list decodes no more than the header. The pane links the
Capabilities tree and the Hex grid: a field under the tree cursor highlights its
bytes, the hex cursor names the field its byte belongs to, and Enter in the hex
jumps to that field in the tree.
"""
from __future__ import annotations

from typing import Any, Optional

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import TabbedContent, TabPane

from ..inspect import Inspection
from ..spans import Span, describe, value_at
from ..tabs import TABS
from .capability_tree import CapabilityTree
from .header_view import HeaderView
from .hex_view import HexView
from .lspci_view import LspciView
from .msix_view import MsixView
from .problems_view import ProblemsView
from .search_bar import SearchBar
from .text_line import TextLine


def _value_text(value: Any) -> str:
    if isinstance(value, dict) and "raw" in value:
        return f"0x{value['raw']:x}"
    if isinstance(value, bool):
        return "+" if value else "-"
    if isinstance(value, int):
        return f"0x{value:x} ({value})"
    if isinstance(value, (dict, list)) or value is None:
        return ""
    return str(value)


def summary_line(ins: Inspection) -> Text:
    """One line: the health glyph and the warnings and errors (or "no problems found")."""
    from ..health import glyph

    health = ins.health
    mark, style = glyph(health.severity)
    line = Text.assemble((mark + " ", style))
    found = [text for severity, _, text in health.lines() if severity != "info"]
    if not found:
        line.append("no problems found", style="green")
    else:
        line.append(" · ".join(found), style=style)
    return line


class DetailPane(Vertical):
    """Everything about the selected device."""

    DEFAULT_CSS = """
    DetailPane #detail-title { height: 2; padding: 0 1; background: $boost; text-style: bold; }
    DetailPane TabbedContent { height: 1fr; }
    DetailPane TabPane { padding: 0 1; height: 1fr; }
    DetailPane #hex-status { height: 4; border-top: solid $primary 50%; }
    DetailPane HexView { height: 1fr; }
    DetailPane CapabilityTree { height: 1fr; }
    DetailPane #detail-summary { height: 1; padding: 0 1; }
    """

    class Ready(Message):
        """The pane is mounted (the app mounts it after the device list's first paint)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.inspection: Optional[Inspection] = None
        self._stale: set[str] = set()
        self._chosen_span: Optional[Span] = None

    def compose(self) -> ComposeResult:
        """Title line and the five tabs."""
        yield TextLine("No device selected", id="detail-title")
        yield TextLine(id="detail-summary")
        with TabbedContent(initial="tab-header", id="tabs"):
            with TabPane("Header", id="tab-header"):
                yield HeaderView(id="header-view")
            with TabPane("Capabilities", id="tab-caps"):
                yield CapabilityTree(id="cap-tree")
            with TabPane("MSI-X", id="tab-msix"):
                yield MsixView(id="msix-view")
            with TabPane("Hex", id="tab-hex"):
                yield HexView(id="hex-view")
                yield TextLine(id="hex-status")
            with TabPane("Problems", id="tab-problems"):
                yield ProblemsView(id="problems-view")
            with TabPane("lspci", id="tab-lspci"):
                yield LspciView(id="lspci-view")
        yield SearchBar(id="search")

    def on_mount(self) -> None:
        """Tell the app the pane can be filled (the widgets every selection move updates are looked up
        once: a query walks the DOM)."""
        self._title_line = self.query_one("#detail-title", TextLine)
        self._summary_line = self.query_one("#detail-summary", TextLine)
        self._tabs = self.query_one("#tabs", TabbedContent)
        self._header_view = self.query_one(HeaderView)
        self.post_message(self.Ready())

    # -- content -----------------------------------------------------------------------
    def show(self, inspection: Optional[Inspection], title: Optional[Text] = None) -> None:
        """Show ``inspection`` (None: nothing selected); tabs render when visible."""
        self.inspection = inspection
        self._chosen_span = None
        self._title_line.update(title if title is not None else "No device selected")
        self._summary_line.update(summary_line(inspection) if inspection else "")
        self._stale = {tab for tab, _ in TABS}
        self._render_tab(self.active_tab)

    def mark_removed(self, text: str) -> None:
        """The shown device went away: keep its last read, say so in the title."""
        self._title_line.update(Text(text, style="bold white on red"))

    @property
    def active_tab(self) -> str:
        """The id of the visible tab."""
        return self._tabs.active

    def activate(self, tab: str) -> None:
        """Switch to a tab by id."""
        self.query_one("#tabs", TabbedContent).active = tab

    def focus_content(self) -> None:
        """Give the keyboard to the visible tab's content."""
        pane = self.query_one("#tabs", TabbedContent).active_pane
        if pane is not None:
            target = next((w for w in pane.query("*") if w.focusable), None)
            (target or pane).focus()

    # -- search and copy ---------------------------------------------------------------
    def search_target(self, focused: Any) -> Optional[Any]:
        """The capability tree or hex grid when ``focused`` is (in) one of them."""
        for widget in (self.query_one(CapabilityTree), self.query_one(HexView)):
            if widget is focused:
                return widget
        return None

    async def open_search(self, target: Any) -> None:
        """Open the search bar for the capability tree or hex grid."""
        what = "field names and values" if isinstance(target, CapabilityTree) else "bytes (hex like 'de ad', or text)"
        self.query_one(SearchBar).open(target, what)

    def copy_value(self, focused: Any) -> Optional[str]:
        """The value under the cursor of the focused tab content (None when it has no such value)."""
        method = getattr(focused, "copy_value", None)
        return method() if method is not None else None

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """Render a tab the first time it is shown for this device."""
        if event.pane.id is not None:
            self._render_tab(event.pane.id)

    def _render_tab(self, tab: str) -> None:
        if tab not in self._stale:
            return
        self._stale.discard(tab)
        ins = self.inspection
        if tab == "tab-header":
            self._header_view.show(ins)
        elif tab == "tab-caps":
            self.query_one(CapabilityTree).show(ins)
        elif tab == "tab-msix":
            self.query_one(MsixView).show(ins.msix if ins else None)
        elif tab == "tab-hex":
            self._render_hex(ins)
        elif tab == "tab-problems":
            self.query_one(ProblemsView).show(ins.problems if ins else None)
        elif tab == "tab-lspci":
            self._render_lspci(ins)

    def _render_lspci(self, ins: Optional[Inspection]) -> None:
        span = self._chosen_span
        capability = span.path[1] if span is not None and span.path[0] in ("cap", "ecap") else None
        domains = ins is not None and bool(ins.device.address.domain)
        self.query_one(LspciView).show(ins, capability, domains)

    def _render_hex(self, ins: Optional[Inspection]) -> None:
        hex_view = self.query_one(HexView)
        if ins is None:
            hex_view.load(b"")
            self.query_one("#hex-status", TextLine).update("")
            return
        dev = ins.device
        hex_view.load(dev.image[: dev.config.size], ins.changed_offsets)
        if self._chosen_span is not None:
            hex_view.highlight(self._chosen_span.start, self._chosen_span.length)

    # -- tree <-> hex ------------------------------------------------------------------
    def on_capability_tree_field_focused(self, event: CapabilityTree.FieldFocused) -> None:
        """Remember the field's bytes; the Hex tab highlights them."""
        if self.inspection is None:
            return
        self._chosen_span = self.inspection.field_map.span(event.path)
        if self._chosen_span is not None and "tab-hex" not in self._stale:
            self.query_one(HexView).highlight(self._chosen_span.start, self._chosen_span.length)
        self._stale.add("tab-lspci")  # re-rendered, with the new capability highlighted, when shown
        if self.active_tab == "tab-lspci":
            self._render_tab("tab-lspci")

    def on_hex_view_cursor_moved(self, event: HexView.CursorMoved) -> None:
        """Name the field the cursor's byte belongs to and underline its bytes."""
        ins = self.inspection
        if ins is None:
            return
        status = self.query_one("#hex-status", TextLine)
        span = ins.field_map.at(event.offset)
        byte = ins.device.image[event.offset]
        line = Text(f"0x{event.offset:03x} = 0x{byte:02x}   ", style="bold")
        if span is None:
            status.update(line + Text("not part of any decoded field", style="dim"))
            return
        self.query_one(HexView).mark_owner(span.start, span.length)
        line.append(describe(ins.device, span.path))
        value = _value_text(value_at(ins.device, span.path))
        line.append(f"  (0x{span.start:03x}-0x{span.end - 1:03x})" + (f" = {value}" if value else ""), style="dim")
        bits = [b for b in ins.field_map.bit_fields_at(event.offset) if b.path[:-1] == span.path]
        if bits:
            shown = ", ".join(f"{b.path[-1]}={_value_text(value_at(ins.device, b.path))}" for b in bits)
            line.append(f"\nbits in this byte: {shown}", style="italic")
        status.update(line)

    def on_hex_view_chosen(self, event: HexView.Chosen) -> None:
        """Enter in the hex: open the byte's field in the Capabilities tab."""
        ins = self.inspection
        span = ins.field_map.at(event.offset) if ins is not None else None
        if span is None:
            return
        self.activate("tab-caps")
        self._render_tab("tab-caps")
        tree = self.query_one(CapabilityTree)
        tree.reveal(span.path)
        tree.focus()
