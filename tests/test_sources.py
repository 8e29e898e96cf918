"""The Source interface: every implementation enumerates, reloads and gives BARs (or says why not)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from pcikit.address import Address
from pcikit.filters import SlotFilter
from pcikit.errors import PcikitError
from pcikit.offline import BarFileError, BarFileSource, DumpSource, SpecSource
from pcikit.sources import LiveSource, NoBusError, Source, open_source
from pcikit.testing import DeviceBuilder, MockSource

from .conftest import ROOT

NIC = Address.parse("0000:00:03.0")
SSD = Address.parse("0000:00:04.0")


def mocks():
    nic = DeviceBuilder(0x8086, 0x10D3, class_code=0x020000).bar(0, 0x4000).msix(vectors=4, bar=0).build(address=NIC)
    ssd = DeviceBuilder(0x144D, 0xA808, class_code=0x010802).bar(0, 0x4000).build(address=SSD)
    return nic, ssd


def dump_of(tmp_path: Path, devices) -> Path:
    """An lspci -xxx style dump of the mocks' first 256 bytes, written here from the bytes."""
    lines = []
    for dev in devices:
        data = dev.config.read_block(0, 256)
        lines.append(f"{str(dev.address)[5:]} Device")
        lines += [f"{row:02x}: " + " ".join(f"{b:02x}" for b in data[row:row + 16]) for row in range(0, 256, 16)]
        lines.append("")
    path = tmp_path / "two.txt"
    path.write_text("\n".join(lines))
    return path


def sources_under_test(tmp_path: Path) -> list[Source]:
    """One of each implementation over the same two devices (mock, dump of them, sysfs tree of them)."""
    nic, ssd = mocks()
    root = tmp_path / "sys"
    for dev in (nic, ssd):
        folder = root / "bus" / "pci" / "devices" / str(dev.address)
        folder.mkdir(parents=True)
        (folder / "config").write_bytes(dev.config.read_block(0, 256))
    return [MockSource([ssd, nic]), DumpSource(dump_of(tmp_path, (nic, ssd))), LiveSource(str(root))]


@pytest.mark.parametrize("kind", ["mock", "dump", "live"])
def test_every_source_enumerates_reloads_and_answers_for_bars(tmp_path: Path, kind: str):
    source = dict(zip(["mock", "dump", "live"], sources_under_test(tmp_path)))[kind]
    devices = source.load()
    assert [d.address for d in devices] == [NIC, SSD]
    assert [d.vendor_id for d in devices] == [0x8086, 0x144D]
    assert source.reload(SSD).device_id == 0xA808
    assert source.reload(Address.parse("0000:00:09.0")) is None
    regions, missing = source.bar_regions(devices[0], [0, 7])
    assert missing[7] == "BIR 7 is reserved (BARs are 0-5)"
    if kind == "mock":
        assert regions[0].size == 0x4000 and set(missing) == {7}
    else:
        assert 0 not in regions and missing[0]  # offline, or no resource0 file in the fake tree


def test_mock_source_regions_are_the_mocks_own(tmp_path: Path):
    nic, ssd = mocks()
    source = MockSource([nic, ssd])
    nic.config.write16(0x04, 0x0002)
    region = source.bar_region(source.reload(NIC), 0)
    region.write32(0x10, 0xDEADBEEF)
    assert nic.bar(0).read32(0x10) == 0xDEADBEEF
    nic.surprise_remove()
    assert source.reload(NIC) is None
    _, missing = source.bar_regions(source.reload(SSD), [2])
    assert "BAR 2" in missing[2]


def test_bar_files_stand_in_and_a_bad_file_is_an_input_error(tmp_path: Path):
    nic, _ = mocks()
    image = tmp_path / "bar0.bin"
    image.write_bytes(bytes(range(256)) * 16)
    source = BarFileSource(DumpSource(dump_of(tmp_path, (nic,))), {0: image, 1: tmp_path / "missing.bin"})
    (dev,) = source.load()
    assert source.bar_region(dev, 0).read8(5) == 5
    with pytest.raises(BarFileError, match="missing.bin: no such file"):
        source.bar_regions(dev, [1])


def test_spec_source_gives_the_spec_bar_images():
    source = SpecSource(ROOT / "specs" / "nvme-ssd.toml")
    (dev,) = source.load()
    regions, missing = source.bar_regions(dev, [0, 1])
    assert regions[0].size > 0 and missing[1] == "the spec has no image of BAR 1"


def test_open_source_names_what_is_wrong(tmp_path: Path):
    with pytest.raises(PcikitError, match="missing.txt: no such file or directory"):
        open_source(dump=tmp_path / "missing.txt")
    with pytest.raises(NoBusError, match=f"no PCI bus under {tmp_path}"):
        open_source(sysfs_root=str(tmp_path))
    assert isinstance(open_source(spec=ROOT / "specs" / "nvme-ssd.toml"), SpecSource)


@pytest.mark.parametrize("kind", ["mock", "dump", "live"])
def test_every_source_selects_slots(tmp_path: Path, kind: str):
    source = dict(zip(["mock", "dump", "live"], sources_under_test(tmp_path)))[kind]
    devices, domains = source.load_slots(SlotFilter.parse("00:04"))
    assert [d.address for d in devices] == [SSD] and devices[0].device_id == 0xA808
    assert domains is False


def test_live_slots_read_no_other_function_and_count_every_domain(tmp_path: Path, monkeypatch):
    """Each config read is a hardware access: ``-s`` opens only the functions it names (as lspci
    reads only the devices its filter matches), yet a function in another domain still makes
    every address show its domain, as lspci decides before filtering."""
    nic, ssd = mocks()
    root = tmp_path / "sys"
    for address, dev in (("0000:00:03.0", nic), ("0001:00:04.0", ssd)):
        folder = root / "bus" / "pci" / "devices" / address
        folder.mkdir(parents=True)
        (folder / "config").write_bytes(dev.config.read_block(0, 256))
    opened = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda path, *args, **kw: opened.append(os.fspath(path)) or real_open(path, *args, **kw))
    devices, domains = LiveSource(str(root)).load_slots(SlotFilter.parse("00:03.0"))
    assert [d.address for d in devices] == [NIC] and devices[0].vendor_id == 0x8086
    assert domains is True
    assert [path for path in opened if path.endswith("/config")] == [str(root / "bus/pci/devices/0000:00:03.0/config")]
