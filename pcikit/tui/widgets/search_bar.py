"""The ``/`` search inside the capability tree or the hex grid: searches as you type."""
from __future__ import annotations

from typing import Any, Optional

from textual.binding import Binding
from textual.widgets import Input


class SearchBar(Input):
    """Hidden until opened for a target (a widget with ``search(query, after_cursor)``)."""

    DEFAULT_CSS = """
    SearchBar { display: none; }
    SearchBar.-active { display: block; }
    """
    BINDINGS = [Binding("escape", "leave", "Back")]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.target: Optional[Any] = None

    def open(self, target: Any, what: str) -> None:
        """Search ``target``; ``what`` names it in the placeholder."""
        self.target = target
        self.placeholder = f"search {what} (Enter: keep the match, n: next match, Escape: back)"
        self.value = ""
        self.add_class("-active")
        self.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Jump to the first match as the text changes."""
        event.stop()
        if self.target is not None and event.value:
            if not self.target.search(event.value):
                self.app.notify(f"No match for “{event.value}”", severity="warning", timeout=1.5)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: keep the match, give the keyboard back."""
        event.stop()
        self.action_leave()

    def action_leave(self) -> None:
        """Hide and focus the searched widget."""
        self.remove_class("-active")
        if self.target is not None:
            self.target.focus()
