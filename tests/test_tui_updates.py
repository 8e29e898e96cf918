"""Live updates, refresh and exports: the inspector over changing sources."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from pcikit.address import Address
from pcikit.offline import dump_devices
from pcikit.tui.widgets.detail_pane import DetailPane
from pcikit.tui.widgets.device_list import DeviceList

from . import tui_devices as build
from .conftest import need_lspci
from .tui_support import app_for, press, run, screen_text, show, write_dump, write_dump_folder

VIRTIO = Address.parse("00:03.0")
NVME = Address.parse("01:00.0")


def test_device_removed_while_selected(tmp_path: Path):
    folder = write_dump_folder(tmp_path / "dumps")
    app = app_for(folder)

    async def scenario(pilot):
        table = app.query_one(DeviceList)
        await show(pilot, app, VIRTIO)
        (folder / "00-03.0.txt").unlink()
        app.rescan()
        await pilot.pause()
        assert table.row_count == 5 and VIRTIO not in app.devices
        pane = app.query_one(DetailPane)
        assert pane.inspection.device.address == VIRTIO  # the last read stays visible
        text = screen_text(app)
        assert "0000:00:03.0 was removed; this is its last read" in text
        await press(pilot, "4")  # its tabs still render from the last read
        assert "000: f4 1a 41 10" in screen_text(app)
        await press(pilot, "r")  # re-reading a gone device does not bring it back
        assert VIRTIO not in app.devices
        await press(pilot, "escape", "down")
        assert pane.inspection.device.address != VIRTIO

    run(app, scenario)


def test_polling_lists_a_device_that_appears(tmp_path: Path):
    folder = write_dump_folder(tmp_path / "dumps", build.EXAMPLE_DEVICES[:2])
    app = app_for(folder, poll_interval=0.05)

    async def scenario(pilot):
        assert app.query_one(DeviceList).row_count == 2
        write_dump(folder, [build.EXAMPLE_DEVICES[5]], "01-00.0.txt")
        await pilot.pause(0.5)
        assert app.query_one(DeviceList).row_count == 3
        assert "3 devices" in screen_text(app)

    run(app, scenario)


def test_refresh_rereads_and_highlights_changes(tmp_path: Path):
    path = write_dump(tmp_path)
    app = app_for(path)

    async def scenario(pilot):
        await show(pilot, app, NVME)
        data = build.nvme()
        build.put(data, 0x04, 2, 0x0404)  # Memory Space Enable cleared
        build.put(data, 0xB2, 2, 0x0020)  # MSI-X disabled
        devices = [(s, t, bytes(data) if s == "01:00.0" else bytes(b())) for s, t, b in build.EXAMPLE_DEVICES]
        path.write_text(build.dump_text(devices))
        await press(pilot, "r")
        ins = app.query_one(DetailPane).inspection
        assert ins.changed_offsets == {0x04, 0xB3}
        assert ("header", "common", "command", "memory_space") in ins.changed
        assert ("cap", 0xB0, "message_control", "enable") in ins.changed
        assert ("cap", 0x50,) not in ins.changed
        assert "Command       0x0404" in screen_text(app)
        await press(pilot, "2")
        msix_node = next(n for n in app.query_one("#cap-tree").root.children if n.data == ("cap", 0xB0))
        assert any(span.style and "yellow" in str(span.style) for span in msix_node.label.spans)

    run(app, scenario)


def test_exports_json_and_an_lspci_dump(tmp_path: Path):
    path = write_dump(tmp_path)
    app = app_for(path, export_dir=str(tmp_path))

    async def scenario(pilot):
        app.query_one(DeviceList).select(NVME)
        await press(pilot, "j", "d")

    run(app, scenario)
    document = json.loads((tmp_path / "pcikit-0000-01-00.0.json").read_text())
    assert [(d["slot"], d["vendor_id"], d["device_id"]) for d in document] == [("0000:01:00.0", 0x144D, 0xA808)]
    dump = tmp_path / "pcikit-0000-01-00.0.lspci.txt"
    (again,) = dump_devices(dump)
    assert again.config.read_block(0, 4096) == bytes(build.nvme())
    lspci = need_lspci()
    result = subprocess.run([lspci, "-F", str(dump), "-xxxx"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("01:00.0 ")
