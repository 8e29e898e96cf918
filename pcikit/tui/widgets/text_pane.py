"""A scrollable pane of rendered text for the detail tabs, drawn with the Line API.

Showing another device re-renders only this pane's lines (at the pane's width, again
when it is resized), and repaints only the lines on screen that differ from the last
device's: the pane's size is fixed by the layout and its scrollbar always shown, so
nothing else on screen is re-laid out or repainted (a Static of changing height made
every selection move repaint the whole screen).
"""
from __future__ import annotations

from typing import Optional

from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


class TextPane(ScrollView, can_focus=True):
    """Holds one renderable at a time."""

    DEFAULT_CSS = """
    TextPane { height: 1fr; overflow-y: scroll; overflow-x: hidden; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.content: Optional[RenderableType] = None
        self._strips: list[Strip] = []  # the content's lines as rendered, at ``_width``
        self._shown: dict[int, Strip] = {}  # lines as painted (cropped, padded, styled), by index
        self._style: Optional[Style] = None  # this widget's style, looked up once (it walks the DOM)
        self._width = 0  # the width the strips were rendered at (0: not yet)
        self._anchor: Optional[str] = None
        self._top = 0

    def set_content(self, content: Optional[RenderableType], anchor: Optional[str] = None) -> None:
        """Replace what is shown (None clears), scrolled to the first line holding ``anchor`` (else the top)."""
        self.content = content
        self._anchor = anchor
        self._render_strips()

    def _render_strips(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0:
            return  # not laid out yet: rendered on the first resize
        before = self._painted_lines() if width == self._width else None
        self._width = width
        if self.content is None:
            self._strips = []
        else:
            console = self.app.console
            lines = console.render_lines(self.content, console.options.update_width(width), pad=False)
            self._strips = [Strip(line) for line in lines]
        self._shown = {}
        # Not ``self.virtual_size = ...``: that re-lays out the whole screen. The scrollbar is always
        # shown (overflow-y: scroll), so a new height changes nothing outside this pane.
        size = Size(width, len(self._strips))
        if size != self.virtual_size:
            self.set_reactive(TextPane.virtual_size, size)
            self._scroll_update(size)
        self._top = next((i for i, strip in enumerate(self._strips) if self._anchor and self._anchor in strip.text), 0)
        if before is None or self._top != int(self.scroll_offset.y):
            self.call_after_refresh(self._scroll_to_anchor)
            self.refresh()
            return
        for y, (old, new) in enumerate(zip(before, self._painted_lines())):
            if old != new:
                self.refresh_line(y + self._top)

    def _painted_lines(self) -> list[Strip]:
        """The lines on screen (at the current scroll position), as :meth:`render_line` paints them."""
        return [self.render_line(y) for y in range(self.scrollable_content_region.height)]

    def _scroll_to_anchor(self) -> None:
        self.set_scroll(0, self._top)

    def on_show(self) -> None:
        """A tab shown after its content was rendered: put the anchor line on top now."""
        self.call_after_refresh(self._scroll_to_anchor)

    def on_resize(self) -> None:
        """Wrap the content again for a new width."""
        if self.scrollable_content_region.width != self._width:
            self._render_strips()

    def notify_style_update(self) -> None:
        """New CSS (a theme, a class): paint the lines again with it."""
        super().notify_style_update()
        self._style = None
        self._shown = {}

    def render_line(self, y: int) -> Strip:
        """One rendered line, scrolled: the content's line in this widget's style, padded to the width."""
        index = y + int(self.scroll_offset.y)
        strip = self._shown.get(index)
        if strip is None:
            if self._style is None:
                self._style = self.rich_style
            style, width = self._style, self.scrollable_content_region.width
            line = self._strips[index].crop(0, width) if index < len(self._strips) else Strip([])
            segments = list(Segment.apply_style(line, style))
            if line.cell_length < width:
                segments.append(Segment(" " * (width - line.cell_length), style))
            strip = self._shown[index] = Strip(segments, width)
        return strip
