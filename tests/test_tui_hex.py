"""Hex grid and capability tree point at the same bytes: field -> bytes, byte -> field."""
from __future__ import annotations

from pathlib import Path

from pcikit.address import Address
from pcikit.tui.widgets.capability_tree import CapabilityTree
from pcikit.tui.widgets.detail_pane import DetailPane
from pcikit.tui.widgets.device_list import DeviceList
from pcikit.tui.widgets.hex_view import HexView

from .tui_support import app_for, press, run, screen_text, write_dump

NVME = Address.parse("01:00.0")


async def open_capabilities(pilot, app):
    app.query_one(DeviceList).select(NVME)
    await press(pilot, "enter", "2")
    return app.query_one(CapabilityTree)


def test_selecting_a_field_highlights_its_bytes(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        tree = await open_capabilities(pilot, app)
        assert app.focused is tree
        # No line under the cursor yet; then Header, [40] PM and its 7 children, [50] MSI, cap_id, next,
        # message_control.
        await press(pilot, *["down"] * 13)
        assert tree.cursor_node.data == ("cap", 0x50, "message_control")
        await press(pilot, "4")
        hex_view = app.query_one(HexView)
        assert hex_view.selected == range(0x52, 0x54)  # MSI Message Control: bytes 2-3 of the capability
        assert hex_view.cursor == 0x52
        await press(pilot, "2", "right", "down", "down")  # into message_control: enable is bit 0
        assert tree.cursor_node.data == ("cap", 0x50, "message_control", "multiple_message_capable_log2")
        assert app.query_one(DetailPane).inspection.field_map.span(tree.cursor_node.data).bits == (1, 3)
        await press(pilot, "4")
        assert hex_view.selected == range(0x52, 0x53)  # bits 3:1 live in the first byte

    run(app, scenario)


def test_moving_through_the_hex_names_the_owning_field(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        app.query_one(DeviceList).select(NVME)
        await press(pilot, "4")  # switches to the tab and focuses the grid
        hex_view = app.query_one(HexView)
        assert app.focused is hex_view
        await press(pilot, *["down"] * 11, "right", "right", "right")  # 0xb0 + 3: MSI-X Message Control high byte
        assert hex_view.cursor == 0xB3
        assert hex_view.owner == range(0xB2, 0xB4)
        text = screen_text(app)
        assert "0x0b3 = 0x80   MSI-X [b0] › message_control  (0x0b2-0x0b3) = 0x8020" in text
        assert "function_mask=-" in text and "enable=+" in text
        await press(pilot, "down")  # 0xc3: past the capability, nothing decoded there
        assert "not part of any decoded field" in screen_text(app)

    run(app, scenario)


def test_enter_in_the_hex_opens_the_field_in_the_tree(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        app.query_one(DeviceList).select(NVME)
        await press(pilot, "4")
        await press(pilot, *["down"] * 11, "right", "right", "right", "right", "right", "enter")  # 0xb5
        tree = app.query_one(CapabilityTree)
        assert app.query_one(DetailPane).active_tab == "tab-caps"
        assert app.focused is tree
        assert tree.cursor_node.data == ("cap", 0xB0, "table")

    run(app, scenario)


def test_clicking_a_byte_moves_the_cursor(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        app.query_one(DeviceList).select(NVME)
        await press(pilot, "4")
        hex_view = app.query_one(HexView)
        # Row 0x010, byte 9 (after the mid-row gap): column 5 + 9 * 3 + 1.
        await pilot.click(HexView, offset=(5 + 9 * 3 + 1, 1))
        await pilot.pause()
        assert hex_view.cursor == 0x19

    run(app, scenario)
