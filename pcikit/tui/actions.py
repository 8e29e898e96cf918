"""The inspector's key actions (mixed into :class:`pcikit.tui.app.PcikitApp`; keys in :mod:`pcikit.tui.keys`).

Each action works through the app's public pieces (the selection, the detail pane,
the source, the export and health modules); the app keeps layout, selection and
background work.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from textual.widgets import ContentSwitcher

from ..errors import PcikitError
from .widgets.device_list import DeviceList

_SORT_ORDER = ("slot", "status", "name", "mode", "driver", "class")


class Actions:
    """``action_*`` methods bound to keys; ``self`` is the PcikitApp."""

    def action_sort(self) -> None:
        """``s`` in the list: sort by the next column."""
        current = self._sort[0]
        self.sort_by(_SORT_ORDER[(_SORT_ORDER.index(current) + 1) % len(_SORT_ORDER)], reverse=False)

    def action_reverse_sort(self) -> None:
        """``S`` in the list: reverse the order."""
        self.sort_by(self._sort[0], reverse=not self._sort[1])

    def action_help(self) -> None:
        """``?``: every binding, grouped by where it applies."""
        from .widgets.help_screen import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_search(self) -> None:
        """``/``: search inside the capability tree or hex when focused there, else filter the list."""
        pane = self._pane()
        if pane is not None and self.focused is not None and pane.search_target(self.focused) is not None:
            await pane.open_search(pane.search_target(self.focused))
            return
        await self.action_filter()

    async def action_filter(self) -> None:
        """Open the list filter (mounted on first use)."""
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
        """``t``: switch between the flat list and the bus tree (built on first use); the selection stays."""
        switcher = self.query_one(ContentSwitcher)
        selected = self._shown if self._shown in self.devices else self.selected_address
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
        """``1``-``6``: show a detail tab and move the keyboard into it."""
        pane = self._pane()
        if pane is None:
            return
        pane.activate(tab)
        self.call_after_refresh(pane.focus_content)

    def action_copy(self) -> None:
        """``c``: copy the value under the cursor where the focus is (the device's slot in the list)."""
        value = None
        pane = self._pane()
        if pane is not None and self.focused is not None and pane in self.focused.ancestors_with_self:
            value = pane.copy_value(self.focused)
        if value is None and self.selected_address is not None:
            value = str(self.selected_address)
        if value is None:
            self.notify("Nothing to copy", severity="warning")
            return
        self.copy_to_clipboard(value)
        self.notify(f"Copied: {value}", timeout=3)

    def action_mark(self) -> None:
        """``m``: mark the selected device as the comparison's A side (again: unmark)."""
        address = self.selected_address
        if address is None:
            return
        self.marked = None if self.marked == address else address
        self.query_one(DeviceList).set_mark(self.marked)
        self.notify(f"Marked {address}: select another device and press =" if self.marked else "Mark cleared",
                    timeout=3)

    def action_compare(self) -> None:
        """``=``: compare the marked device (A) with the selected one (B), as ``pcikit diff`` does."""
        from .widgets.compare_screen import CompareScreen

        selected = self.selected_address
        if self.marked is None or self.marked not in self.devices:
            self.notify("Mark a device first (m), then select another and press =", severity="warning")
            return
        if selected is None:
            return
        self.push_screen(CompareScreen(self.devices[self.marked], self.devices[selected]))

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
        self.health.pop(address, None)
        ins = self._inspections[address] = Inspection(
            fresh, self.ids, self.source, previous=old, health=lambda: self.device_health(address))
        tab = pane.active_tab
        pane.show(ins, self._title(address))
        pane.activate(tab)
        changed = len(ins.changed_offsets)
        self.notify(f"Re-read {address}: {changed} byte(s) changed" if changed else f"Re-read {address}: no change")
        self._check_health()

    def action_rescan(self) -> None:
        """``R``: look for devices that appeared or went away."""
        self.rescan()

    def _save(self, suffix: str, what: str, render) -> Optional[Path]:
        from . import export

        address = self._shown
        if address is None:
            self.notify("No device selected", severity="warning")
            return None
        dev = self.devices[address]
        try:
            text = render(dev)
            path = export.save(self.export_dir, dev, suffix, text)
        except PcikitError as exc:
            self.notify(str(exc), severity="error")
            return None
        except OSError as exc:
            self.notify(f"Cannot write into {self.export_dir}: {exc.strerror or exc}", severity="error")
            return None
        self.notify(f"Saved {what} of {address} to {path}")
        return path

    def action_export_json(self) -> None:
        """``j``: the selected device as pcikit JSON, to a file and the clipboard."""
        from .export import json_text

        path = self._save(".json", "JSON", lambda dev: json_text(dev, self.ids))
        if path is not None:
            self.copy_to_clipboard(path.read_text())

    def action_export_lspci(self) -> None:
        """``d``: the selected device as an ``lspci -vvv -xxxx`` dump that ``lspci -F`` reads back."""
        from .export import lspci_text

        self._save(".lspci.txt", "lspci dump", lambda dev: lspci_text(dev, self.ids, self._domains))

