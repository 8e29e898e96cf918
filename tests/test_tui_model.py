"""The TUI's model-side helpers (no Textual): field byte ranges, rows, topology, changes, sources."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pcikit.access import BytesConfig
from pcikit.address import Address
from pcikit.errors import PcikitError
from pcikit.ids import IdDatabase
from pcikit.model import Device
from pcikit.tui.changes import changed_bytes, changed_paths
from pcikit.tui.rows import device_row
from pcikit.offline import DumpSource, FilesSource
from pcikit.tui.source import bundled_source, choose_source
from pcikit.tui.spans import FieldMap, describe, value_at
from pcikit.tui.topology import bus_forest

from . import tui_devices as build
from .conftest import need_lspci
from .tui_support import write_dump


def device(data: bytes, slot: str = "0000:01:00.0") -> Device:
    return Device(Address.parse(slot), BytesConfig(bytes(data)))


NVME = device(build.nvme())


def test_header_fields_lie_where_the_type0_layout_puts_them():
    fields = FieldMap.of(NVME)
    expect = {
        ("header", "common", "vendor_id"): (0x00, 2),
        ("header", "common", "command"): (0x04, 2),
        ("header", "common", "status"): (0x06, 2),
        ("header", "common", "prog_if"): (0x09, 1),
        ("header", "common", "base_class"): (0x0B, 1),
        ("header", "body", "bars"): (0x10, 24),
        ("header", "body", "bars", 0): (0x10, 4),
        ("header", "body", "subsystem_vendor_id"): (0x2C, 2),
        ("header", "body", "capabilities_pointer"): (0x34, 1),
        ("header", "body", "interrupt_line"): (0x3C, 1),
        ("header", "body", "interrupt_pin"): (0x3D, 1),
    }
    for path, (start, length) in expect.items():
        span = fields.span(path)
        assert (span.start, span.length) == (start, length), path


def test_bit_fields_cover_the_byte_holding_their_bits():
    fields = FieldMap.of(NVME)
    bus_master = fields.span(("header", "common", "command", "bus_master"))  # Command bit 2
    assert (bus_master.start, bus_master.length, bus_master.bits) == (0x04, 1, (2, 1))
    disable = fields.span(("header", "common", "command", "interrupt_disable"))  # Command bit 10
    assert (disable.start, disable.length) == (0x05, 1)
    table_size = fields.span(("cap", 0xB0, "message_control", "table_size"))  # bits 10:0 span two bytes
    assert (table_size.start, table_size.length) == (0xB2, 2)


def test_msix_registers_follow_the_capability_layout():
    fields = FieldMap.of(NVME)
    assert (fields.span(("cap", 0xB0, "cap_id")).start, fields.span(("cap", 0xB0, "next")).start) == (0xB0, 0xB1)
    assert fields.span(("cap", 0xB0, "message_control")).start == 0xB2
    assert (fields.span(("cap", 0xB0, "table")).start, fields.span(("cap", 0xB0, "pba")).start) == (0xB4, 0xB8)
    whole = fields.span(("cap", 0xB0))
    assert (whole.start, whole.length) == (0xB0, 12)


def test_summary_keys_map_to_the_register_they_come_from():
    fields = FieldMap.of(NVME)
    assert fields.span(("cap", 0xB0, "table_size")) == fields.span(("cap", 0xB0, "message_control", "table_size"))
    assert fields.span(("cap", 0xB0, "table_bir")) == fields.span(("cap", 0xB0, "table", "bir"))


def test_optional_msi_registers_shift_with_the_layout():
    sixty_four = FieldMap.of(NVME)  # 64-bit MSI at 0x50: upper address at +8, data at +0xc
    assert sixty_four.span(("cap", 0x50, "message_upper_address")).start == 0x58
    assert sixty_four.span(("cap", 0x50, "message_data")).start == 0x5C
    data = build.nvme()
    build.put(data, 0x52, 2, 3 << 1 | 1 << 8)  # 32-bit address, per-vector masking
    thirty_two = FieldMap.of(device(data))
    assert thirty_two.span(("cap", 0x50, "message_upper_address")) is None
    assert thirty_two.span(("cap", 0x50, "message_data")).start == 0x58
    assert thirty_two.span(("cap", 0x50, "mask_bits")).start == 0x5C
    assert thirty_two.span(("cap", 0x50, "pending_bits")).start == 0x60


def test_each_byte_belongs_to_its_innermost_register():
    fields = FieldMap.of(NVME)
    assert fields.at(0x05).path == ("header", "common", "command")
    assert fields.at(0xB3).path == ("cap", 0xB0, "message_control")
    names = {span.path[-1] for span in fields.bit_fields_at(0xB3)}
    assert {"function_mask", "enable"} <= names  # bits 14 and 15
    assert fields.at(0x14C).path[:2] == ("ecap", 0x148)  # inside the DSN capability
    assert fields.at(0x800) is None


def test_values_and_labels_by_path():
    assert value_at(NVME, ("header", "common", "vendor_id")) == 0x144D
    assert value_at(NVME, ("cap", 0xB0, "message_control", "enable")) is True
    assert value_at(NVME, ("cap", 0x99, "next")) is None
    assert describe(NVME, ("cap", 0xB0, "message_control")) == "MSI-X [b0] › message_control"


def test_undecoded_capability_spans_its_header_only():
    data = build.host_bridge()  # vendor-specific capability of a non-virtio device: generic header
    fields = FieldMap.of(device(data, "0000:00:00.0"))
    assert fields.span(("cap", 0xE0)).start == 0xE0


def test_rows_show_identity_and_interrupt_badges():
    ids = IdDatabase(b"144d  Samsung Electronics Co Ltd\n\ta808  NVMe SSD Controller\n")
    row = device_row(NVME, ids, domains=False)
    assert (row.slot, row.vendor, row.device) == ("01:00.0", "Samsung Electronics Co Ltd", "NVMe SSD Controller")
    assert row.interrupts == "MSI-X MSI INTx"
    assert row.matches("samsung nvme") and row.matches("144D:A808") and not row.matches("intel")
    unnamed = device_row(device(build.legacy_serial(), "0000:00:05.0"), IdDatabase(b""), domains=True)
    assert (unnamed.slot, unnamed.vendor, unnamed.interrupts) == ("0000:00:05.0", "Vendor 1415", "INTx")


def example_devices() -> list[Device]:
    return [device(b(), "0000:" + slot) for slot, _, b in build.EXAMPLE_DEVICES]


def test_bus_tree_puts_the_nvme_behind_its_root_port():
    forest = bus_forest(example_devices())
    assert list(forest) == [(0, 0)]
    roots = forest[(0, 0)]
    assert [str(n.device.address) for n in roots] == [
        "0000:00:00.0", "0000:00:01.0", "0000:00:03.0", "0000:00:05.0", "0000:00:1f.3",
    ]
    assert [str(c.device.address) for c in roots[1].children] == ["0000:01:00.0"]


def test_bus_tree_survives_bridges_claiming_each_other():
    first, second = build.root_port(), build.root_port()
    build.put(first, 0x18, 3, 0x020200)  # on bus 1: secondary 2, subordinate 2
    build.put(second, 0x18, 3, 0x010102)  # on bus 2: secondary 1, subordinate 1
    devices = [device(first, "0000:01:00.0"), device(second, "0000:02:00.0")]
    forest = bus_forest(devices)

    def walk(nodes):
        for node in nodes:
            yield node.device
            yield from walk(node.children)

    seen = [dev for nodes in forest.values() for dev in walk(nodes)]
    assert sorted(d.address for d in seen) == sorted(d.address for d in devices)


def test_changes_name_fields_and_bytes():
    before = NVME
    data = build.nvme()
    build.put(data, 0x04, 2, 0x0404)  # Memory Space Enable cleared
    after = device(data)
    paths = changed_paths(before, after)
    assert ("header", "common", "command", "memory_space") in paths
    assert ("header", "common", "command") in paths and ("header",) in paths
    assert ("header", "common", "status") not in paths
    assert changed_bytes(before, after) == {0x04}


def test_sources_choose_dump_and_refuse_missing_files(tmp_path: Path):
    path = write_dump(tmp_path)
    source = choose_source(dump=str(path))
    assert isinstance(source, DumpSource) and len(source.load()) == 6
    assert source.poll() is None
    path.write_text(path.read_text().replace("00:03.0 ", "00:04.0 "))
    assert Address.parse("00:04.0") in {d.address for d in source.poll()}
    with pytest.raises(PcikitError, match="no such file"):
        choose_source(dump=str(tmp_path / "missing.txt"))
    with pytest.raises(PcikitError, match="use one of"):
        choose_source(dump=str(path), spec=str(path))


def test_no_bus_opens_the_bundled_examples_with_a_banner(tmp_path: Path):
    source = choose_source(sysfs_root=str(tmp_path))
    assert isinstance(source, FilesSource)
    assert f"No PCI bus visible under {tmp_path}" in source.banner
    assert source.load()


def test_bundled_examples_are_current_and_lspci_reads_them():
    assert build.EXAMPLES.read_text() == build.examples_text(), "run: python -m tests.tui_devices"
    lspci = need_lspci()
    result = subprocess.run([lspci, "-F", str(build.EXAMPLES)], capture_output=True, text=True)
    assert result.returncode == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == [s for s, _, _ in build.EXAMPLE_DEVICES]
    assert len(bundled_source("test").load()) >= 1
