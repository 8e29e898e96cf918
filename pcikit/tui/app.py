"""The inspector application: device list or bus tree on the left, details on the right.

Read-only by design: nothing here writes to a device. The list paints first and
shows identity only; the detail pane and the interrupt mode column (the decoding they need) come right
after that first paint, the bus tree when first asked for, and the health glyphs
are filled in by pcikit.health in a background thread (:mod:`pcikit.tui.health`). Saving lives in
:mod:`pcikit.tui.export`, live updates in :mod:`pcikit.tui.live`, the key table in
:mod:`pcikit.tui.keys` and the actions they run in :mod:`pcikit.tui.actions`, the layout in
``app.tcss``.
"""
from __future__ import annotations

import gc
import time
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional

from rich.text import Text
from textual import events, work
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Tree

from ..address import Address
from ..ids import IdDatabase
from ..model import Device
from ..sources import Source
from . import keys
from .actions import Actions
from .rows import SORT_KEYS, DeviceRow, device_row
from .tabs import TABS
from .widgets.banner import Banner
from .widgets.device_list import DeviceList
from .widgets.text_line import TextLine

if TYPE_CHECKING:
    from textual.timer import Timer
    from textual.widgets import Input

    from .health import DeviceHealth
    from .inspect import Inspection
    from .widgets.filter_bar import FilterBar
    from .widgets.bus_tree import BusTree
    from .widgets.detail_pane import DetailPane

_SIDE_BY_SIDE = 150  # columns from which the details (hex grid: 78) sit beside a list with room for names
_FILTER_DELAY = 0.15
_FILTER_DELAY_FROM = 500  # debounce typing only for big lists
_STATUS_RANK = {"ok": 0, "warning": 1, "error": 2}
_KEY_REPEAT = 0.03  # seconds: a move sooner than this after the last is a fast auto-repeating (held-down) key
_HELD_EVERY = 0.1  # seconds: how often the details follow a held-down key
_CURSOR_MOVES = ("move(", "page(", "jump(", "cursor_", "scroll_")  # list and bus tree actions


class PcikitApp(Actions, App):
    """``pcikit tui``: inspect live devices, dumps and specs."""

    TITLE = "pcikit"
    CSS_PATH = "app.tcss"
    BINDINGS = keys.bindings(keys.APP)

    def __init__(
        self,
        source: Source,
        devices: list[Device],
        ids: IdDatabase,
        poll_interval: Optional[float] = 2.0,
        export_dir: str = ".",
    ) -> None:
        super().__init__()
        self.source = source
        self.ids = ids
        self.poll_interval = poll_interval
        self.export_dir = Path(export_dir)
        self.devices: dict[Address, Device] = {}
        for dev in devices:
            self.devices.setdefault(dev.address, dev)
        self._hidden_duplicates = len(devices) - len(self.devices)
        self._domains = any(a.domain for a in self.devices)
        self._drivers = any(dev.kernel is not None and dev.kernel.driver for dev in self.devices.values())
        self._rows: dict[Address, DeviceRow] = {}
        self._inspections: dict[Address, "Inspection"] = {}
        self.health: dict[Address, "DeviceHealth"] = {}
        self.status: dict[Address, str] = {}  # health severity by device, filled in by the background check
        self._query = ""
        self._sort: tuple[str, bool] = ("slot", False)
        self._filter_timer = None
        self._shown: Optional[Address] = None
        self._wanted: Optional[Address] = None  # the device the cursor moved to, while its details wait
        self._moved_at = 0.0
        self._show_timer: Optional[Timer] = None
        self.marked: Optional[Address] = None
        self._detail: "Optional[DetailPane]" = None  # set once mounted

    # -- layout ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        """Banner, the list with its filter, and the key footer; the detail pane comes after."""
        yield Banner(id="banner")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield TextLine(id="list-status")
                with ContentSwitcher(initial="list", id="views"):
                    yield DeviceList(follow=self._show_soon, id="list")
        yield Footer()

    def on_mount(self) -> None:
        """Paint the list first; the detail pane is mounted once it is on screen."""
        self.sub_title = self.source.label
        notes = [self.source.banner] if self.source.banner else []
        if self._hidden_duplicates:
            notes.append(f"{self._hidden_duplicates} device(s) repeat an address already listed and are not shown.")
        self.query_one(Banner).say(" ".join(notes))
        self._refill(follow=False)
        self.query_one(DeviceList).focus()
        self.call_after_refresh(self._mount_detail)

    def on_resize(self, event: events.Resize) -> None:
        """Stack list and details below 150 columns; wider, the list takes what the details leave."""
        self.query_one("#main").set_class(event.size.width < _SIDE_BY_SIDE, "-narrow")

    def _mount_detail(self) -> None:
        from .widgets.detail_pane import DetailPane

        self.query_one("#main").mount(DetailPane(id="detail"))
        self.query_one(DeviceList).show_modes()

    def on_detail_pane_ready(self, event: "DetailPane.Ready") -> None:
        """The pane is mounted: fill it, then start the background work."""
        self._detail = self.query_one("#detail")  # type: ignore[assignment]
        self._follow_cursor(self.visible())
        self._check_health()
        self._start_watching()

    def _pane(self) -> "Optional[DetailPane]":
        """The detail pane; None in the moment before it is mounted."""
        return self._detail

    # -- rows, sorting and filtering ---------------------------------------------------
    def row(self, address: Address) -> DeviceRow:
        """The list row of a device (built when first drawn or filtered)."""
        row = self._rows.get(address)
        if row is None:
            row = self._rows[address] = device_row(self.devices[address], self.ids, self._domains)
        return row

    def visible(self) -> list[Address]:
        """Addresses matching the filter, in the chosen sort order."""
        addresses = list(self.devices)
        if self._query:
            addresses = [a for a in addresses if self.row(a).matches(self._query)]
        key, reverse = self._sort
        if key == "slot":
            return sorted(addresses, reverse=reverse)
        sort_key = SORT_KEYS[key]
        status = self.status
        return sorted(addresses, key=lambda a: sort_key(self.row(a), _STATUS_RANK.get(status.get(a), -1)),
                      reverse=reverse)

    def _refill(self, follow: bool = True) -> None:
        """Re-list the visible devices; the detail pane follows only when its device left the list."""
        shown = self.visible()
        self._status(len(shown))
        with self.prevent(Tree.NodeHighlighted):
            self.query_one(DeviceList).show(shown, self.row, self.status, 12 if self._domains else 7,
                                            self._drivers, self._sort)
            if self._tree_shown():
                self._fill_tree(shown)
        if follow:
            self._follow_cursor(shown)

    def sort_by(self, key: str, reverse: Optional[bool] = None) -> None:
        """Sort the list by a column (``reverse`` None: flip when it is already the sort column)."""
        current, was_reversed = self._sort
        if reverse is None:
            reverse = not was_reversed if key == current else False
        self._sort = (key, reverse)
        self._refill(follow=False)
        label = {"mode": "interrupt mode"}.get(key, key)
        self.notify(f"Sorted by {label}{' (reversed)' if reverse else ''}", timeout=1.5)

    def on_device_list_sort_clicked(self, event: DeviceList.SortClicked) -> None:
        """A click on a column title."""
        self.sort_by(event.key)

    def _follow_cursor(self, shown: list[Address]) -> None:
        pane = self._pane()
        if pane is None or (self._shown is not None and self._shown not in self.devices):
            return  # a removed device's last read stays until the user moves on
        if self._shown is None or self._shown not in set(shown):
            following = self.selected_address
            if following is not None:
                self.show_device(following)
            else:
                self._shown = None
                pane.show(None)

    def _status(self, shown: int) -> None:
        total = len(self.devices)
        noun = "device" if total == 1 else "devices"
        text = f"{total} {noun}" if shown == total else f"{shown} of {total} {noun} match “{self._query}”"
        counts = [sum(1 for s in self.status.values() if s == level) for level in ("error", "warning")]
        health = Text.assemble(
            *(((f"  ✖ {counts[0]}", "red"),) if counts[0] else ()),
            *(((f"  ▲ {counts[1]}", "yellow"),) if counts[1] else ()),
        )
        self.query_one("#list-status", TextLine).update(Text.assemble(f"{text} · {self.source.label}", health))

    def _tree_shown(self) -> bool:
        return self.query_one(ContentSwitcher).current == "tree"

    def _fill_tree(self, shown: list[Address]) -> None:
        from .topology import bus_forest

        rows = {a: self.row(a) for a in self.devices}
        tree: "BusTree" = self.query_one("#tree")  # type: ignore[assignment]
        tree.show(bus_forest(list(self.devices.values())), rows, set(shown).__contains__)

    def on_input_changed(self, event: "Input.Changed") -> None:
        """Filter as the user types (debounced for big lists)."""
        if event.input.id != "filter":
            return
        self._query = event.value.strip()
        if self._filter_timer is not None:
            self._filter_timer.stop()
        if len(self.devices) >= _FILTER_DELAY_FROM:
            self._filter_timer = self.set_timer(_FILTER_DELAY, self._refill)
        else:
            self._refill()

    def on_filter_bar_left(self, event: "FilterBar.Left") -> None:
        """Back to the list after Enter or Escape in the filter."""
        if event.cleared:
            self._query = ""
            self._refill()
        self._current_view().focus()

    # -- selection ---------------------------------------------------------------------
    def _current_view(self):
        return self.query_one("#tree") if self._tree_shown() else self.query_one(DeviceList)

    @property
    def selected_address(self) -> Optional[Address]:
        """The device under the list or tree cursor."""
        return self._current_view().selected_address

    def _show_soon(self, address: Address) -> None:
        """Show ``address`` in the frame that moves the cursor; a key repeating faster than
        ``_KEY_REPEAT`` (held down) moves the cursor at once and the details every ``_HELD_EVERY``
        and when it stops, so held keys never queue up behind the decoding."""
        now = time.monotonic()
        held, self._moved_at = now - self._moved_at < _KEY_REPEAT, now
        self._wanted = address
        if not held:
            self._show_wanted()
        elif self._show_timer is None:
            self._show_timer = self.set_timer(_HELD_EVERY, self._show_wanted)

    def _show_wanted(self) -> None:
        """Show the device the cursor last moved to, unless it is shown already."""
        if self._show_timer is not None:
            self._show_timer.stop()
            self._show_timer = None
        wanted, self._wanted = self._wanted, None
        if wanted is not None:
            self.show_device(wanted)

    async def run_action(self, action, default_namespace=None) -> bool:
        """Every key's action but a cursor move sees the details of the device under the cursor (shown
        first if due)."""
        if not (isinstance(action, str) and action.startswith(_CURSOR_MOVES)):
            self._show_wanted()
        return await super().run_action(action, default_namespace)

    def on_device_list_selected(self, event: DeviceList.Selected) -> None:
        """Enter: open the detail pane."""
        pane = self._pane()
        if pane is not None:
            pane.focus_content()

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        """Show the device under the bus tree cursor."""
        if event.control.id == "tree" and isinstance(event.node.data, Address):
            self._show_soon(event.node.data)

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        """Enter in the bus tree: open the detail pane."""
        pane = self._pane()
        if event.control.id == "tree" and isinstance(event.node.data, Address) and pane is not None:
            pane.focus_content()

    def device_health(self, address: Address) -> "DeviceHealth":
        """A device's health: from the background check once done, else checked now with its neighbours."""
        from .health import check_one

        found = self.health.get(address)
        if found is None:
            found = check_one(self.devices[address], list(self.devices.values()), self._sysfs_root())
        return found

    def _sysfs_root(self) -> Optional[str]:
        """The sysfs tree of a live source (health then reads the kernel's counters), else None."""
        return getattr(self.source, "root", None) if getattr(self.source, "live", False) else None

    def inspection(self, address: Address) -> "Inspection":
        """The (cached) decoded view of one device."""
        from .inspect import Inspection

        ins = self._inspections.get(address)
        if ins is None:
            ins = self._inspections[address] = Inspection(
                self.devices[address], self.ids, self.source, health=lambda: self.device_health(address))
        return ins

    def _title(self, address: Address) -> Text:
        """Slot, the whole name (short vendor and device: the longest pci.ids names fit the title's two
        lines, where the list may have cut them), then the class."""
        row = self.row(address)
        return Text.assemble((str(address), "bold"), "  ", row.name, (f"  ({row.class_name})", "dim"))

    def show_device(self, address: Address) -> None:
        """Put ``address`` in the detail pane (decoding it now if needed)."""
        pane = self._pane()
        if address not in self.devices or pane is None:
            return
        self._shown = address
        pane.show(self.inspection(address), self._title(address))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Command palette entries for every action."""
        yield from super().get_system_commands(screen)
        for key in keys.APP + keys.LIST:
            method = getattr(self, f"action_{key.action.removeprefix('app.')}", None)
            if method is not None and key.action not in ("quit", "escape", "help"):
                title = key.help[0].upper() + key.help[1:]
                yield SystemCommand(title, f"{key.label} ({key.shown_key or key.key})", method)
        for number, (tab, label) in enumerate(TABS, 1):
            yield SystemCommand(f"Show {label} tab", f"Detail tab {number}", lambda tab=tab: self.action_tab(tab))

    # -- background health check ------------------------------------------------------
    @work(thread=True, exclusive=True, group="health")
    def _check_health(self) -> None:
        """Run pcikit.health over every device in a thread; the glyphs fill in when it is done."""
        from textual.worker import get_current_worker

        from .health import check_all

        devices = list(self.devices.values())
        results = check_all(devices, self._sysfs_root())
        if not get_current_worker().is_cancelled:  # a newer check replaced this one
            self.call_from_thread(self._health_checked, results)

    def _health_checked(self, results: dict[Address, "DeviceHealth"]) -> None:
        self.health = {a: h for a, h in results.items() if a in self.devices}
        gc.freeze()  # the decoded devices and their health live as long as the app: keep them out of
        # the collector's full passes (60 ms with 2000 devices, a stalled keystroke now and then)
        self.status.clear()
        self.status.update({a: h.severity for a, h in self.health.items()})
        try:
            table = self.query_one(DeviceList)
        except NoMatches:  # the app is shutting down
            return
        self._status(table.row_count)
        if self._sort[0] == "status":
            self._refill(follow=False)
        else:
            table.statuses_changed()

    # -- live updates ------------------------------------------------------------------
    def _start_watching(self) -> None:
        if self.source.use_udev():
            self._watch_udev()
        elif self.poll_interval:
            self.set_interval(self.poll_interval, self.rescan)

    @work(thread=True, exclusive=True, group="udev")
    def _watch_udev(self) -> None:
        """Block on udev PCI events in a thread; each one triggers a rescan."""
        from textual.worker import get_current_worker

        from .live import watch_udev

        worker = get_current_worker()
        watch_udev(lambda: worker.is_cancelled, lambda: self.call_from_thread(self.rescan))

    def rescan(self) -> None:
        """Merge the source's current devices: new ones listed, gone ones dropped."""
        from .live import merge

        changes = merge(self.devices, self.source)
        if not (changes.added or changes.gone):
            return
        if changes.gone:
            self._removed(changes.gone)
        if changes.added:
            self.notify(f"{len(changes.added)} device(s) appeared: " + ", ".join(map(str, changes.added[:4])))
            self._refill()
        self._check_health()  # neighbours may have changed

    def _removed(self, addresses: list[Address]) -> None:
        for address in addresses:
            self.devices.pop(address, None)
            self._rows.pop(address, None)
            self.status.pop(address, None)
            self.health.pop(address, None)
            self._inspections.pop(address, None)
        pane = self._pane()
        if self._shown in addresses and pane is not None:
            pane.mark_removed(f"{self._shown} was removed; this is its last read")
        self.notify(f"{len(addresses)} device(s) removed: " + ", ".join(map(str, addresses[:4])), severity="warning")
        self._refill()
