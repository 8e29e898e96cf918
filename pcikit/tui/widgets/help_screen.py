"""The ``?`` overlay: every key binding, grouped by where it applies (read from :mod:`pcikit.tui.keys`)."""
from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from .. import keys


def help_table() -> Table:
    """Key, then what it does, for every group of bindings."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", min_width=8)
    table.add_column()
    for title, group in keys.GROUPS:
        table.add_row(Text(title, style="bold underline"), "")
        for key in group:
            table.add_row(key.shown_key or key.key, key.help)
        table.add_row("", "")
    table.add_row(Text("Tips", style="bold underline"), "")
    table.add_row("Tab", "move between the list and the detail tabs")
    table.add_row("Ctrl+P", "command palette (every action by name)")
    return table


class HelpScreen(ModalScreen):
    """Every binding; Escape, ``?`` or ``q`` closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90; max-width: 95%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        """The table in a scrollable box."""
        with VerticalScroll() as box:
            box.border_title = "pcikit tui: keys"
            yield Static(help_table(), id="help-body")
