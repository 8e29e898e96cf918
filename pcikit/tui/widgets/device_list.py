"""The device list: one row per function, identity only, with interrupt and problem badges.

Drawn with the Line API: only the rows on screen are rendered, and only their
row data is built (names looked up, capability list walked for the badges);
columns have fixed widths. Listing thousands of devices costs milliseconds
(Textual's DataTable would measure every cell with Rich).
"""
from __future__ import annotations

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
from ..rows import DeviceRow, problem_badge

_GAP = 2
_PLAIN = Style()
_CELL_STYLES = {"interrupts": Style(color="cyan"), None: Style(color="red", bold=True)}
# (title, attribute, width) in screen order; badges first so they stay visible in a narrow pane.
COLUMNS = (
    ("Slot", "slot", 7),
    ("Interrupts", "interrupts", 14),
    ("!", None, 3),
    ("Class", "class_name", 26),
    ("Vendor", "vendor", 26),
    ("Device", "device", 48),
    ("Driver", "driver", 14),
)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class DeviceList(ScrollView, can_focus=True):
    """A row per device with a fixed header line; posts Highlighted/Selected with the address."""

    COMPONENT_CLASSES = {"device-list--header", "device-list--cursor", "device-list--stripe"}
    DEFAULT_CSS = """
    DeviceList { height: 1fr; padding-left: 1; }
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
        Binding("enter", "choose", "Details", show=False),
    ]

    cursor: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        """The cursor is on the device at ``address``."""

        def __init__(self, address: Address) -> None:
            super().__init__()
            self.address = address

    class Selected(Message):
        """Enter (or a click on the cursor row) on the device at ``address``."""

        def __init__(self, address: Address) -> None:
            super().__init__()
            self.address = address

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._addresses: list[Address] = []
        self._index: dict[Address, int] = {}
        self._row_of: Optional[Callable[[Address], DeviceRow]] = None
        self._problem_counts: dict[Address, int] = {}
        self._widths = [width for _, _, width in COLUMNS]

    # -- content -----------------------------------------------------------------------
    def show(
        self,
        addresses: list[Address],
        row_of: Callable[[Address], DeviceRow],
        problems: dict[Address, int],
        slot_width: int = 7,
    ) -> None:
        """List ``addresses`` (rows built by ``row_of`` when drawn); the cursor stays on its device."""
        current = self.selected_address
        self._addresses = addresses
        self._index = {address: i for i, address in enumerate(addresses)}
        self._row_of = row_of
        self._problem_counts = problems
        self._widths[0] = slot_width
        self.virtual_size = Size(sum(self._widths) + _GAP * len(COLUMNS), len(addresses) + 1)
        self.cursor = self._index.get(current, min(self.cursor, len(addresses) - 1)) if addresses else 0
        self.refresh()

    def _cell(self, row: DeviceRow, attr: Optional[str]) -> str:
        if attr is None:
            return problem_badge(self._problem_counts.get(row.address))
        return getattr(row, attr)

    def set_problems(self, address: Address, count: int) -> None:
        """Fill in the problem badge once a device has been decoded."""
        index = self._index.get(address)
        if index is not None:
            self.refresh_line(index + 1)

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
        if self._addresses:
            self.post_message(self.Highlighted(self._addresses[value]))

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
        """A click moves the cursor; a click on the cursor row opens the device."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        index = offset.y - 1 + int(self.scroll_offset.y)
        if 0 <= index < len(self._addresses):
            if index == self.cursor:
                self.action_choose()
            self.cursor = index

    # -- drawing -----------------------------------------------------------------------
    def _line(self, cells: list[tuple[str, Style]], base: Style) -> list[Segment]:
        segments = []
        for (text, style), width in zip(cells, self._widths):
            segments.append(Segment(_fit(text, width).ljust(width + _GAP), base + style))
        return segments

    def render_line(self, y: int) -> Strip:
        """The header on the first line, then the rows scrolled into view."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        if y == 0:
            style = self.get_component_rich_style("device-list--header")
            segments = self._line([(title, _PLAIN) for title, _, _ in COLUMNS], style)
        else:
            index = y - 1 + scroll_y
            if index >= len(self._addresses) or self._row_of is None:
                return Strip.blank(width, self.rich_style)
            row = self._row_of(self._addresses[index])
            base = self.rich_style
            if index == self.cursor:
                base = base + self.get_component_rich_style("device-list--cursor")
            elif index % 2:
                base = base + self.get_component_rich_style("device-list--stripe")
            cells = [(self._cell(row, attr), _CELL_STYLES.get(attr, _PLAIN)) for _, attr, _ in COLUMNS]
            segments = self._line(cells, base)
        fill = self.rich_style if y else self.get_component_rich_style("device-list--header")
        return Strip(segments).crop(scroll_x, scroll_x + width).extend_cell_length(width, fill)
