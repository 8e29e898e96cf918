"""Devices that are hard to show: 64 readable bytes, a broken capability list, no bus at all; the command."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pcikit.commands import tui as command
from pcikit.tui import create_app
from pcikit.tui.widgets.capability_tree import CapabilityTree
from pcikit.tui.widgets.device_list import DeviceList
from pcikit.tui.widgets.hex_view import HexView

from . import tui_devices as build
from .conftest import ROOT, need_corpus
from .tui_support import app_for, press, run, scanned, screen_text, wait_for, write_dump

NVME_FIRST_64 = ("01:00.0", "NVMe read without root", lambda: build.nvme()[:64])
BROKEN = build.EXAMPLE_DEVICES[4]


def test_a_64_byte_device_shows_what_can_be_shown(tmp_path: Path):
    app = app_for(write_dump(tmp_path, [NVME_FIRST_64]))

    async def scenario(pilot):
        text = screen_text(app)
        assert "Config space  64 bytes readable" in text
        assert "BAR 0" in text  # the header is complete in 64 bytes
        await press(pilot, "2")
        tree = app.query_one(CapabilityTree)
        labels = [str(n.label) for n in tree.root.children]
        assert labels[0] == "Header"
        assert "rest not readable (needs root: only 64 bytes visible)" in labels[-1]
        await press(pilot, "4")
        assert app.query_one(HexView).size_in_bytes == 64
        assert "030: 00 00 00 00 40 00 00 00" in screen_text(app)
        assert "040:" not in screen_text(app)
        await press(pilot, "5")
        assert "capabilities not readable: only the first 64 bytes" in screen_text(app)
        await press(pilot, "3")
        assert "The capability list is not readable (only 64 bytes visible; needs root)" in screen_text(app)

    run(app, scenario)


def test_a_broken_capability_chain(tmp_path: Path):
    app = app_for(write_dump(tmp_path, [BROKEN]))

    async def scenario(pilot):
        await scanned(pilot, app)
        assert app.status[app.selected_address] == "warning"
        assert "▲ capabilities: capability list broken: ID 0xff at 0x60" in screen_text(app)  # the summary line
        await press(pilot, "2")
        labels = [str(n.label) for n in app.query_one(CapabilityTree).root.children]
        assert labels[1].startswith("[50] Power Management")
        assert labels[2] == "⚠ Capabilities: list broken at 0x60 (ID 0xff)"
        await press(pilot, "4", *["down"] * 6)  # 0x60: the all-ones dword the list points at
        assert app.query_one(HexView).cursor == 0x60
        assert "not part of any decoded field" in screen_text(app)

    run(app, scenario)


def test_header_too_short_to_decode(tmp_path: Path):
    app = app_for(write_dump(tmp_path, [("00:02.0", "32 bytes", lambda: build.nvme()[:32])]))

    async def scenario(pilot):
        # wait for conditions, not a fixed pause: a loaded machine renders late
        await wait_for(pilot, lambda: "Only 32 bytes of config space are readable: no header." in screen_text(app),
                       what="the no-header notice")
        for tab in "2345":
            await press(pilot, tab)
        await wait_for(pilot, lambda: "header incomplete" in screen_text(app), what="the problems tab")

    run(app, scenario)


def test_no_bus_opens_the_bundled_examples_with_a_banner(tmp_path: Path):
    app = create_app(sysfs_root=str(tmp_path), poll_interval=None)

    async def scenario(pilot):
        text = screen_text(app)
        assert f"No PCI bus visible under {tmp_path}: showing the bundled example devices" in text
        assert app.query_one(DeviceList).row_count >= 1

    run(app, scenario)


def test_command_rejects_bad_sources(tmp_path: Path, capsys):
    assert command.main(["-F", str(tmp_path / "missing.txt")]) == 2
    assert "missing.txt: no such file or directory" in capsys.readouterr().err
    bad = tmp_path / "bad.txt"
    bad.write_text("00:00.0 bad\n00: zz\n")
    assert command.main(["-F", str(bad)]) == 2
    assert "bad.txt:2: malformed hex row" in capsys.readouterr().err
    assert command.main(["-F", str(bad), "--spec", str(bad)]) == 2
    assert command.main(["--no-such-option"]) == 2


def test_textual_is_imported_only_when_the_app_is_built():
    code = (
        "import sys, pcikit.cli, pcikit.commands.tui, pcikit.tui, pcikit.tui.spans, pcikit.tui.source\n"
        "print('textual' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == "False", result.stderr


def test_an_undefined_header_type_decodes_the_common_part_only(tmp_path: Path):
    odd = build.header(256, 0x8086, 0x1234, 0x0C0330, header_type=0x03)
    app = app_for(write_dump(tmp_path, [("00:07.0", "header type 3", lambda: odd)]))

    async def scenario(pilot):
        assert "Header type 0x03 is not defined: only the first 16 bytes are decoded." in screen_text(app)
        for tab in "2345":
            await press(pilot, tab)
        assert "unknown header type 0x03" in screen_text(app)

    run(app, scenario)


def test_every_corpus_device_maps_names_and_reads_without_error():
    from pcikit.access.dump import load_dump
    from pcikit.ids import default_database
    from pcikit.model import Device
    from pcikit.tui.changes import changed_paths
    from pcikit.tui.msix_info import msix_report
    from pcikit.tui.rows import device_row
    from pcikit.offline import DumpSource
    from pcikit.tui.spans import FieldMap, describe, value_at

    from .oracle import corpus_files

    need_corpus()
    files = corpus_files()
    ids = default_database()
    for path in files:
        source = DumpSource(path)
        for entry in load_dump(path):
            dev = Device(entry.address, entry.config)
            fields = FieldMap.of(dev)
            for span in fields.spans:
                assert span.start >= 0 and span.length >= 0, (path.name, span)
                describe(dev, span.path)
                value_at(dev, span.path)
            assert fields.at(0) is None or fields.at(0).path[0] == "header"
            device_row(dev, ids, domains=True)
            msix_report(dev, source)
            assert not changed_paths(dev, Device(entry.address, entry.config))
