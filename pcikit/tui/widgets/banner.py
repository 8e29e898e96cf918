"""A one-line notice above the list (bundled examples shown, not root, device removed)."""
from __future__ import annotations

from textual.widgets import Static


class Banner(Static):
    """Hidden while empty."""

    DEFAULT_CSS = """
    Banner { display: none; background: $warning 30%; color: $text; padding: 0 1; }
    Banner.-shown { display: block; }
    """

    def say(self, text: str) -> None:
        """Show ``text`` (empty hides the banner)."""
        self.update(text)
        self.set_class(bool(text), "-shown")
