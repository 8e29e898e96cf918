"""The command line: exit statuses, one-line errors, no tracebacks, lspci-compatible options."""
from __future__ import annotations

import json

import pytest

from .conftest import dump_text, need_lspci, put, run_cli


def _dump(tmp_path, devices=None):
    data = bytearray(64)
    put(data, 0, 2, 0x8086)
    put(data, 2, 2, 0x100E)
    put(data, 0x0A, 2, 0x0200)
    path = tmp_path / "d.txt"
    path.write_text(dump_text(devices or [("00:03.0", bytes(data)), ("00:1f.0", bytes(data))]))
    return path


def test_list_and_filters(tmp_path):
    path = _dump(tmp_path)
    result = run_cli("list", "-F", str(path), "-n")
    assert result.returncode == 0
    assert result.stdout.splitlines() == ["00:03.0 0200: 8086:100e", "00:1f.0 0200: 8086:100e"]
    assert run_cli("list", "-F", str(path), "-n", "-s", "1f").stdout.startswith("00:1f.0")


@pytest.mark.parametrize(
    "args, status, words",
    [
        (["list", "-s", "09:"], 1, "no device matches"),
        (["list", "-s", "zz;"], 2, "invalid slot filter"),
        (["list", "-d", "nope"], 2, "invalid ID filter"),
        (["show", "--format", "yaml"], 2, "invalid choice"),
    ],
)
def test_errors_are_one_line(tmp_path, args, status, words):
    result = run_cli(*args, "-F", str(_dump(tmp_path)))
    assert result.returncode == status
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_and_malformed_files(tmp_path):
    result = run_cli("show", "-F", str(tmp_path / "absent.txt"))
    assert result.returncode == 2 and "absent.txt" in result.stderr and "Traceback" not in result.stderr
    bad = tmp_path / "bad.txt"
    bad.write_text("00:00.0 x\n00: 0q\n\n")
    result = run_cli("show", "-F", str(bad))
    assert result.returncode == 2 and "bad.txt:2:" in result.stderr


def test_json_contract(tmp_path):
    data = bytearray(256)
    put(data, 0, 2, 0x1AF4)
    put(data, 2, 2, 0x1041)
    put(data, 4, 2, 0x0406)
    put(data, 6, 2, 0x0010)
    data[8] = 0x01
    put(data, 0x09, 3, 0x020000)
    put(data, 0x10, 4, 0x0000000C)  # 64-bit prefetchable memory BAR
    put(data, 0x14, 4, 0x00000040)
    put(data, 0x2C, 2, 0x1AF4)
    put(data, 0x2E, 2, 0x1100)
    data[0x34] = 0x98
    data[0x3C], data[0x3D] = 0x0B, 0x01
    data[0x98], data[0x99] = 0x11, 0x00
    put(data, 0x9A, 2, 0x8002)  # MSI-X enabled, 3 vectors
    put(data, 0x9C, 4, 0x00008000)
    put(data, 0xA0, 4, 0x00048001)
    path = tmp_path / "j.txt"
    path.write_text(dump_text([("00:03.0", bytes(data))]))
    doc = json.loads(run_cli("show", "--json", "-F", str(path)).stdout)[0]
    assert doc["slot"] == "0000:00:03.0"
    assert (doc["vendor_id"], doc["device_id"], doc["revision"], doc["class_code"]) == (0x1AF4, 0x1041, 1, 0x020000)
    assert (doc["subsystem_vendor_id"], doc["subsystem_id"]) == (0x1AF4, 0x1100)
    assert doc["header_type"] == 0 and doc["multifunction"] is False and doc["config_size"] == 256
    assert doc["command"]["memory_space"] and doc["command"]["bus_master"] and doc["command"]["interrupt_disable"]
    assert doc["status"]["capabilities_list"]
    assert doc["interrupt"] == {"pin": "INTA", "line": 11}
    assert doc["bars"] == [
        {"index": 0, "space": "memory", "address": 0x40_0000_0000, "bits": 64, "prefetchable": True, "size": None}
    ]
    msix = doc["capabilities"][0]
    assert (msix["offset"], msix["id"], msix["name"]) == (0x98, 0x11, "MSI-X")
    fields = msix["fields"]
    assert (fields["enable"], fields["function_mask"], fields["table_size"]) == (True, False, 3)
    assert (fields["table_bir"], fields["table_offset"], fields["pba_bir"], fields["pba_offset"]) == (0, 0x8000, 1, 0x48000)
    assert doc["extended_capabilities"] == [] and doc["problems"] == []
    assert set(doc["names"]) == {"vendor", "device", "subsystem", "class"}


def test_dump_reads_back_in_lspci(tmp_path):
    lspci = need_lspci()
    import subprocess

    path = _dump(tmp_path)
    out = tmp_path / "again.txt"
    out.write_text(run_cli("dump", "-xxx", "-F", str(path)).stdout)
    expected = subprocess.run([lspci, "-F", str(path), "-x"], capture_output=True, text=True).stdout
    assert subprocess.run([lspci, "-F", str(out), "-x"], capture_output=True, text=True).stdout == expected


def test_binary_images_round_trip(tmp_path):
    path = _dump(tmp_path)
    folder = tmp_path / "img"
    assert run_cli("dump", "--binary", str(folder), "-F", str(path)).returncode == 0
    again = run_cli("list", "-n", "-F", str(folder)).stdout
    assert again == run_cli("list", "-n", "-F", str(path)).stdout


def test_python_m_and_help():
    assert run_cli("--help").returncode == 0
    assert run_cli("--version").stdout.startswith("pcikit")


def test_show_reads_msix_table_from_a_bar_file(tmp_path):
    data = bytearray(256)
    put(data, 0, 4, 0x10411AF4)
    put(data, 4, 2, 0x0406)
    put(data, 6, 2, 0x0010)
    put(data, 0x10, 4, 0xFE000000)  # 32-bit memory BAR 0
    data[0x34] = 0x40
    data[0x40], data[0x41] = 0x11, 0x00
    put(data, 0x42, 2, 0x8001)  # enabled, 2 vectors
    put(data, 0x44, 4, 0x00000000)  # table: BAR 0 + 0
    put(data, 0x48, 4, 0x00000800)  # PBA: BAR 0 + 0x800
    dump = tmp_path / "m.txt"
    dump.write_text(dump_text([("00:04.0", bytes(data))]))
    bar = bytearray(0x1000)
    put(bar, 0x00, 8, 0xFEE0_1000)     # vector 0 address
    put(bar, 0x08, 4, 0x41)             # data
    put(bar, 0x0C, 4, 0)                # unmasked
    put(bar, 0x10, 8, 0x1_FEE0_2000)   # vector 1: 64-bit address
    put(bar, 0x18, 4, 0x42)
    put(bar, 0x1C, 4, 1)                # masked
    put(bar, 0x800, 8, 0b10)            # vector 1 pending
    (tmp_path / "bar0.bin").write_bytes(bytes(bar))
    result = run_cli("show", "--json", "-F", str(dump), "--bar", f"0={tmp_path / 'bar0.bin'}")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)[0]
    assert doc["msix_table"] == [
        {"vector": 0, "address": 0xFEE01000, "data": 0x41, "masked": False, "pending": False},
        {"vector": 1, "address": 0x1FEE02000, "data": 0x42, "masked": True, "pending": True},
    ]
    assert doc["pba"] == [False, True]
    text = run_cli("show", "-v", "-F", str(dump), "--bar", f"0={tmp_path / 'bar0.bin'}").stdout
    assert "2 read, 1 masked, 1 pending" in text
