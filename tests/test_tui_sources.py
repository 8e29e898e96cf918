"""Where the inspector's devices come from: a fake sysfs tree, specs, dumps with BAR images, fixtures."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pcikit.address import Address
from pcikit import sources
from pcikit.tui import create_app, source as tui_source
from pcikit.tui.msix_info import msix_report
from pcikit.offline import DumpSource, bar_images_beside
from pcikit.sources import LiveSource
from pcikit.tui.widgets.detail_pane import DetailPane
from pcikit.tui.widgets.device_list import DeviceList

from . import tui_devices as build
from .conftest import ROOT
from .tui_support import press, run, screen_text, write_dump

NVME = Address.parse("0000:01:00.0")
VIRTIO = Address.parse("0000:00:03.0")


def fake_sysfs(root: Path, devices: dict[str, bytes]) -> Path:
    """``root/bus/pci/devices/<slot>/config`` for each device (what the kernel shows, minus links)."""
    for slot, data in devices.items():
        folder = root / "bus" / "pci" / "devices" / slot
        folder.mkdir(parents=True)
        (folder / "config").write_bytes(data)
    return root


def test_live_source_lists_and_polls_a_sysfs_tree(tmp_path: Path):
    root = fake_sysfs(tmp_path, {str(NVME): bytes(build.nvme()), str(VIRTIO): bytes(build.virtio_net())})
    live = LiveSource(str(root))
    assert [d.address for d in live.load()] == [VIRTIO, NVME]
    assert live.poll() is None and not live.use_udev()
    shutil.rmtree(root / "bus" / "pci" / "devices" / str(VIRTIO))
    assert [d.address for d in live.poll()] == [NVME]
    assert live.reload(VIRTIO) is None
    regions, reasons = live.bar_regions(live.reload(NVME), [0])
    assert regions == {} and "resource0 does not exist" in reasons[0]


def test_udev_is_used_only_for_the_real_sysfs_with_udev_running(tmp_path: Path, monkeypatch):
    control = tmp_path / "control"
    monkeypatch.setattr(sources, "UDEV_CONTROL", str(control))
    assert not LiveSource("/sys").use_udev()
    control.touch()
    assert LiveSource("/sys").use_udev() and not LiveSource(str(tmp_path)).use_udev()


def test_a_device_unplugged_from_a_live_tree_while_selected(tmp_path: Path):
    root = fake_sysfs(tmp_path / "sys", {str(NVME): bytes(build.nvme()), str(VIRTIO): bytes(build.virtio_net())})
    app = create_app(sysfs_root=str(root), poll_interval=0.05)

    async def scenario(pilot):
        assert app.query_one(DeviceList).selected_address == VIRTIO
        await press(pilot, "3")
        assert "BAR 1 of 0000:00:03.0" in screen_text(app)  # no resource1 file: said, not hidden
        shutil.rmtree(root / "bus" / "pci" / "devices" / str(VIRTIO))
        await pilot.pause(0.4)
        assert app.query_one(DeviceList).row_count == 1
        assert "0000:00:03.0 was removed; this is its last read" in screen_text(app)
        assert app.query_one(DetailPane).inspection.device.address == VIRTIO

    run(app, scenario)


def nvme_bar0() -> bytes:
    """BAR 0 with the NVMe example's MSI-X table at 0x3000 and PBA at 0x2000 (PCIe 7.7.2)."""
    bar = bytearray(0x4000)
    for vector in range(33):  # entry: message address low, high, data, vector control
        entry = 0x3000 + 16 * vector
        build.put(bar, entry, 4, 0xFEE00000 | vector << 12)
        build.put(bar, entry + 8, 4, 0x4020 + vector)
        build.put(bar, entry + 12, 4, 1 if vector == 2 else 0)
    build.put(bar, 0x2000, 8, 1 << 5)  # vector 5 pending
    return bytes(bar)


def test_bar_images_beside_a_one_device_dump(tmp_path: Path):
    dump = write_dump(tmp_path, [build.EXAMPLE_DEVICES[5]], "ssd.lspci.txt")
    (tmp_path / "ssd.bar0.bin").write_bytes(nvme_bar0())
    (tmp_path / "ssd.bar9.bin").write_bytes(b"")  # not a BAR number
    (tmp_path / "other.bar1.bin").write_bytes(b"")
    assert bar_images_beside(dump) == {0: tmp_path / "ssd.bar0.bin"}
    app = create_app(dump=str(dump), poll_interval=None)

    async def scenario(pilot):
        await press(pilot, "3")
        lines = screen_text(app).splitlines()

        def cells(address: str) -> list[str]:  # Vector, Address, Data, Masked, Pending, Deliverable
            line = next(line for line in lines if address in line)
            return line.split()[-6:]

        assert cells("0x00000000fee02000") == ["2", "0x00000000fee02000", "0x00004022", "yes", "no", "no"]
        assert cells("0x00000000fee05000") == ["5", "0x00000000fee05000", "0x00004025", "no", "yes", "yes"]
        assert "33 read, 1 masked, 1 pending" in "\n".join(lines)

    run(app, scenario, size=(140, 60))


def test_a_many_device_dump_does_not_guess_bar_images(tmp_path: Path):
    dump = write_dump(tmp_path, name="all.txt")
    (tmp_path / "all.bar0.bin").write_bytes(nvme_bar0())
    source = DumpSource(dump)
    nvme = next(d for d in source.load() if d.address == NVME)
    assert msix_report(nvme, source).note == "a dump holds config space only, not BAR 0"


def test_spec_source_shows_the_specs_msix_table():
    spec = ROOT / "specs" / "nvme-ssd.toml"
    if not spec.is_file():
        pytest.skip(f"spec not found at {spec}")
    app = create_app(spec=str(spec), poll_interval=None)

    async def scenario(pilot):
        assert app.query_one(DeviceList).selected_address == NVME
        await press(pilot, "3")
        # The spec: 130 vectors in BAR 0, all in reset state (Mask Bit set, PCIe 7.7.2.4).
        assert "130 read, 130 masked, 0 pending" in screen_text(app)

    run(app, scenario)


def test_a_bad_spec_is_an_error_not_a_crash(tmp_path: Path):
    from pcikit.commands import tui as command

    bad = tmp_path / "bad.toml"
    bad.write_text('vendor_id = "not a number"\n')
    assert command.main(["--spec", str(bad)]) == 2


def test_bundled_fixtures_come_with_their_bar_images():
    fixtures = ROOT / "fixtures"
    if not any(fixtures.glob("*.bar*.bin")):
        pytest.skip(f"no generated fixtures with BAR images in {fixtures}")
    bundled = tui_source.bundled_source("test")
    read = [msix_report(d, bundled).state for d in bundled.load()]
    assert any(state is not None and state.vectors for state in read)


def test_bar_option_maps_a_file_as_a_bar_of_the_named_device(tmp_path: Path):
    dump = write_dump(tmp_path, name="all.txt")  # six devices: the NVMe's BAR 0 holds its MSI-X table
    image = tmp_path / "nvme-bar0.bin"
    image.write_bytes(nvme_bar0())
    app = create_app(dump=str(dump), poll_interval=None, bars={0: str(image)}, bar_slot="01:00.0")
    nvme = next(d for d in app.source.load() if d.address == NVME)
    report = msix_report(nvme, app.source)
    assert report.note is None and len(report.state.vectors) == 33
    assert report.state.vectors[5].pending  # the PBA bit the image sets
    other = next(d for d in app.source.load() if d.address == VIRTIO)  # BAR files are the NVMe's only
    assert "a dump holds config space only" in msix_report(other, app.source).note


def test_bar_option_errors_are_one_line_before_the_screen(tmp_path: Path, capsys):
    from pcikit.commands import tui as command

    dump = write_dump(tmp_path, name="all.txt")
    image = tmp_path / "bar.bin"
    image.write_bytes(nvme_bar0())
    assert command.main(["-F", str(dump), "--bar", f"0={image}"]) == 2  # which of six devices?
    assert "--bar maps BARs of one device, but the source holds 6 devices" in capsys.readouterr().err
    assert command.main(["-F", str(dump), "-s", "01:00.0", "--bar", f"0={tmp_path / 'missing.bin'}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing.bin" in err
    assert command.main(["-F", str(dump), "--bar", "7=x"]) == 2
    assert "BAR numbers are 0-5" in capsys.readouterr().err
