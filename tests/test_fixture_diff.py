"""``pcikit diff``: exit status as diff(1) has it (0 same, 1 different, 2 trouble), fields named as JSON names them."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from pcikit.compare import compare_documents
from pcikit.fixture import build, load_spec
from pcikit.fixture.outputs import render_lspci

from .conftest import ROOT

NET = ROOT / "specs" / "virtio-net.toml"


def _diff(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "pcikit", "diff", *args], capture_output=True, text=True, env=env)


def _variant(tmp_path, old: str, new: str, name: str = "variant.toml"):
    text = NET.read_text()
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new))
    return path


def test_a_spec_and_its_own_dump_are_identical(tmp_path):
    dump = tmp_path / "net.txt"
    dump.write_text(render_lspci(build(load_spec(NET))))
    result = _diff(str(NET), str(dump))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.endswith("identical\n")
    assert _diff(str(dump), f"{dump}@00:03.0").returncode == 0


def test_a_changed_register_field_is_named_under_its_capability(tmp_path):
    other = _variant(tmp_path, "table_size = 3, enable = true", "table_size = 3, enable = false")
    result = _diff(str(NET), str(other))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    group = lines.index("capability MSI-X #1 [A 0x098, B 0x098]")
    assert "  fields.message_control.enable: true -> false" in lines[group + 1 :]
    assert not any(line.strip().startswith("fields.message_control.raw") for line in lines)  # the field says it
    assert "  fields.enable: true -> false" in lines  # the summary key the JSON lifts to the top
    assert lines[-1].endswith(" differences")


def test_device_level_differences_and_json(tmp_path):
    other = _variant(tmp_path, "device_id = 0x1041", "device_id = 0x1000")
    result = _diff("--json", str(NET), str(other))
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert document["identical"] is False
    device = next(g for g in document["groups"] if g["group"] == "device")
    assert {"field": "device_id", "a": 0x1041, "b": 0x1000} in device["differences"]


def test_capabilities_on_one_side_only(tmp_path):
    text = NET.read_text()
    cut = text.index('[[capabilities]]\nname = "Vendor Specific"   # VIRTIO_PCI_CAP_PCI_CFG')
    end = text.index("[[capabilities]]", cut + 1)
    other = tmp_path / "fewer.toml"
    other.write_text(text[:cut] + text[end:].replace("offset = 0x70", "offset = 0x84"))
    result = _diff("--json", str(NET), str(other))
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert {"extended": False, "id": 9, "name": "Vendor Specific", "offset": 0x40} in document["only_in_a"]


def test_ignore_layout_skips_offsets_and_pointers(tmp_path):
    moved = _variant(tmp_path, "offset = 0x98\n", "offset = 0xa0\n")
    assert _diff(str(NET), str(moved)).returncode == 1
    result = _diff("--ignore-layout", str(NET), str(moved))
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("args", [
    ("/nonexistent/file.toml", str(NET)),
    (str(NET), "not-a-slot"),
    (str(NET),),
])
def test_errors_exit_2(args):
    assert _diff(*args).returncode == 2


def test_a_dump_with_several_devices_needs_a_slot(tmp_path):
    dump = tmp_path / "two.txt"
    dump.write_text(render_lspci(build(load_spec(NET))) + render_lspci(build(load_spec(ROOT / "specs" / "virtio-blk.toml"))))
    result = _diff(str(dump), str(NET))
    assert result.returncode == 2
    assert "name one as FILE@SLOT" in result.stderr
    assert _diff(f"{dump}@00:03.0", str(NET)).returncode == 0
    assert _diff(f"{dump}@00:04.0", str(NET)).returncode == 1


def test_a_spec_that_does_not_build_is_an_error(tmp_path):
    bad = _variant(tmp_path, "index = 1\nspace", "index = 9\nspace")
    result = _diff(str(bad), str(NET))
    assert result.returncode == 2
    assert "bars[1]: index" in result.stderr


def test_bar_sizes_unknown_on_one_side_are_not_differences():
    spec_doc = {"bars": [{"index": 0, "space": "memory", "address": 0, "bits": 32, "prefetchable": False, "size": 4096}]}
    dump_doc = {"bars": [{"index": 0, "space": "memory", "address": 0, "bits": 32, "prefetchable": False, "size": None}]}
    assert compare_documents(spec_doc, dump_doc).identical
    dump_doc["bars"][0]["size"] = 8192
    assert not compare_documents(spec_doc, dump_doc).identical
