"""The inspector driven with Pilot over dumps built in tmp_path: navigation, filter, tabs, tree, palette."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from textual.widgets import ContentSwitcher

from pcikit.address import Address
from pcikit.tui.widgets.bus_tree import BusTree
from pcikit.tui.widgets.capability_tree import CapabilityTree
from pcikit.tui.widgets.detail_pane import DetailPane
from pcikit.tui.widgets.device_list import DeviceList
from pcikit.tui.widgets.hex_view import HexView

from .tui_support import app_for, press, run, scanned, screen_text, show, write_dump

NVME = Address.parse("01:00.0")


def test_list_shows_identity_and_badges(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        text = screen_text(app)
        assert "6 devices · devices.txt" in text
        for slot in ("00:00.0", "00:01.0", "00:03.0", "00:05.0", "00:1f.3", "01:00.0"):
            assert slot in text
        line = next(l for l in text.splitlines() if "01:00.0" in l)
        assert "Samsung Electronics NVMe SSD Controller" in line and " MSI-X " in line  # MSI-X Enable set
        line = next(l for l in text.splitlines() if "00:01.0" in l)
        assert " MSI " in line  # MSI Enable set, no MSI-X
        await scanned(pilot, app)  # the background pass fills in the health glyphs
        lines = screen_text(app).splitlines()
        assert next(l for l in lines if " 00:1f.3 " in l).lstrip().startswith("▲")  # broken capability list
        assert next(l for l in lines if " 01:00.0 " in l).lstrip().startswith("●")

    run(app, scenario)


def test_cursor_moves_the_detail_and_enter_escape_switch_focus(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        pane = app.query_one(DetailPane)
        assert pane.inspection.device.address == Address.parse("00:00.0")
        await press(pilot, "down", "down")
        assert pane.inspection.device.address == Address.parse("00:03.0")
        assert "Virtio 1.0 network device" in screen_text(app)
        await press(pilot, "enter")
        assert pane in app.focused.ancestors
        await press(pilot, "escape")
        assert app.focused is app.query_one(DeviceList)
        await press(pilot, "q")

    run(app, scenario)
    assert app.return_code == 0


def test_a_keystroke_shows_its_device_in_the_same_frame_and_held_keys_coalesce(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        pane, listing = app.query_one(DetailPane), app.query_one(DeviceList)
        shown = []
        show = pane.show
        pane.show = lambda ins, title=None: (shown.append(ins.device.address), show(ins, title))
        listing.action_move(1)  # no frame is drawn in between: the details are there with the cursor
        assert shown == [Address.parse("00:01.0")]
        for _ in range(3):  # keys repeating faster than auto-repeat: the cursor moves, the details wait
            app._moved_at = time.monotonic()
            listing.action_move(1)
        assert shown == [Address.parse("00:01.0")] and listing.selected_address == Address.parse("00:1f.3")
        await pilot.pause(0.3)  # ... and then show where the cursor stopped, once
        assert shown == [Address.parse("00:01.0"), Address.parse("00:1f.3")]

    run(app, scenario)


def test_filter_narrows_and_escape_restores(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        table = app.query_one(DeviceList)
        await press(pilot, "slash", *"msi-x")
        assert table.row_count == 2
        assert "2 of 6 devices match “msi-x”" in screen_text(app)
        assert app.query_one(DetailPane).inspection.device.address == Address.parse("00:03.0")
        await press(pilot, "enter")  # keep the filter, back to the list
        assert app.focused is table and table.row_count == 2
        await press(pilot, "slash", "backspace", "backspace", "backspace", "backspace", "backspace", *"144d:a808")
        assert table.row_count == 1 and table.selected_address == NVME
        await press(pilot, "escape")
        assert table.row_count == 6 and app.focused is table

    run(app, scenario)


def test_filter_without_match_clears_the_detail(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        await press(pilot, "slash", *"no-such-device")
        assert app.query_one(DeviceList).row_count == 0
        assert app.query_one(DetailPane).inspection is None
        assert "No device selected" in screen_text(app)

    run(app, scenario)


async def select(pilot, app, address: Address) -> None:
    await show(pilot, app, address)


def test_header_tab(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        await select(pilot, app, NVME)
        text = screen_text(app)
        assert "Vendor        144d" in text and "Device        a808" in text
        assert "Class         010802" in text
        assert "Command       0x0406  memory_space+ bus_master+ interrupt_disable+" in text  # bits 1, 2, 10
        assert "BAR 0" in text and "Memory (64-bit, non-prefetchable) at 0xde000000" in text
        assert "Pin           INTA" in text
        assert "Line          not connected / unknown (0xff)" in text

    run(app, scenario, size=(160, 50))  # details beside the list, tall enough for the whole tab


def test_capabilities_tab_lists_every_capability(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        await select(pilot, app, NVME)
        await press(pilot, "2")
        labels = [str(node.label) for node in app.query_one(CapabilityTree).root.children]
        assert [label.split("  ")[0] for label in labels] == [
            "Header", "[40] Power Management", "[50] MSI", "[70] PCI Express", "[b0] MSI-X",
            "[100] Advanced Error Reporting v1", "[148] Device Serial Number v1",
            "[158] Latency Tolerance Reporting v1",
        ]
        text = screen_text(app)
        assert "[40] Power Management  id 0x01" in text
        assert "next = 0x50 (80)  @0x041" in text  # PM's next pointer at 0x41, expanded

    run(app, scenario)


def test_msix_tab_says_why_a_dump_has_no_table(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        await select(pilot, app, NVME)
        await press(pilot, "3")
        text = screen_text(app)
        assert "Table size     33" in text
        assert "BAR 0 offset 0x3000" in text and "BAR 0 offset 0x2000" in text
        assert "a dump holds config space only" in text
        await select(pilot, app, Address.parse("00:00.0"))
        assert "This function has no MSI-X capability." in screen_text(app)

    run(app, scenario)


def test_hex_tab_shows_the_readable_bytes(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        await select(pilot, app, NVME)
        await press(pilot, "4")
        text = screen_text(app)
        assert "000: 4d 14 08 a8 06 04 10 00  00 02 08 01 00 00 00 00" in text
        assert app.query_one(HexView).size_in_bytes == 4096

    run(app, scenario)


def test_problems_tab(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        await press(pilot, "5")
        assert "No problems found." in screen_text(app)
        await select(pilot, app, Address.parse("00:1f.3"))
        assert "capability list broken: ID 0xff at 0x60" in screen_text(app)

    run(app, scenario)


def test_tree_view_nests_the_ssd_under_its_root_port(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        await select(pilot, app, NVME)
        await press(pilot, "t")
        assert app.query_one(ContentSwitcher).current == "tree"
        tree = app.query_one(BusTree)
        assert app.focused is tree and tree.selected_address == NVME
        node = tree.cursor_node
        assert node.parent.data == Address.parse("00:01.0")
        await press(pilot, "up")
        assert app.query_one(DetailPane).inspection.device.address == Address.parse("00:01.0")
        await press(pilot, "t")
        assert app.query_one(DeviceList).selected_address == Address.parse("00:01.0")

    run(app, scenario)


def test_command_palette_offers_every_action(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        from pcikit.tui import keys

        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Show Hex tab", "Show lspci tab", "Quit"} <= titles
        wanted = {k.help[0].upper() + k.help[1:] for k in keys.APP + keys.LIST
                  if k.action not in ("quit", "escape", "help") and hasattr(app, f"action_{k.action.removeprefix('app.')}")}
        assert wanted <= titles
        await press(pilot, "ctrl+p", *"bus tree", "enter")
        assert app.query_one(ContentSwitcher).current == "tree"

    run(app, scenario)


def test_narrow_terminal_stacks_the_list_above_the_details(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        app.query_one(DeviceList).select(NVME)
        await press(pilot, "4")
        lines = screen_text(app).splitlines()
        assert lines[0].strip().startswith("6 devices · devices.txt")  # the list spans the width
        assert any(line.startswith(" 000: 4d 14 08 a8") and "M..." in line for line in lines)  # hex with ASCII

    run(app, scenario, size=(80, 30))


def _fixture_names(ids: Path) -> dict[str, str]:
    """Device names of the fixed pci.ids, keyed by ``vendor:device`` (read here, not by pcikit)."""
    names, vendor = {}, None
    for line in ids.read_text().splitlines():
        if line.startswith("C "):
            break
        if line[:1].isalnum():
            vendor = line.split()[0]
        elif line.startswith("\t") and not line.startswith("\t\t"):
            device, name = line.strip().split(None, 1)
            names[f"{vendor}:{device}"] = name
    return names


@pytest.mark.parametrize("width", (100, 120))
def test_no_fixture_name_is_cut_from_100_columns(tmp_path: Path, width: int):
    ids = Path(__file__).resolve().parent / "snapshots" / "pci.ids"
    names = _fixture_names(ids)
    app = app_for(write_dump(tmp_path), ids_file=str(ids))
    compared = []

    async def scenario(pilot):
        lines = screen_text(app).splitlines()
        for dev in app.devices.values():
            name = names.get(f"{dev.vendor_id:04x}:{dev.device_id:04x}")
            if name is None:
                continue
            row = next(line for line in lines if f" {dev.address.short} " in line)
            assert name in row and "…" not in row, row
            compared.append(name)

    run(app, scenario, size=(width, 40))
    assert len(compared) == len(set(names.values())) == 6  # every fixture device was looked at


LONGEST = ("MT25408A0-FCC-GI ConnectX, Dual Port 20Gb/s InfiniBand / 10GigE Adapter IC with PCIe 2.0 x8 "
           "5.0GT/s Interface")  # pci.ids' longest device name (2026), here given to the NVMe SSD


@pytest.mark.parametrize("width", (160, 200))
def test_a_name_the_list_cuts_side_by_side_is_whole_in_the_details_title(tmp_path: Path, width: int):
    fixed = Path(__file__).resolve().parent / "snapshots" / "pci.ids"
    ids = tmp_path / "pci.ids"
    ids.write_text(fixed.read_text().replace("NVMe SSD Controller SM981/PM981/PM983", LONGEST))
    app = app_for(write_dump(tmp_path), ids_file=str(ids))

    async def scenario(pilot):
        app.query_one(DeviceList).select(NVME)
        await pilot.pause()
        lines = screen_text(app).splitlines()
        row = next(line for line in lines if " 01:00.0 " in line)
        assert LONGEST not in row and "…" in row  # the list beside the details has no room for it
        pane_left = row.index("│") + 1  # the details start after the list's right border
        first = next(i for i, line in enumerate(lines) if line[pane_left:].strip().startswith("0000:01:00.0"))
        title = " ".join(line[pane_left:].strip() for line in lines[first : first + 2])  # the title's two lines
        assert title.startswith("0000:01:00.0  Samsung Electronics " + LONGEST)

    run(app, scenario, size=(width, 40))


def test_mouse_click_selects_a_row(tmp_path: Path):
    app = app_for(write_dump(tmp_path))

    async def scenario(pilot):
        await pilot.click(DeviceList, offset=(3, 3))  # line 0 is the header: line 3 is the third device
        await pilot.pause()
        assert app.query_one(DetailPane).inspection.device.address == Address.parse("00:03.0")

    run(app, scenario)
