"""The inspector application: device list or bus tree on the left, details on the right.

Read-only by design: nothing here writes to a device. The list paints first and
shows identity only; the detail pane (and the decoding it needs) is mounted right
after that first paint, the bus tree when first asked for, and the problem badges
are filled in by a background pass.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional

from rich.text import Text
from textual import events, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Static, Tree

from ..address import Address
from ..ids import IdDatabase
from ..model import Device
from .rows import DeviceRow, device_row
from ..sources import Source
from .tabs import TABS
from .widgets.banner import Banner
from .widgets.device_list import DeviceList

if TYPE_CHECKING:
    from textual.widgets import Input

    from .inspect import Inspection
    from .widgets.filter_bar import FilterBar
    from .widgets.bus_tree import BusTree
    from .widgets.detail_pane import DetailPane

_SCAN_CHUNK = 25
_NARROW = 100  # columns below which the list sits above the details
_FILTER_DELAY = 0.15
_FILTER_DELAY_FROM = 500  # debounce typing only for big lists


class PcikitApp(App):
    """``pcikit tui``: inspect live devices, dumps and specs."""

    TITLE = "pcikit"
    CSS = """
    #main { height: 1fr; }
    #left { width: 45%; min-width: 40; border-right: solid $primary 30%; }
    #views { height: 1fr; }
    #list-status { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    #detail { width: 1fr; }
    #main.-narrow { layout: vertical; }
    #main.-narrow #left { width: 1fr; height: 40%; border-right: none; border-bottom: solid $primary 30%; }
    #main.-narrow #detail { height: 1fr; }
    """
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("slash", "filter", "Filter"),
        Binding("t", "toggle_view", "List/Tree"),
        Binding("r", "refresh_device", "Refresh"),
        Binding("R", "rescan", "Rescan", show=False),
        Binding("j", "export_json", "Save JSON"),
        Binding("d", "export_lspci", "Save dump"),
        Binding("escape", "escape", "Back", show=False),
    ] + [Binding(str(n), f"tab('{tab}')", label, show=False) for n, (tab, label) in enumerate(TABS, 1)]

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
        self._rows: dict[Address, DeviceRow] = {}
        self._problems: dict[Address, int] = {}
        self._inspections: dict[Address, "Inspection"] = {}
        self._scan_queue: list[Address] = []
        self._query = ""
        self._filter_timer = None
        self._shown: Optional[Address] = None
        self._wanted: Optional[Address] = None
        self._show_pending = False

    # -- layout ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        """Banner, the list with its filter, and the key footer; the detail pane comes after."""
        yield Banner(id="banner")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield Static(id="list-status")
                with ContentSwitcher(initial="list", id="views"):
                    yield DeviceList(id="list")
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
        """Stack list and details on narrow terminals."""
        self.query_one("#main").set_class(event.size.width < _NARROW, "-narrow")

    def _mount_detail(self) -> None:
        from .widgets.detail_pane import DetailPane

        self.query_one("#main").mount(DetailPane(id="detail"))

    def on_detail_pane_ready(self, event: "DetailPane.Ready") -> None:
        """The pane is mounted: fill it, then start the background work."""
        self._follow_cursor(self.visible())
        self._queue_scan(list(self.devices))
        self._start_watching()

    def _pane(self) -> "Optional[DetailPane]":
        """The detail pane; None in the moment before it is mounted."""
        found = self.query("#detail")
        return found.first() if found else None  # type: ignore[return-value]

    # -- rows and filtering ------------------------------------------------------------
    def row(self, address: Address) -> DeviceRow:
        """The list row of a device (built when first drawn or filtered)."""
        row = self._rows.get(address)
        if row is None:
            row = self._rows[address] = device_row(self.devices[address], self.ids, self._domains)
        return row

    def visible(self) -> list[Address]:
        """Addresses matching the filter, in address order."""
        addresses = sorted(self.devices)
        return [a for a in addresses if self.row(a).matches(self._query)] if self._query else addresses

    def _refill(self, follow: bool = True) -> None:
        """Re-list the visible devices; the detail pane follows only when its device left the list."""
        shown = self.visible()
        self._status(len(shown))
        with self.prevent(DeviceList.Highlighted, Tree.NodeHighlighted):
            self.query_one(DeviceList).show(shown, self.row, self._problems, 12 if self._domains else 7)
            if self._tree_shown():
                self._fill_tree(shown)
        if follow:
            self._follow_cursor(shown)

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
        self.query_one("#list-status", Static).update(f"{text} · {self.source.label}")

    def _tree_shown(self) -> bool:
        return self.query_one(ContentSwitcher).current == "tree"

    def _fill_tree(self, shown: list[Address]) -> None:
        from .topology import bus_forest

        rows = {a: self.row(a) for a in self.devices}
        tree: "BusTree" = self.query_one("#tree")  # type: ignore[assignment]
        tree.show(bus_forest(list(self.devices.values())), rows, set(shown).__contains__)

    def on_input_changed(self, event: "Input.Changed") -> None:
        """Filter as the user types (debounced for big lists)."""
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

    def on_device_list_highlighted(self, event: DeviceList.Highlighted) -> None:
        """Show the highlighted device."""
        self._show_soon(event.address)

    def _show_soon(self, address: Address) -> None:
        """Show ``address`` once the messages already queued (held-down arrow keys) are handled."""
        self._wanted = address
        if not self._show_pending:
            self._show_pending = True
            self.call_later(self._show_wanted)

    def _show_wanted(self) -> None:
        self._show_pending = False
        if self._wanted is not None:
            self.show_device(self._wanted)

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

    def inspection(self, address: Address) -> "Inspection":
        """The (cached) decoded view of one device."""
        from .inspect import Inspection

        ins = self._inspections.get(address)
        if ins is None:
            ins = self._inspections[address] = Inspection(self.devices[address], self.ids, self.source)
        return ins

    def _title(self, address: Address) -> Text:
        row = self.row(address)
        return Text.assemble((str(address), "bold"), "  ", row.class_name, ": ", row.vendor, " ", row.device)

    def show_device(self, address: Address) -> None:
        """Put ``address`` in the detail pane (decoding it now if needed)."""
        pane = self._pane()
        if address not in self.devices or pane is None:
            return
        self._shown = address
        pane.show(self.inspection(address), self._title(address))

    # -- actions -----------------------------------------------------------------------
    async def action_filter(self) -> None:
        """``/``: open the filter (mounted on first use)."""
        if self._tree_shown():
            await self.action_toggle_view()
        if not self.query("#filter"):
            from .widgets.filter_bar import FilterBar

            await self.query_one("#left").mount(FilterBar(id="filter"), after="#list-status")
        self.query_one("#filter").open()

    def action_escape(self) -> None:
        """Escape: from the details back to the list; in the list, clear the filter."""
        view = self._current_view()
        if self.focused is not None and view not in self.focused.ancestors_with_self:
            view.focus()
        elif self._query:
            self.query_one("#filter").action_leave()

    async def action_toggle_view(self) -> None:
        """``t``: switch between the flat list and the bus tree (built on first use)."""
        switcher = self.query_one(ContentSwitcher)
        selected = self.selected_address
        if switcher.current == "list":
            if not self.query("#tree"):
                from .widgets.bus_tree import BusTree

                await switcher.add_content(BusTree(id="tree"))
            switcher.current = "tree"
            self._fill_tree(self.visible())
        else:
            switcher.current = "list"
        view = self._current_view()
        if selected is not None:
            view.select(selected)
        view.focus()

    def action_tab(self, tab: str) -> None:
        """``1``-``5``: show a detail tab (and keep the keyboard in the pane if it was there)."""
        pane = self._pane()
        if pane is None:
            return
        inside = self.focused is not None and pane in self.focused.ancestors
        pane.activate(tab)
        if inside:
            self.call_after_refresh(pane.focus_content)

    def action_refresh_device(self) -> None:
        """``r``: re-read the selected device and highlight what changed."""
        from .inspect import Inspection

        address, pane = self._shown, self._pane()
        if address is None or pane is None:
            return
        fresh = self.source.reload(address)
        if fresh is None:
            self._removed([address])
            self.notify(f"{address} is gone", severity="warning")
            return
        old = self.devices.get(address)
        self.devices[address] = fresh
        ins = self._inspections[address] = Inspection(fresh, self.ids, self.source, previous=old)
        tab = pane.active_tab
        pane.show(ins, self._title(address))
        pane.activate(tab)
        changed = len(ins.changed_offsets)
        self.notify(f"Re-read {address}: {changed} byte(s) changed" if changed else f"Re-read {address}: no change")
        self._queue_scan([address])

    def action_rescan(self) -> None:
        """``R``: look for devices that appeared or went away."""
        self.rescan()

    def _export(self, suffix: str, text: str, what: str) -> Optional[Path]:
        address = self._shown
        if address is None:
            self.notify("No device selected", severity="warning")
            return None
        path = self.export_dir / f"pcikit-{str(address).replace(':', '-')}{suffix}"
        try:
            path.write_text(text)
        except OSError as exc:
            self.notify(f"Cannot write {path}: {exc.strerror or exc}", severity="error")
            return None
        self.notify(f"Saved {what} of {address} to {path}")
        return path

    def action_export_json(self) -> None:
        """``j``: the selected device as pcikit JSON, to a file and the clipboard."""
        if self._shown is None:
            self.notify("No device selected", severity="warning")
            return
        try:
            from ..render.json import dumps
        except ImportError:
            self.notify("JSON export needs pcikit.render.json, which this build lacks", severity="error")
            return
        text = dumps([self.devices[self._shown]], self.ids) + "\n"
        if self._export(".json", text, "JSON") is not None:
            self.copy_to_clipboard(text)

    def action_export_lspci(self) -> None:
        """``d``: the selected device as an ``lspci -vvv -xxxx`` dump that ``lspci -F`` reads back."""
        if self._shown is None:
            self.notify("No device selected", severity="warning")
            return
        from ..render.lspci import LspciOptions, render_devices
        from ..render.lspci.names import Namer

        options = LspciOptions(verbose=3, domains=self._domains, kernel=True, hex_level=4)
        text = "".join(render_devices([self.devices[self._shown]], options, Namer(self.ids)))
        self._export(".lspci.txt", text, "lspci dump")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Command palette entries for every action."""
        yield from super().get_system_commands(screen)
        yield SystemCommand("Filter devices", "Narrow the list by any text (/)", self.action_filter)
        yield SystemCommand("Toggle list / bus tree", "Flat list or topology (t)", self.action_toggle_view)
        yield SystemCommand("Refresh device", "Re-read the selected device, highlight changes (r)",
                            self.action_refresh_device)
        yield SystemCommand("Rescan devices", "Look for devices that appeared or went away (R)", self.action_rescan)
        yield SystemCommand("Save device as JSON", "Write pcikit JSON to a file, copy it (j)", self.action_export_json)
        yield SystemCommand("Save device as lspci dump", "Write lspci -vvv -xxxx text to a file (d)",
                            self.action_export_lspci)
        for number, (tab, label) in enumerate(TABS, 1):
            yield SystemCommand(f"Show {label} tab", f"Detail tab {number}", lambda tab=tab: self.action_tab(tab))

    # -- background problem scan -------------------------------------------------------
    def _queue_scan(self, addresses: list[Address]) -> None:
        start = not self._scan_queue
        self._scan_queue.extend(addresses)
        if start and self._scan_queue:
            self.set_timer(0.01, self._scan_step)

    def _scan_step(self) -> None:
        """Decode a few devices to fill in their problem badges, then yield to the UI."""
        batch, self._scan_queue = self._scan_queue[:_SCAN_CHUNK], self._scan_queue[_SCAN_CHUNK:]
        try:
            table = self.query_one(DeviceList)
        except NoMatches:  # the app is shutting down
            return
        for address in batch:
            if address in self.devices:
                self._problems[address] = count = len(self.inspection(address).problems)
                table.set_problems(address, count)
        if self._scan_queue:
            self.set_timer(0.01, self._scan_step)

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

        from .watch import UdevWatcher

        watcher = UdevWatcher()
        worker = get_current_worker()
        while not worker.is_cancelled:
            if watcher.wait(1.0):
                self.call_from_thread(self.rescan)

    def rescan(self) -> None:
        """Merge the source's current devices: new ones listed, gone ones dropped."""
        current = self.source.poll()
        if current is None:
            return
        fresh = {dev.address: dev for dev in current}
        gone = [a for a in self.devices if a not in fresh]
        added = [a for a in fresh if a not in self.devices]
        for address in added:
            self.devices[address] = fresh[address]
        if gone:
            self._removed(gone)
        if added:
            self.notify(f"{len(added)} device(s) appeared: " + ", ".join(map(str, added[:4])))
            self._queue_scan(added)
            self._refill()

    def _removed(self, addresses: list[Address]) -> None:
        for address in addresses:
            self.devices.pop(address, None)
            self._rows.pop(address, None)
            self._problems.pop(address, None)
            self._inspections.pop(address, None)
        pane = self._pane()
        if self._shown in addresses and pane is not None:
            pane.mark_removed(f"{self._shown} was removed; this is its last read")
        self.notify(f"{len(addresses)} device(s) removed: " + ", ".join(map(str, addresses[:4])), severity="warning")
        self._refill()
