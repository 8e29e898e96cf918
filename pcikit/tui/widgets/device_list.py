"""The device list: one row per function with a health glyph, slot, name, interrupt mode, driver, class.

Drawn with the Line API: only the rows on screen are rendered, and only their
row data is built (names looked up, interrupt mode decoded). The name column
takes whatever width the compact columns leave, so it is never scrolled away and
nothing scrolls sideways; optional columns (driver, class) drop out first when the
list is narrow. Listing thousands of devices costs milliseconds (Textual's
DataTable would measure every cell with Rich). A click on a column title sorts by it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...address import Address
from .. import keys
from ..health import glyph
from ..rows import DeviceRow

_GAP = 1
_PLAIN = Style()
_MODE_STYLE = Style(color="cyan")
_NAME_MIN = 90  # the class column shows only when the name column keeps this much (long pci.ids names)


@dataclass(frozen=True)
class Column:
    """A list column: ``key`` is the row attribute (and sort key); width None takes what is left."""

    title: str
    key: str
    width: Optional[int]
    optional: bool = False  # dropped when the name column would get too narrow (class only)


# Screen order. The name column is the flexible one; optional columns go first when space is short.
COLUMNS = (
    Column("", "status", 1),
    Column("Slot", "slot", 7),
    Column("Name", "name", None),
    Column("IRQ", "mode", 5),
    Column("Driver", "driver", 11),
    Column("Class", "class_name", 18, optional=True),
)
_SORT_OF = {"class_name": "class"}


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def layout(width: int, slot_width: int, with_driver: bool) -> list[tuple[Column, int]]:
    """The columns that fit ``width`` and their widths (the name column takes the rest)."""
    columns = [c for c in COLUMNS if c.key != "driver" or with_driver]

    def fixed(col: Column) -> int:
        return slot_width if col.key == "slot" else col.width or 0

    while True:
        used = sum(fixed(c) + _GAP for c in columns) - _GAP  # no gap after the last column
        optional = [c for c in columns if c.optional]
        if width - used >= _NAME_MIN or not optional:
            break
        columns.remove(optional[-1])
    rest = max(8, width - used)
    return [(c, fixed(c) if c.width is not None else rest) for c in columns]


class DeviceList(ScrollView, can_focus=True):
    """A row per device with a fixed header line; calls ``follow`` with the address under a moved cursor
    (in the same frame as the move: a message would reach the app after the frame was painted) and
    posts Selected with the address."""

    COMPONENT_CLASSES = {"device-list--header", "device-list--cursor", "device-list--stripe"}
    DEFAULT_CSS = """
    DeviceList { height: 1fr; padding: 0 1; overflow-x: hidden; }
    DeviceList > .device-list--header { text-style: bold; background: $panel; }
    DeviceList > .device-list--cursor { background: $block-cursor-blurred-background; }
    DeviceList:focus > .device-list--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    DeviceList > .device-list--stripe { background: $surface-lighten-1 20%; }
    """
    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
    ] + keys.bindings(keys.LIST)

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)  # watch_cursor repaints two rows

    class Selected(Message):
        """Enter (or a click on the cursor row) on the device at ``address``."""

        def __init__(self, address: Address) -> None:
            super().__init__()
            self.address = address

    class SortClicked(Message):
        """A click on the title of the column sorted by ``key``."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(self, follow: Optional[Callable[[Address], None]] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._follow = follow
        self._addresses: list[Address] = []
        self._index: dict[Address, int] = {}
        self._row_of: Optional[Callable[[Address], DeviceRow]] = None
        self._status: dict[Address, str] = {}
        self._marked: Optional[Address] = None
        self._slot_width = 7
        self._with_driver = False
        self._sort: tuple[str, bool] = ("slot", False)
        self._columns: list[tuple[Column, int]] = []
        self._strips: dict[tuple, Strip] = {}  # rendered rows: a full repaint of the list costs lookups
        self._modes = False  # the interrupt mode decodes capabilities: shown from the second frame on

    # -- content -----------------------------------------------------------------------
    def show(
        self,
        addresses: list[Address],
        row_of: Callable[[Address], DeviceRow],
        status: dict[Address, str],
        slot_width: int = 7,
        with_driver: bool = False,
        sort: tuple[str, bool] = ("slot", False),
    ) -> None:
        """List ``addresses`` (rows built by ``row_of`` when drawn); the cursor stays on its device
        (``follow`` is not called).

        ``status`` maps an address to its health severity (filled in as devices are checked).
        """
        current = self.selected_address
        self._addresses = addresses
        self._index = {address: i for i, address in enumerate(addresses)}
        self._row_of = row_of
        self._status = status
        self._slot_width = slot_width
        self._with_driver = with_driver
        self._sort = sort
        self._columns = []
        self._strips.clear()
        self.virtual_size = Size(0, len(addresses) + 1)
        follow, self._follow = self._follow, None  # re-listing moves no cursor: the app decides what is shown
        try:
            self.cursor = self._index.get(current, min(self.cursor, len(addresses) - 1)) if addresses else 0
        finally:
            self._follow = follow
        self.refresh()

    def on_resize(self) -> None:
        """Column widths follow the widget's width."""
        self._columns = []
        self._strips.clear()
        self.refresh()

    def columns(self) -> list[tuple[Column, int]]:
        """The shown columns and their widths at the current size."""
        if not self._columns:
            width = self.scrollable_content_region.width
            self._columns = layout(width, self._slot_width, self._with_driver)
        return self._columns

    def set_status(self, address: Address) -> None:
        """Redraw a device's row once its health is known."""
        index = self._index.get(address)
        if index is not None:
            self._strips.clear()
            self.refresh_line(index + 1)

    def statuses_changed(self) -> None:
        """Redraw every row: the health of many devices is now known."""
        self._strips.clear()
        self.refresh()

    def show_modes(self) -> None:
        """Fill in the interrupt mode column (left blank in the first frame, which shows identity only)."""
        self._modes = True
        self.statuses_changed()

    def set_mark(self, address: Optional[Address]) -> None:
        """Mark one device (the comparison's A side); None clears."""
        for old in (self._marked, address):
            if old is not None:
                self.set_status(old)
        self._marked = address

    @property
    def row_count(self) -> int:
        """How many devices are listed."""
        return len(self._addresses)

    @property
    def selected_address(self) -> Optional[Address]:
        """The device under the cursor, if any."""
        return self._addresses[self.cursor] if self._addresses else None

    def select(self, address: Address) -> bool:
        """Move the cursor to ``address``; False when it is not listed."""
        index = self._index.get(address)
        if index is None:
            return False
        self.cursor = index
        return True

    # -- cursor ------------------------------------------------------------------------
    def validate_cursor(self, value: int) -> int:
        """Keep the cursor on a row."""
        return max(0, min(value, len(self._addresses) - 1))

    def watch_cursor(self, old: int, value: int) -> None:
        """Keep the cursor row on screen (redrawing only the two rows when nothing scrolls); announce it."""
        visible = max(1, self.scrollable_content_region.height - 1)
        top = int(self.scroll_offset.y)
        if value < top:
            self.scroll_to(y=value, animate=False, immediate=True)
        elif value >= top + visible:
            self.scroll_to(y=value - visible + 1, animate=False, immediate=True)
        if int(self.scroll_offset.y) == top:
            self.refresh_line(old + 1)  # virtual line: the header is line 0
            self.refresh_line(value + 1)
        else:
            self.refresh()
        if self._addresses and self._follow is not None:
            self._follow(self._addresses[value])

    def action_move(self, delta: int) -> None:
        """Up/down one row."""
        self.cursor = self.cursor + delta

    def action_page(self, direction: int) -> None:
        """A screenful of rows."""
        self.cursor = self.cursor + direction * max(1, self.scrollable_content_region.height - 2)

    def action_jump(self, where: int) -> None:
        """First (0) or last (-1) row."""
        self.cursor = 0 if where >= 0 else len(self._addresses) - 1

    def action_choose(self) -> None:
        """Enter: open the device."""
        if self._addresses:
            self.post_message(self.Selected(self._addresses[self.cursor]))

    def on_click(self, event: Click) -> None:
        """A click on a title sorts by it; on a row moves the cursor; on the cursor row opens the device."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            x = 0
            for column, width in self.columns():
                if x <= offset.x < x + width + _GAP:
                    self.post_message(self.SortClicked(_SORT_OF.get(column.key, column.key)))
                    return
                x += width + _GAP
            return
        index = offset.y - 1 + int(self.scroll_offset.y)
        if 0 <= index < len(self._addresses):
            if index == self.cursor:
                self.action_choose()
            self.cursor = index

    # -- drawing -----------------------------------------------------------------------
    def _title(self, column: Column) -> str:
        key, reverse = self._sort
        if _SORT_OF.get(column.key, column.key) == key and column.key != "status":
            return column.title + (" ▼" if reverse else " ▲")
        return column.title

    def _cells(self, row: DeviceRow) -> list[tuple[str, Style]]:
        cells = []
        for column, width in self.columns():
            if column.key == "status":
                mark, style = glyph(self._status.get(row.address))
                if row.address == self._marked:
                    mark, style = "M", "bold magenta"
                cells.append((mark, Style.parse(style)))
            elif column.key == "name":
                cells.append((row.name_within(width), _PLAIN))
            else:
                text = getattr(row, column.key) if column.key != "mode" or self._modes else ""
                cells.append((text, _MODE_STYLE if column.key == "mode" else _PLAIN))
        return cells

    def _line(self, cells: list[tuple[str, Style]], base: Style) -> list[Segment]:
        return [
            Segment(_fit(text, width).ljust(width + _GAP), base + style)
            for (text, style), (_, width) in zip(cells, self.columns())
        ]

    def render_line(self, y: int) -> Strip:
        """The header on the first line, then the rows scrolled into view."""
        scroll_y = int(self.scroll_offset.y)
        width = self.scrollable_content_region.width
        if y == 0:
            style = self.get_component_rich_style("device-list--header")
            segments = self._line([(self._title(c), _PLAIN) for c, _ in self.columns()], style)
        else:
            index = y - 1 + scroll_y
            if index >= len(self._addresses) or self._row_of is None:
                return Strip.blank(width, self.rich_style)
            address = self._addresses[index]
            key = (index, address, index == self.cursor, self.has_focus, width)
            strip = self._strips.get(key)
            if strip is not None:
                return strip
            row = self._row_of(address)
            base = self.rich_style
            if index == self.cursor:
                base = base + self.get_component_rich_style("device-list--cursor")
            elif index % 2:
                base = base + self.get_component_rich_style("device-list--stripe")
            strip = Strip(self._line(self._cells(row), base)).crop(0, width).extend_cell_length(width, self.rich_style)
            if len(self._strips) > 4096:
                self._strips.clear()
            self._strips[key] = strip
            return strip
        fill = self.rich_style if y else self.get_component_rich_style("device-list--header")
        return Strip(segments).crop(0, width).extend_cell_length(width, fill)
