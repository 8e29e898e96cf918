"""The Hex tab's grid: config space, 16 bytes a row, with a byte cursor and field highlights.

Drawn with the Line API (only visible rows are rendered). The cursor posts
:class:`HexView.CursorMoved`; the pane answers with the owning field's range
(:meth:`HexView.mark_owner`) and the field chosen in the Capabilities tab
(:meth:`HexView.highlight`). Changed bytes (after a refresh) show in yellow.
"""
from __future__ import annotations

from typing import Optional

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .. import keys

ROW_BYTES = 16
_LABEL = 5  # "0f0: "
_ASCII_FROM = _LABEL + ROW_BYTES * 3 + 1
_WIDTH = _ASCII_FROM + 1 + ROW_BYTES

_PLAIN = Style()
_ZERO = Style(dim=True)
_LABEL_STYLE = Style(color="bright_black")
_SELECTED = Style(bgcolor="blue", color="white", bold=True)
_OWNER = Style(underline=True, bold=True)
_CHANGED = Style(color="black", bgcolor="yellow")
_CURSOR = Style(reverse=True)


def search_bytes(query: str) -> bytes:
    """``de ad`` or ``dead`` -> those bytes; anything else -> its ASCII (empty when not ASCII)."""
    digits = query.replace(" ", "")
    if digits and len(digits) % 2 == 0 and all(c in "0123456789abcdefABCDEF" for c in digits):
        return bytes.fromhex(digits)
    try:
        return query.encode("ascii")
    except UnicodeEncodeError:
        return b""


def _column(offset_in_row: int) -> int:
    """Screen column of a byte's first hex digit (an extra space after the 8th byte)."""
    return _LABEL + offset_in_row * 3 + (1 if offset_in_row >= 8 else 0)


class HexView(ScrollView, can_focus=True):
    """A read-only hex grid of the readable config bytes."""

    BINDINGS = [
        Binding("left", "move(-1)", "Byte left", show=False),
        Binding("right", "move(1)", "Byte right", show=False),
        Binding("up", "move(-16)", "Row up", show=False),
        Binding("down", "move(16)", "Row down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First byte", show=False),
        Binding("end", "jump(-1)", "Last byte", show=False),
    ] + keys.bindings(keys.HEX)

    cursor: reactive[int] = reactive(0, always_update=True)

    class CursorMoved(Message):
        """The cursor is on config offset ``offset``."""

        def __init__(self, offset: int) -> None:
            super().__init__()
            self.offset = offset

    class Chosen(Message):
        """Enter on config offset ``offset``: show its field."""

        def __init__(self, offset: int) -> None:
            super().__init__()
            self.offset = offset

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._bytes = b""
        self._changed_offsets: set[int] = set()
        self._field_range: Optional[range] = None
        self._owner_range: Optional[range] = None
        self.last_search = ""

    # -- content -------------------------------------------------------------------
    def load(self, data: bytes, changed: Optional[set[int]] = None) -> None:
        """Show ``data`` (the readable bytes); ``changed`` offsets are marked."""
        self._bytes = data
        self._changed_offsets = changed or set()
        self._field_range = self._owner_range = None
        self.virtual_size = Size(_WIDTH, (len(data) + ROW_BYTES - 1) // ROW_BYTES)
        self.cursor = 0
        self.scroll_to(0, 0, animate=False)
        self.refresh()

    @property
    def size_in_bytes(self) -> int:
        """How many bytes are shown."""
        return len(self._bytes)

    @property
    def selected(self) -> Optional[range]:
        """Offsets of the field chosen elsewhere (the Capabilities tab)."""
        return self._field_range

    @property
    def owner(self) -> Optional[range]:
        """Offsets of the field the cursor's byte belongs to."""
        return self._owner_range

    def highlight(self, start: int, length: int, move: bool = True) -> None:
        """Highlight a field's bytes; with ``move``, put the cursor on its first byte."""
        self._field_range = range(start, start + length)
        if move and start < len(self._bytes):
            self.cursor = start
        self.refresh()

    def mark_owner(self, start: int, length: int) -> None:
        """Underline the bytes of the field under the cursor."""
        self._owner_range = range(start, start + length)
        self.refresh()

    # -- copy and search -----------------------------------------------------------
    def copy_value(self) -> Optional[str]:
        """The byte under the cursor, ``0xNN``."""
        return f"0x{self._bytes[self.cursor]:02x}" if self._bytes else None

    def search(self, query: str, after_cursor: bool = False) -> bool:
        """Move to the next occurrence of ``query``: hex bytes (``de ad``, ``dead``) or else text."""
        self.last_search = query
        needle = search_bytes(query)
        if not needle or not self._bytes:
            return False
        start = self.cursor + 1 if after_cursor else 0
        found = self._bytes.find(needle, start)
        if found < 0:
            found = self._bytes.find(needle)
        if found < 0:
            return False
        self.highlight(found, len(needle))
        return True

    def action_next_match(self) -> None:
        """``n``: the next occurrence of the last search."""
        if self.last_search and not self.search(self.last_search, after_cursor=True):
            self.app.notify(f"“{self.last_search}” not found", severity="warning", timeout=2)

    # -- cursor --------------------------------------------------------------------
    def validate_cursor(self, value: int) -> int:
        """Keep the cursor on a shown byte."""
        return max(0, min(value, len(self._bytes) - 1)) if self._bytes else 0

    def watch_cursor(self, value: int) -> None:
        """Scroll the cursor's row into view and announce it."""
        row = value // ROW_BYTES
        self.scroll_to_region(Region(0, row, 1, 1), animate=False, immediate=True)
        self.refresh()
        if self._bytes:
            self.post_message(self.CursorMoved(value))

    def action_move(self, delta: int) -> None:
        """Move by ``delta`` bytes."""
        self.cursor = self.cursor + delta

    def action_page(self, direction: int) -> None:
        """Move a screenful of rows."""
        self.cursor = self.cursor + direction * ROW_BYTES * max(1, self.scrollable_content_region.height - 1)

    def action_jump(self, where: int) -> None:
        """First (0) or last (-1) byte."""
        self.cursor = 0 if where >= 0 else len(self._bytes) - 1

    def action_choose(self) -> None:
        """Enter: ask the pane to show the cursor byte's field."""
        if self._bytes:
            self.post_message(self.Chosen(self.cursor))

    def on_click(self, event: Click) -> None:
        """A click on a byte moves the cursor there."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = offset.y + int(self.scroll_offset.y)
        x = offset.x + int(self.scroll_offset.x) - _LABEL
        if x < 0 or x >= ROW_BYTES * 3 + 1:
            return
        index = (x - 1) // 3 if x >= 8 * 3 + 1 else x // 3
        self.cursor = row * ROW_BYTES + min(index, ROW_BYTES - 1)

    def on_focus(self) -> None:
        """The cursor shows only while focused."""
        self.refresh()

    def on_blur(self) -> None:
        """Hide the cursor."""
        self.refresh()

    # -- drawing -------------------------------------------------------------------
    def _style(self, offset: int, value: int) -> Style:
        style = _ZERO if value == 0 else _PLAIN
        if offset in self._changed_offsets:
            style = style + _CHANGED
        if self._field_range is not None and offset in self._field_range:
            style = style + _SELECTED
        if self._owner_range is not None and offset in self._owner_range:
            style = style + _OWNER
        if offset == self.cursor and self.has_focus:
            style = style + _CURSOR
        return style

    def render_line(self, y: int) -> Strip:
        """One row: offset label, 16 hex bytes, and their ASCII when there is room."""
        scroll_x, scroll_y = self.scroll_offset
        row = y + scroll_y
        width = self.scrollable_content_region.width
        base = row * ROW_BYTES
        if base >= len(self._bytes):
            return Strip.blank(width)
        chunk = self._bytes[base : base + ROW_BYTES]
        segments = [Segment(f"{base:03x}: ", _LABEL_STYLE)]
        for index, value in enumerate(chunk):
            segments.append(Segment(f"{value:02x}", self._style(base + index, value)))
            segments.append(Segment("  " if index == 7 else " "))
        if width >= _WIDTH:
            segments.append(Segment(" " * (_ASCII_FROM - _column(len(chunk)))))
            text = "".join(chr(v) if 32 <= v < 127 else "." for v in chunk)
            segments.append(Segment(text, _LABEL_STYLE))
        return Strip(segments).crop(scroll_x, scroll_x + width).extend_cell_length(width)
