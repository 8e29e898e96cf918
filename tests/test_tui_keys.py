"""Every binding and the focus model, driven with Pilot over the spec-built example devices.

Waits are on conditions (``wait_for``), never fixed pauses: the machine running the
suite may be loaded.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from textual.widgets import Tree

from pcikit.address import Address
from pcikit.render.lspci import SUPPORTED
from pcikit.tui import keys
from pcikit.tui.tabs import TABS
from pcikit.tui.widgets.capability_tree import CapabilityTree
from pcikit.tui.widgets.compare_screen import CompareScreen
from pcikit.tui.widgets.detail_pane import DetailPane
from pcikit.tui.widgets.device_list import DeviceList
from pcikit.tui.widgets.help_screen import HelpScreen
from pcikit.tui.widgets.hex_view import HexView
from pcikit.tui.widgets.lspci_view import LspciView
from pcikit.tui.widgets.search_bar import SearchBar

from .oracle import oracle, run_lspci
from .tui_support import app_for, press, run, scanned, screen_text, show, wait_for, write_dump

NVME = Address.parse("01:00.0")
ROOT_PORT = Address.parse("00:01.0")


def _background(style) -> str:
    """The background colour name of a span's style (``ansi_`` prefix dropped)."""
    text = str(style)
    return text.split(" on ", 1)[1].split()[0].removeprefix("ansi_") if " on " in text else ""


def _toasts(app) -> list[str]:
    """The messages of the notifications on screen."""
    return [str(n.message) for n in app._notifications]


def _copies(app) -> list[str]:
    """Record what the app copies (the terminal's clipboard is not there in a headless run)."""
    copied: list[str] = []
    app.copy_to_clipboard = copied.append
    return copied


def test_help_lists_every_binding(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for _, group in keys.GROUPS:
            for key in group:
                assert key.help[:40] in text or key.help in text.replace("\n", " "), key
        await press(pilot, "escape")
        assert not isinstance(app.screen, HelpScreen)

    run(app, scenario, size=(120, 60))


def test_number_keys_switch_tab_and_focus_it_and_escape_returns(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        await show(pilot, app, NVME)
        pane = app.query_one(DetailPane)
        for number, (tab, _) in enumerate(TABS, 1):
            await press(pilot, str(number))
            await wait_for(pilot, lambda: pane.active_tab == tab and app.focused is not None
                           and pane.query_one(f"#{tab}") in app.focused.ancestors_with_self, what=tab)
            await press(pilot, "escape")
            assert app.focused is app.query_one(DeviceList)
        await press(pilot, "4")
        await wait_for(pilot, lambda: app.focused is app.query_one(HexView))  # hex cursor: one key away

    run(app, scenario)


def test_footer_shows_the_keys_of_the_focused_widget(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        text = screen_text(app).splitlines()[-1]
        assert "Details" in text and "Absent regs" not in text
        await press(pilot, "2")
        await wait_for(pilot, lambda: isinstance(app.focused, CapabilityTree))
        await wait_for(pilot, lambda: "Absent regs" in screen_text(app).splitlines()[-1], what="tree footer")
        assert "Details" not in screen_text(app).splitlines()[-1]
        await press(pilot, "4")
        await wait_for(pilot, lambda: "Show field" in screen_text(app).splitlines()[-1], what="hex footer")

    run(app, scenario)


def test_slash_filters_in_the_list_and_searches_in_tree_and_hex(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        await press(pilot, "slash", *"nvme", "enter")
        assert app.query_one(DeviceList).row_count == 1
        await press(pilot, "escape")
        assert app.query_one(DeviceList).row_count == 6
        await show(pilot, app, NVME)
        await press(pilot, "2")
        tree = app.query_one(CapabilityTree)
        await wait_for(pilot, lambda: app.focused is tree)
        await press(pilot, "slash")
        assert isinstance(app.focused, SearchBar)
        assert app.query_one(DeviceList).row_count == 6  # the list filter is untouched
        await press(pilot, *"message_control", "enter")
        await wait_for(pilot, lambda: tree.cursor_node is not None and tree.cursor_node.data == ("cap", 0x50, "message_control"))
        assert app.focused is tree
        await press(pilot, "n")  # the next one: MSI-X at 0xb0 (the NVMe image puts it there)
        await wait_for(pilot, lambda: tree.cursor_node.data == ("cap", 0xB0, "message_control"))
        await press(pilot, "4")
        hex_view = app.query_one(HexView)
        await wait_for(pilot, lambda: app.focused is hex_view)
        await press(pilot, "slash", *"44 a8 01", "enter")  # subsystem 144d:a801 at 0x2c: bytes 4d 14 01 a8
        assert hex_view.cursor != 0x2D  # not a match: the bytes at 0x2d are 14 01
        await press(pilot, "slash", "ctrl+u", *"14 01 a8", "enter")
        await wait_for(pilot, lambda: hex_view.cursor == 0x2D)

    run(app, scenario)


def test_c_copies_the_selected_value_with_a_toast(tmp_path: Path):
    app = app_for(write_dump(tmp_path))
    copied = _copies(app)

    async def scenario(pilot):
        await press(pilot, "c")
        assert copied == ["0000:00:00.0"]  # in the list: the slot
        await show(pilot, app, NVME)
        await press(pilot, "4")
        hex_view = app.query_one(HexView)
        await wait_for(pilot, lambda: app.focused is hex_view)
        await press(pilot, "right", "right", "c")  # byte 2: Device ID low byte (a808)
        assert copied[-1] == "0x08"
        await press(pilot, "enter")  # that byte's field in the tree: device_id
        tree = app.query_one(CapabilityTree)
        await wait_for(pilot, lambda: app.focused is tree and tree.cursor_node is not None
                       and tree.cursor_node.data == ("header", "common", "device_id"))
        await press(pilot, "c")
        assert copied[-1] == "0xa808"
        assert "Copied: 0xa808" in _toasts(app)

    run(app, scenario)


def test_mark_and_compare_shows_the_diff_tree(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        await press(pilot, "equals_sign")
        assert not isinstance(app.screen, CompareScreen)  # nothing marked yet: a warning
        table = app.query_one(DeviceList)
        await show(pilot, app, ROOT_PORT)
        await press(pilot, "m")
        assert app.marked == ROOT_PORT
        await show(pilot, app, NVME)
        await press(pilot, "equals_sign")
        assert isinstance(app.screen, CompareScreen)
        tree = app.screen.query_one(Tree)
        labels = [str(leaf.label) for group in tree.root.children for leaf in group.children]
        assert "vendor_id: 0x8086 → 0x144d" in labels  # the bytes the two builders wrote at 0x00
        assert "device_id: 0x1901 → 0xa808" in labels
        only = [str(n.label) for n in tree.root.children if str(n.label).startswith("only in")]
        assert "only in B: capability MSI-X [0x0b0]" in only  # the root port has no MSI-X
        await press(pilot, "escape")
        assert not isinstance(app.screen, CompareScreen)

    run(app, scenario)


def test_absent_registers_are_hidden_unless_asked(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        app.query_one(DeviceList).select(NVME)  # an endpoint: no slot registers
        await press(pilot, "2")
        tree = app.query_one(CapabilityTree)
        await wait_for(pilot, lambda: app.focused is tree)
        assert tree.reveal(("cap", 0x70, "link_status"))

        def express_fields() -> list:
            node = next(n for n in tree.root.children if n.data == ("cap", 0x70))
            return [c.data[-1] for c in node.children]

        await wait_for(pilot, lambda: "link_status" in express_fields())
        assert "slot_capabilities" not in express_fields()
        await press(pilot, "a")
        await wait_for(pilot, lambda: "slot_capabilities" in express_fields())
        await press(pilot, "a")
        await wait_for(pilot, lambda: "slot_capabilities" not in express_fields())

    run(app, scenario)


def test_lspci_tab_highlights_the_chosen_capability(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        await show(pilot, app, NVME)
        await press(pilot, "2")
        tree = app.query_one(CapabilityTree)
        await wait_for(pilot, lambda: app.focused is tree)
        tree.reveal(("cap", 0xB0))
        await wait_for(pilot, lambda: tree.cursor_node is not None and tree.cursor_node.data == ("cap", 0xB0))
        await press(pilot, "6")
        view = app.query_one(LspciView)
        await wait_for(pilot, lambda: "Capabilities: [b0] MSI-X" in screen_text(app), what="lspci text")
        body = view.content
        highlighted = {body.plain[s.start:s.end] for s in body.spans if _background(s.style) == "cyan"}
        assert any(text.startswith("\tCapabilities: [b0] MSI-X".expandtabs(8)) for text in highlighted)

    run(app, scenario)


@pytest.mark.parametrize("release", ("3.9", "3.14"))
def test_v_in_the_lspci_tab_shows_each_release_as_that_lspci_prints_it(tmp_path: Path, monkeypatch, release: str):
    if oracle(release).missing or oracle("3.9").missing:
        pytest.skip(oracle(release).missing or oracle("3.9").missing)
    monkeypatch.delenv("PCIKIT_LSPCI_VERSION", raising=False)
    ids = Path(__file__).resolve().parent / "snapshots" / "pci.ids"
    dump = write_dump(tmp_path)
    app = app_for(dump, ids_file=str(ids))
    expected = run_lspci(dump, "-vvv", "-s", "01:00.0", "-i", str(ids), version=release).rstrip("\n")
    other = run_lspci(dump, "-vvv", "-s", "01:00.0", "-i", str(ids), version="3.9" if release != "3.9" else "3.14")
    assert expected != other.rstrip("\n")  # the releases differ on this device: the test can tell them apart

    async def scenario(pilot):
        await show(pilot, app, NVME)
        await press(pilot, "6")
        view = app.query_one(LspciView)
        assert app.focused is view and "lspci release" in screen_text(app)  # the footer offers the key
        for _ in range(len(SUPPORTED)):
            heading, body = view.content.plain.split("\n", 1)
            if heading.startswith(f"as lspci {release} prints it"):
                break
            await press(pilot, "v")
        assert heading.startswith(f"as lspci {release} prints it")
        assert body == expected.expandtabs(8)

    run(app, scenario)


def test_sorting_by_status_puts_problems_first(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        table = app.query_one(DeviceList)
        await scanned(pilot, app)
        app.sort_by("status")
        await pilot.pause()
        assert table._addresses[0] == Address.parse("00:1f.3")  # the broken capability list
        await press(pilot, "S")
        assert table._addresses[-1] == Address.parse("00:1f.3")
        await press(pilot, "s")  # status -> name
        names = [app.row(a).name.lower() for a in table._addresses]
        assert names == sorted(names)
        assert "Name ▲" in screen_text(app)

    run(app, scenario)


def test_clicking_a_column_title_sorts(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        table = app.query_one(DeviceList)
        columns = table.columns()
        x = sum(width + 1 for column, width in columns[: [c.key for c, _ in columns].index("mode")])
        await pilot.click(DeviceList, offset=(x + 2, 0))  # +1 for the list's left padding
        await wait_for(pilot, lambda: app._sort == ("mode", False))
        modes = [app.row(a).mode for a in table._addresses]
        assert modes == sorted(modes)

    run(app, scenario)


def test_toggling_the_bus_tree_keeps_the_selection_both_ways(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        await show(pilot, app, NVME)
        pane = app.query_one(DetailPane)
        for _ in range(2):
            await press(pilot, "t")
            await wait_for(pilot, lambda: app.selected_address == NVME, what="tree cursor on the NVMe")
            await press(pilot, "t")
            await wait_for(pilot, lambda: app.selected_address == NVME, what="list cursor on the NVMe")
        assert pane.inspection.device.address == NVME

    run(app, scenario)
