"""Every key binding of the inspector, declared once: the app, its widgets and the help overlay read them here.

Each entry is (key, action, footer label, help text); an ``app.`` action runs on the app
from a widget's bindings. The help overlay lists them
grouped by where they apply; widgets build their Textual ``BINDINGS`` from the
same table, so the footer shows the keys that apply where the focus is.
"""
from __future__ import annotations

from typing import NamedTuple

from textual.binding import Binding

from .tabs import TABS


class Key(NamedTuple):
    """One binding: ``show`` puts it in the footer."""

    key: str
    action: str
    label: str
    help: str
    show: bool = True
    shown_key: str = ""  # how the help overlay writes the key (default: ``key``)


APP = (
    Key("question_mark", "help", "Help", "this help", shown_key="?"),
    Key("q", "quit", "Quit", "quit"),
    Key("slash", "search", "Filter/Search", "filter the device list; in the capability tree or hex, search there",
        shown_key="/"),
    Key("t", "toggle_view", "List/Tree", "switch between the device list and the bus tree"),
    Key("m", "mark", "Mark", "mark the selected device for comparison"),
    Key("equals_sign", "compare", "Compare", "compare the selected device with the marked one", shown_key="="),
    Key("c", "copy", "Copy", "copy the selected value (field, byte, or device slot) to the clipboard"),
    Key("r", "refresh_device", "Refresh", "re-read the selected device and highlight what changed", show=False),
    Key("R", "rescan", "Rescan", "look for devices that appeared or went away", show=False),
    Key("j", "export_json", "Save JSON", "save the selected device as pcikit JSON (and copy it)", show=False),
    Key("d", "export_lspci", "Save dump", "save the selected device as an lspci -vvv -xxxx dump", show=False),
    Key("escape", "escape", "Back", "back to the device list; in the list, clear the filter", show=False),
) + tuple(
    Key(str(number), f"tab('{tab}')", label, f"show the {label} tab and move into it", show=False)
    for number, (tab, label) in enumerate(TABS, 1)
)
LIST = (
    Key("enter", "choose", "Details", "open the selected device's details"),
    Key("s", "app.sort", "Sort", "sort by the next column (click a title to sort by it)"),
    Key("S", "app.reverse_sort", "Reverse", "reverse the sort order", show=False),
)
TREE = (
    Key("a", "toggle_absent", "Absent regs", "show or hide registers the device does not implement"),
    Key("n", "next_match", "Next match", "next search match", show=False),
)
HEX = (
    Key("enter", "choose", "Show field", "open the byte's field in the capability tree"),
    Key("n", "next_match", "Next match", "next search match (hex bytes like 'de ad', or text)", show=False),
)
LSPCI = (
    Key("v", "next_release", "lspci release", "show the text as the next lspci release prints it (3.9 ... 3.14)"),
)
GROUPS = (("Everywhere", APP), ("Device list", LIST), ("Capability tree", TREE), ("Hex", HEX), ("lspci tab", LSPCI))


def bindings(keys: tuple[Key, ...]) -> list[Binding]:
    """Textual bindings for a group of keys."""
    return [Binding(k.key, k.action, k.label, show=k.show) for k in keys]
