"""MSI-X tables and PBAs read through BAR regions; layout validation; the ``pcikit msix`` command."""
from __future__ import annotations

import json

import pytest

import pcikit
from pcikit.access import BytesConfig
from pcikit.access.base import KernelInfo, Resource
from pcikit.address import Address
from pcikit.commands import msix as msix_command
from pcikit.errors import OutOfRangeAccessError, ReadOnlyError
from pcikit.mmio import BarRegion, Region
from pcikit.model import Device
from pcikit.msix import MsixLayout, MsixTable, Pba, read_msix, validate

from .conftest import dump_text, put

MEM32 = 0xFE000000
MEM64 = 0xE000000C  # 64-bit prefetchable memory (low dword)
IO = 0x0000C001


def config(count=4, table=(0, 0), pba=(0, 0x800), enable=True, function_mask=False, bars=(MEM32,)) -> bytes:
    """A type 0 header with one MSI-X capability at 0x40."""
    img = bytearray(256)
    put(img, 0x00, 2, 0x1234)
    put(img, 0x02, 2, 0x5678)
    put(img, 0x06, 2, 0x0010)  # Capabilities List
    for index, raw in enumerate(bars):
        put(img, 0x10 + 4 * index, 4, raw)
    put(img, 0x34, 1, 0x40)
    put(img, 0x3C, 1, 11)
    put(img, 0x3D, 1, 1)
    control = (count - 1) | (function_mask << 14) | (enable << 15)
    put(img, 0x40, 1, 0x11)
    put(img, 0x42, 2, control)
    put(img, 0x44, 4, table[1] | table[0])
    put(img, 0x48, 4, pba[1] | pba[0])
    return bytes(img)


def entry_values(vector: int) -> tuple[int, int, int]:
    """(address, data, vector control) written for ``vector``: odd vectors masked."""
    return 0xFEE0_0000 | vector << 12 | (vector << 36), 0x4000 + vector, vector & 1


def bar_image(size=0x1000, table_offset=0, count=4, pba_offset=0x800, pending=()) -> bytearray:
    """A BAR holding ``count`` entries from :func:`entry_values` and the given pending bits."""
    buf = bytearray(size)
    for vector in range(count):
        base = table_offset + 16 * vector
        if base + 16 > size:
            break
        address, data, control = entry_values(vector)
        put(buf, base, 8, address)
        put(buf, base + 8, 4, data)
        put(buf, base + 12, 4, control)
    for vector in pending:
        buf[pba_offset + vector // 8] |= 1 << (vector % 8)
    return buf


def device(data: bytes, kernel=None) -> Device:
    return Device(Address.parse("0000:00:04.0"), BytesConfig(data), kernel)


class Recorder(BarRegion):
    """A BarRegion that logs every access and forwards it to a Region."""

    def __init__(self, inner: Region) -> None:
        self.inner, self.size, self.readonly, self.log = inner, inner.size, inner.readonly, []

    def _call(self, name, offset, *value):
        self.log.append((name, offset))
        return getattr(self.inner, name)(offset, *value)

    def read8(self, offset): return self._call("read8", offset)
    def read16(self, offset): return self._call("read16", offset)
    def read32(self, offset): return self._call("read32", offset)
    def read64(self, offset): return self._call("read64", offset)
    def write8(self, offset, value): return self._call("write8", offset, value)
    def write16(self, offset, value): return self._call("write16", offset, value)
    def write32(self, offset, value): return self._call("write32", offset, value)
    def write64(self, offset, value): return self._call("write64", offset, value)


def test_entries_pending_and_effective_state():
    dev = device(config(count=40, pba=(0, 0x800)))
    state = read_msix(dev, {0: Region(bar_image(count=40, pending=(0, 1, 31, 32, 39)))})
    assert state.problems == [] and state.unread is None
    assert len(state.vectors) == 40
    for v in state.vectors:
        address, data, control = entry_values(v.vector)
        assert (v.address, v.data, v.vector_control) == (address, data, control)
        assert v.masked == bool(control & 1)
        assert v.pending == (v.vector in (0, 1, 31, 32, 39))
        assert not v.function_masked
        assert v.deliverable == (not v.masked)


@pytest.mark.parametrize("enable, function_mask", [(True, True), (False, False), (False, True)])
def test_function_mask_or_disable_masks_every_vector(enable, function_mask):
    dev = device(config(enable=enable, function_mask=function_mask))
    state = read_msix(dev, {0: Region(bar_image())})
    assert [v.masked for v in state.vectors] == [False, True, False, True]
    assert all(v.function_masked and v.effective_masked and not v.deliverable for v in state.vectors)


def test_only_aligned_dword_reads_inside_table_and_pba():
    recorder = Recorder(Region(bar_image(count=70)))
    read_msix(device(config(count=70)), {0: recorder})
    assert {name for name, _ in recorder.log} == {"read32"}
    offsets = [offset for _, offset in recorder.log]
    assert all(offset % 4 == 0 for offset in offsets)
    table = [o for o in offsets if o < 70 * 16]
    pba = [o for o in offsets if o >= 0x800]
    assert sorted(table) == list(range(0, 70 * 16, 4))
    assert sorted(pba) == [0x800, 0x804, 0x808]  # 70 bits: three DWORDs, never past the PBA
    assert len(offsets) == len(table) + len(pba)


def test_table_and_pba_in_different_bars():
    dev = device(config(count=2, table=(2, 0x100), pba=(0, 0x40), bars=(MEM32, 0, MEM32)))
    table_bar = bar_image(table_offset=0x100, count=2, pba_offset=0)
    pba_bar = bytearray(0x100)
    pba_bar[0x40] = 0b10
    state = read_msix(dev, {2: Region(table_bar), 0: Region(pba_bar)})
    assert state.problems == []
    assert [(v.address, v.pending) for v in state.vectors] == [
        (entry_values(0)[0], False), (entry_values(1)[0], True)]


def test_missing_pba_region_leaves_pending_unknown():
    dev = device(config(count=2, table=(0, 0), pba=(2, 0), bars=(MEM32, 0, MEM32)))
    state = read_msix(dev, {0: Region(bar_image(count=2))})
    assert [v.pending for v in state.vectors] == [None, None]


def test_no_region_says_which_bar():
    state = read_msix(device(config()), {})
    assert state.vectors == [] and state.unread == "BAR 0 (table BIR) is not mapped"
    assert "table not read: BAR 0" in state.summary()


def test_device_without_msix():
    img = bytearray(config())
    img[0x06] = 0  # no capability list
    assert read_msix(device(bytes(img)), {0: Region(bytearray(16))}) is None


def test_table_past_the_bar_reads_what_fits_and_records_it():
    dev = device(config(count=16, table=(0, 0xF80), pba=(0, 0x800)))
    state = read_msix(dev, {0: Region(bar_image(table_offset=0xF80, count=16))})
    assert [v.vector for v in state.vectors] == list(range(8))
    assert state.problems == ["MSI-X table at 0xf80+0x100 runs past the end of BAR 0 (0x1000 bytes)"]


def test_pba_past_the_bar_reads_no_pending_bit():
    dev = device(config(count=4, pba=(0, 0x1000)))
    state = read_msix(dev, {0: Region(bar_image())})
    assert [v.pending for v in state.vectors] == [None] * 4
    assert state.problems == ["MSI-X PBA at 0x1000+0x8 runs past the end of BAR 0 (0x1000 bytes)"]


def test_kernel_bar_size_is_used_when_known():
    kernel = KernelInfo(resources=[Resource(MEM32, MEM32 + 0x3FF, 0x40200)])
    dev = device(config(count=4, pba=(0, 0x800)), kernel)
    assert read_msix(dev, {}).problems == ["MSI-X PBA at 0x800+0x8 runs past the end of BAR 0 (0x400 bytes)"]


def test_overlap():
    dev = device(config(count=4, pba=(0, 0x20)))
    state = read_msix(dev, {0: Region(bar_image(pba_offset=0x20))})
    assert state.problems == ["MSI-X table (0x0-0x3f) and PBA (0x20-0x27) overlap in BAR 0"]


@pytest.mark.parametrize("bars, bir, problem", [
    ((MEM32,), 3, "MSI-X table BIR 3 names BAR 3, which is not implemented"),
    ((MEM32, IO), 1, "MSI-X table BIR 1 names I/O BAR 1 (must be memory)"),
    ((MEM64, 0), 1, "MSI-X table BIR 1 names the upper half of 64-bit BAR 0"),
    ((MEM32,), 6, "MSI-X table BIR 6 is reserved (BARs are 0-5)"),
    ((MEM32,), 7, "MSI-X table BIR 7 is reserved (BARs are 0-5)"),
])
def test_bad_table_bir_is_a_problem_not_an_exception(bars, bir, problem):
    dev = device(config(table=(bir, 0), pba=(0, 0x800), bars=bars))
    state = read_msix(dev, {0: Region(bar_image())})
    assert state.problems == [problem]
    assert state.vectors == []


def test_a_mapped_file_stands_in_for_an_unassigned_bar():
    """BAR 1 reads 0 in a dump (unassigned); a region given for it is trusted."""
    dev = device(config(table=(1, 0), pba=(1, 0x800), bars=(MEM32, 0)))
    state = read_msix(dev, {1: Region(bar_image())})
    assert state.problems == [] and len(state.vectors) == 4


def test_layout_checks_beyond_what_the_register_can_encode():
    layout = MsixLayout(table_bir=0, table_offset=4, pba_bir=0, pba_offset=0x10004,
                        table_size=4096, enable=True, function_mask=False)
    bars = device(config()).bars
    problems = validate(layout, bars, {0: Region(bytearray(0x20000))})
    assert problems == [
        "MSI-X table size 4096 is outside 1-2048",
        "MSI-X table offset 0x4 is not QWORD aligned",
        "MSI-X PBA offset 0x10004 is not QWORD aligned",
    ]
    # DWORD-aligned is still a legal access: read, but never more than 2048 entries
    assert len(MsixTable(layout, Region(bytearray(0x20000))).entries()) == 2048
    odd = MsixLayout(0, 2, 0, 0x800, 4, True, False)
    assert MsixTable(odd, Region(bytearray(0x1000))).entries() == []


def test_layout_from_mapping_and_sizes():
    fields = {"table_bir": 0, "table_offset": 0, "pba_bir": 0, "pba_offset": 0x800,
              "table_size": 65, "enable": True, "function_mask": False}
    layout = MsixLayout.from_fields(fields)
    assert (layout.table_bytes, layout.pba_bytes) == (65 * 16, 16)
    assert Pba(layout, Region(bytearray(0x1000))).pending(65) is None
    assert Pba(layout, None).pending(0) is None


def test_a_failing_region_is_recorded():
    class Broken(Recorder):
        def read32(self, offset):
            raise OutOfRangeAccessError("device went away", offset, 4, self.size)

    state = read_msix(device(config()), {0: Broken(Region(bar_image()))})
    assert state.unread == "device went away" and state.vectors == []


def test_msix_state_json_contract():
    state = read_msix(device(config(count=2)), {0: Region(bar_image(count=2, pending=(1,)))})
    doc = state.to_json()
    assert (doc["enable"], doc["function_mask"], doc["table_size"], doc["problems"]) == (True, False, 2, [])
    assert doc["vectors"][1] == {"vector": 1, "address": entry_values(1)[0], "data": 0x4001,
                                 "masked": True, "pending": True}


def test_corpus_virtio_device_with_a_bar_image(tmp_path):
    """cap-vendor-virtio 00:04.0: lspci says table BAR=0 offset 0, PBA BAR=0 offset 0x2000, Count=3."""
    from .conftest import need_corpus

    path = need_corpus() / "pciutils-tests" / "cap-vendor-virtio"
    dev = next(d for d in pcikit.load_dump(path) if str(d.address) == "0000:00:04.0")
    image = bar_image(size=0x4000, count=3, pba_offset=0x2000, pending=(2,))
    state = read_msix(dev, {0: Region(image)})
    assert state.problems == []
    assert [(v.address, v.data, v.masked, v.pending) for v in state.vectors] == [
        (*entry_values(i)[:2], bool(i & 1), i == 2) for i in range(3)]


# -- the command ----------------------------------------------------------------------------

@pytest.fixture
def dump_and_bar(tmp_path):
    dump = tmp_path / "dev.txt"
    dump.write_text(dump_text([("00:04.0", config(count=3)), ("00:05.0", config(count=2, enable=False))]))
    bar = tmp_path / "bar0.bin"
    bar.write_bytes(bar_image(count=3, pending=(0,)))
    return str(dump), str(bar)


def test_cli_table_with_bar_file(dump_and_bar, capsys):
    dump, bar = dump_and_bar
    assert msix_command.main(["-F", dump, "-s", "04.0", "--bar", f"0={bar}"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("0000:00:04.0 MSI-X: Enable+ Masked- Count=3; "
                        "3 read, 1 masked, 1 pending, 2 deliverable")
    assert lines[1].split() == ["Vector", "Address", "Data", "Masked", "Pending"]
    assert lines[2].split() == ["0", f"{entry_values(0)[0]:#018x}", "0x00004000", "no", "yes"]
    assert lines[3].split() == ["1", f"{entry_values(1)[0]:#018x}", "0x00004001", "yes", "no"]
    assert len(lines) == 5


def test_cli_json(dump_and_bar, capsys):
    dump, bar = dump_and_bar
    assert pcikit.cli.main(["msix", "-F", dump, "-s", "04.0", "--bar", f"0={bar}", "--json"]) == 0
    docs = json.loads(capsys.readouterr().out)
    assert len(docs) == 1
    doc = docs[0]
    assert (doc["slot"], doc["enable"], doc["function_mask"], doc["table_size"]) == ("0000:00:04.0", True, False, 3)
    assert doc["vectors"][2] == {"vector": 2, "address": entry_values(2)[0], "data": 0x4002,
                                 "masked": False, "pending": False}
    assert doc["problems"] == [] and doc["unread"] is None


def test_cli_without_bar_says_why_per_device(dump_and_bar, capsys):
    dump, _ = dump_and_bar
    assert msix_command.main(["-F", dump]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "0000:00:04.0 MSI-X: Enable+ Masked- Count=3; table not read: "
        "a dump holds config space only, not BAR 0 (pass --bar 0=FILE)",
        "0000:00:05.0 MSI-X: Enable- Masked- Count=2; table not read: "
        "a dump holds config space only, not BAR 0 (pass --bar 0=FILE)",
    ]


@pytest.mark.parametrize("argv, status, message", [
    (["-s", "09.0"], 1, "no device matches 09.0"),
    (["--bar", "0=/nonexistent/bar"], 2, "--bar maps a BAR of one device, but 2 are selected"),
    (["-s", "04.0", "--bar", "0=/nonexistent/bar"], 2, "/nonexistent/bar: no such file"),
    (["-s", "04.0", "--bar", "9=x"], 2, "BAR numbers are 0-5"),
    (["--frobnicate"], 2, "pcikit msix: unknown option --frobnicate"),
])
def test_cli_errors_are_one_line_and_exit_codes(dump_and_bar, capsys, argv, status, message):
    dump, _ = dump_and_bar
    assert msix_command.main(["-F", dump, *argv]) == status
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_cli_missing_dump_is_an_input_error(capsys):
    assert msix_command.main(["-F", "/nonexistent/dump"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def _fake_sysfs(tmp_path, with_resource: bool):
    folder = tmp_path / "bus" / "pci" / "devices" / "0000:00:04.0"
    folder.mkdir(parents=True)
    (folder / "config").write_bytes(config(count=3))
    (folder / "resource").write_text(
        f"0x{MEM32:016x} 0x{MEM32 + 0xFFF:016x} 0x{0x40200:016x}\n" + "0x0 0x0 0x0\n" * 6)
    (folder / "irq").write_text("11\n")
    if with_resource:
        (folder / "resource0").write_bytes(bar_image(count=3))
    return str(tmp_path)


def test_cli_live_tree_maps_resource_files(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("os.geteuid", lambda: 0)
    root = _fake_sysfs(tmp_path, with_resource=True)
    assert msix_command.main(["--sysfs-root", root]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("0000:00:04.0 MSI-X: Enable+ Masked- Count=3; 3 read")


def test_cli_live_tree_not_root(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    root = _fake_sysfs(tmp_path, with_resource=True)
    assert msix_command.main(["--sysfs-root", root]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"0000:00:04.0 MSI-X: Enable+ Masked- Count=3; table not read: BAR 0 of 0000:00:04.0: "
                   f"mapping {root}/bus/pci/devices/0000:00:04.0/resource0 needs root"]


def test_cli_live_tree_without_resource_files(tmp_path, capsys, monkeypatch):
    root = _fake_sysfs(tmp_path, with_resource=False)
    assert msix_command.main(["--sysfs-root", root]) == 0
    assert "resource0 does not exist" in capsys.readouterr().out


def test_read_only_regions_are_never_written():
    region = Region(bytes(bar_image()))
    state = read_msix(device(config()), {0: region})
    assert len(state.vectors) == 4
    with pytest.raises(ReadOnlyError):
        region.write32(0, 0)
