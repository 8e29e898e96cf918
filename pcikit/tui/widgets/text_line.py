"""A fixed-height line of text whose updates repaint only itself (Static.update re-lays out the screen)."""
from __future__ import annotations

from rich.console import RenderableType
from textual.widget import Widget


class TextLine(Widget):
    """Shows one renderable; give it a fixed height in CSS."""

    DEFAULT_CSS = """
    TextLine { height: 1; }
    """

    def __init__(self, content: RenderableType = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.content = content

    def update(self, content: RenderableType) -> None:
        """Show ``content``, repainting this widget only."""
        self.content = content
        self.refresh()

    def render(self) -> RenderableType:
        """The current content."""
        return self.content
