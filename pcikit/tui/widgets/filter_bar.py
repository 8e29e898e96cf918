"""The ``/`` filter: an input that narrows the device list as you type."""
from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


class FilterBar(Input):
    """Hidden until ``/``; Enter keeps the filter, Escape clears it and leaves."""

    DEFAULT_CSS = """
    FilterBar { display: none; }
    FilterBar.-active { display: block; }
    """
    BINDINGS = [Binding("escape", "leave", "Clear filter")]

    class Left(Message):
        """The filter was left with Escape (``cleared``) or Enter."""

        def __init__(self, cleared: bool) -> None:
            super().__init__()
            self.cleared = cleared

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder="filter: slot, name, vendor:device, class, driver, MSI-X…", **kwargs)

    def open(self) -> None:
        """Show and focus."""
        self.add_class("-active")
        self.focus()

    def action_leave(self) -> None:
        """Escape: clear the text, hide, and hand focus back."""
        self.value = ""
        self.remove_class("-active")
        self.post_message(self.Left(cleared=True))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: keep the filter; hide the bar when it is empty."""
        event.stop()
        if not self.value:
            self.remove_class("-active")
        self.post_message(self.Left(cleared=False))
