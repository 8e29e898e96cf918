"""lspci dump parsing, following the format rules of pciutils lib/dump.c."""
from __future__ import annotations

import pytest

from pcikit.access.dump import load_dump, parse_dump_text
from pcikit.errors import DumpFormatError

from .conftest import dump_text


def test_device_lines_rows_and_blank_line():
    data = bytes(range(64))
    entries = parse_dump_text(dump_text([("00:01.0", data), ("0001:02:03.4", data[:16])]))
    assert [str(e.address) for e in entries] == ["0000:00:01.0", "0001:02:03.4"]
    assert entries[0].config.size == 64
    assert entries[0].config.read32(0) == 0x03020100
    assert entries[1].config.size == 16


def test_unwritten_bytes_read_all_ones_and_size_is_highest_written():
    entries = parse_dump_text("00:00.0 x\n00: 01 02\n30: aa\n\n")
    cfg = entries[0].config
    assert cfg.size == 0x31
    assert cfg.read8(0x10) == 0xFF
    assert cfg.image()[0x30] == 0xAA and cfg.image()[0x31] == 0xFF


def test_vvv_text_and_foreign_lines_are_ignored():
    text = "junk line\n00:1f.3 Audio device: X\n\tControl: I/O+\n00: 86 80 00 00\n\n"
    entries = parse_dump_text(text)
    assert entries[0].config.read16(0) == 0x8086


def test_bare_slot_without_space_is_not_a_device():
    assert parse_dump_text("00:01.0\n00: 01\n\n") == []


def test_extended_rows_grow_to_4096():
    entries = parse_dump_text("00:00.0 x\nffc: 01 02 03 04\n\n")
    assert entries[0].config.size == 4096
    assert entries[0].config.read32(0xFFC) == 0x04030201


@pytest.mark.parametrize(
    "text, message",
    [
        ("00:00.0 x\n00: 0g\n\n", "malformed hex row"),
        ("00:00.0 x\n00: 01 02", "not terminated"),
        ("00:00.0 x\n1000: 01\n\n", "4096"),
        ("00:00.0 x\n00: " + "00 " * 90 + "\n\n", "longer than"),
    ],
)
def test_errors_name_file_and_line(text, message):
    with pytest.raises(DumpFormatError) as info:
        parse_dump_text(text, "f.txt")
    assert message in str(info.value)
    assert str(info.value).startswith("f.txt:")


def test_raw_images_and_directories(tmp_path):
    (tmp_path / "0000:00:02.0.config.bin").write_bytes(b"\x86\x80\x11\x22" + b"\x00" * 60)
    (tmp_path / "zz.bin").write_bytes(b"\xf4\x1a" + b"\x00" * 254)
    entries = load_dump(tmp_path)
    assert str(entries[0].address) == "0000:00:02.0"
    assert entries[0].config.read16(2) == 0x2211
    assert entries[1].config.size == 256


def test_oversized_image_is_refused(tmp_path):
    path = tmp_path / "big.bin"
    path.write_bytes(b"\x00" * 5000)
    with pytest.raises(DumpFormatError):
        load_dump(path)
