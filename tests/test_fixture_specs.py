"""The shipped specs: they build, the real lspci reads what they build, fixtures/ is current.

Expectations come from the specs themselves and from lspci (pciutils 3.9.0): the
capability names below are the strings ls-caps.c and ls-ecaps.c print.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pcikit.fixture import build, load_spec
from pcikit.fixture.outputs import FORMATS, file_names, render_c, render_json, render_lspci, write_outputs

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.toml"))
FIXTURES = ROOT / "fixtures"
LSPCI = shutil.which("lspci")
GCC = shutil.which("gcc") or shutil.which("cc")

# How lspci 3.9.0 starts the line of each capability (ls-caps.c, ls-ecaps.c).
LSPCI_STANDARD = {
    0x01: "Power Management version",
    0x05: "MSI: Enable",
    0x09: "Vendor Specific Information",
    0x0D: "Subsystem:",
    0x10: "Express (v",
    0x11: "MSI-X: Enable",
}
LSPCI_EXTENDED = {
    0x01: "Advanced Error Reporting",
    0x03: "Device Serial Number",
    0x0D: "Access Control Services",
    0x0E: "Alternative Routing-ID Interpretation (ARI)",
    0x0F: "Address Translation Service (ATS)",
    0x10: "Single Root I/O Virtualization (SR-IOV)",
    0x15: "Physical Resizable BAR",
    0x18: "Latency Tolerance Reporting",
    0x1D: "Downstream Port Containment",
    0x1E: "L1 PM Substates",
}
REQUIRED = {
    "virtio-net": {"standard": {0x11, 0x09}},
    "virtio-blk": {"standard": {0x11, 0x09}},
    "nvme-ssd": {"standard": {0x10, 0x11}, "extended": {0x01, 0x03, 0x18, 0x1E}},
    "sriov-nic": {"standard": {0x10, 0x11}, "extended": {0x10, 0x0E, 0x0D, 0x0F}},
    "pcie-root-port": {"standard": {0x10}, "extended": {0x01, 0x1D, 0x0D}},
    "gpu-rebar": {"standard": {0x10}, "extended": {0x15}},
    "legacy-pci": {"standard": set()},
}


@pytest.fixture(scope="module", params=SPECS, ids=lambda p: p.stem)
def built(request):
    return build(load_spec(request.param))


def test_every_kind_the_issue_asks_for_is_shipped():
    assert {p.stem for p in SPECS} >= set(REQUIRED)


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_specs_declare_the_capabilities_their_device_needs(name):
    spec = load_spec(ROOT / "specs" / f"{name}.toml")
    wanted = REQUIRED[name]
    assert wanted.get("standard", set()) <= {c.cap_id for c in spec.capabilities}
    assert wanted.get("extended", set()) <= {c.cap_id for c in spec.extended_capabilities}


def test_legacy_device_has_intx_and_no_msi():
    spec = load_spec(ROOT / "specs" / "legacy-pci.toml")
    assert spec.interrupt_pin == 1
    assert not {c.cap_id for c in spec.capabilities} & {0x05, 0x11}


def test_root_port_slot_and_gpu_rebar_fields():
    port = build(load_spec(ROOT / "specs" / "pcie-root-port.toml")).device()
    express = port.find_capability(0x10)
    assert express.fields.pcie_capabilities.slot_implemented
    assert express.fields.pcie_capabilities.device_port_type == 4  # Root Port
    aer = port.find_capability(0x01, extended=True)
    assert aer.fields.root is not None
    gpu = build(load_spec(ROOT / "specs" / "gpu-rebar.toml")).device()
    assert gpu.find_capability(0x15, extended=True) is not None


def _lspci(path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, LC_ALL="C")
    return subprocess.run([LSPCI, "-F", str(path), "-vvv"], capture_output=True, text=True, env=env)


@pytest.mark.skipif(LSPCI is None, reason="lspci (pciutils) is not installed")
def test_real_lspci_reads_the_lspci_output_and_shows_declared_capabilities(built, tmp_path):
    path = tmp_path / "dump.lspci.txt"
    path.write_text(render_lspci(built))
    result = _lspci(path)
    assert result.returncode == 0
    assert "dump:" not in result.stderr  # lspci complains about malformed dumps this way
    text = result.stdout
    assert text.startswith(built.spec.slot.short + " ")
    for item in built.capabilities:
        label = LSPCI_STANDARD.get(item.cap.cap_id)
        assert f"\tCapabilities: [{item.offset:02x}] {label}" in text
    for item in built.extended_capabilities:
        label = LSPCI_EXTENDED[item.cap.cap_id]
        assert f"\tCapabilities: [{item.offset:03x} v{item.cap.version}] {label}" in text
    for bar in built.spec.bars:
        kind = "I/O ports at" if bar.space == "io" else "Memory at"
        assert f"\tRegion {bar.index}: {kind} {bar.address:x}" in text


@pytest.mark.skipif(LSPCI is None, reason="lspci (pciutils) is not installed")
def test_lspci_sees_the_config_bytes_the_bin_output_holds(built, tmp_path):
    """The raw image and the text dump carry the same bytes: lspci -xxxx of one is the other."""
    path = tmp_path / "dump.lspci.txt"
    path.write_text(render_lspci(built))
    hexdump = subprocess.run([LSPCI, "-F", str(path), "-xxxx"], capture_output=True, text=True).stdout
    rows = [line.split(": ", 1)[1] for line in hexdump.splitlines() if re.match(r"^[0-9a-f]{2,3}: ", line)]
    data = bytes.fromhex(" ".join(rows))
    assert data[: len(built.config)] == built.config


def test_identity_and_bars_land_where_the_pci_spec_puts_them(built):
    spec, config = built.spec, built.config
    assert int.from_bytes(config[0:2], "little") == spec.vendor_id
    assert int.from_bytes(config[2:4], "little") == spec.device_id
    assert config[8] == spec.revision
    assert int.from_bytes(config[9:12], "little") == spec.class_code
    assert config[0x3D] == spec.interrupt_pin
    for bar in spec.bars:
        low = int.from_bytes(config[0x10 + 4 * bar.index : 0x14 + 4 * bar.index], "little")
        if bar.space == "io":
            assert low & 1 == 1 and low & ~3 == bar.address
        else:
            assert low & 1 == 0 and (low >> 1) & 3 == (2 if bar.bits == 64 else 0)
            assert bool(low & 8) == bar.prefetchable


def test_msix_bar_images_hold_table_and_pba(built):
    spec = built.spec
    msix = [c for c in spec.capabilities if c.cap_id == 0x11]
    if not msix:
        assert built.bar_images == {}
        return
    device = built.device()
    cap = device.find_capability(0x11)
    control = int.from_bytes(built.config[cap.offset + 2 : cap.offset + 4], "little")
    table_dword = int.from_bytes(built.config[cap.offset + 4 : cap.offset + 8], "little")
    count = (control & 0x7FF) + 1
    image = built.bar_images[table_dword & 7]
    programmed = {v["vector"]: v for v in msix[0].vectors}
    for vector in range(count):
        entry = image[(table_dword & ~7) + 16 * vector :][:16]
        address = int.from_bytes(entry[0:8], "little")
        data = int.from_bytes(entry[8:12], "little")
        masked = int.from_bytes(entry[12:16], "little") & 1
        wanted = programmed.get(vector, {"address": 0, "data": 0, "masked": True})
        assert (address, data, bool(masked)) == (wanted["address"], wanted["data"], wanted["masked"])
    bar = spec.bar(table_dword & 7)
    assert len(image) == bar.size


def test_outputs_are_deterministic(built):
    again = build(load_spec(built.spec.path))
    assert again.config == built.config and again.bar_images == built.bar_images
    assert render_lspci(again) == render_lspci(built)
    assert render_c(again) == render_c(built)
    assert render_json(again) == render_json(built)


def test_json_output_is_the_show_json_document(built):
    """JSON capabilities and IDs are those of the built device, as render.json prints them."""
    document = json.loads(render_json(built))
    assert len(document) == 1
    entry = document[0]
    assert entry["vendor_id"] == built.spec.vendor_id and entry["device_id"] == built.spec.device_id
    assert [c["offset"] for c in entry["capabilities"]] == [p.offset for p in built.capabilities]
    assert [c["id"] for c in entry["extended_capabilities"]] == [p.cap.cap_id for p in built.extended_capabilities]
    sizes = {b["index"]: b["size"] for b in entry["bars"]}
    assert sizes == {b.index: b.size for b in built.spec.bars}
    msix = [c for c in built.spec.capabilities if c.cap_id == 0x11]
    if msix:  # the BAR images are read back through pcikit's MSI-X table reader
        given = {v["vector"]: v for v in msix[0].vectors}
        reset = {"address": 0, "data": 0, "masked": True, "pending": False}
        for row in entry["msix_table"]:
            wanted = {**reset, **given.get(row["vector"], {})}
            assert {k: row[k] for k in reset} == {k: wanted[k] for k in reset}


@pytest.mark.skipif(GCC is None, reason="no C compiler")
def test_c_header_compiles_and_holds_the_image(built, tmp_path):
    header = tmp_path / "fixture.h"
    header.write_text(render_c(built))
    prefix = re.sub(r"[^A-Za-z0-9]+", "_", built.spec.stem).upper()
    array = prefix.lower() + "_config"
    program = tmp_path / "main.c"
    program.write_text(
        '#include <stdio.h>\n#include "fixture.h"\n'
        f"int main(void) {{ for (unsigned i = 0; i < sizeof {array}; i++) printf(\"%02x\", {array}[i]);\n"
        f' printf(" %d\\n", {prefix}_CONFIG_SIZE); return 0; }}\n'
    )
    binary = tmp_path / "main"
    subprocess.run([GCC, "-std=c99", "-Wall", "-Werror", "-o", str(binary), str(program)], check=True, cwd=tmp_path)
    output = subprocess.run([str(binary)], capture_output=True, text=True, check=True).stdout.split()
    assert bytes.fromhex(output[0]) == built.config
    assert int(output[1]) == len(built.config)
    text = header.read_text()
    for item in built.capabilities:
        assert f" 0x{item.offset:03x}" in text


REGENERATE = "python -m pcikit fixture build specs/*.toml -o fixtures/ --format all"


def test_fixtures_folder_is_current(tmp_path):
    """``python -m pcikit fixture build specs/*.toml -o fixtures/ --format all`` reproduces fixtures/."""
    result = subprocess.run(
        [sys.executable, "-m", "pcikit", "fixture", "build", *map(str, SPECS), "-o", str(tmp_path), "--format", "all"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    for spec_path in SPECS:
        fixture = build(load_spec(spec_path))
        for fmt in FORMATS:
            for name in file_names(fixture, fmt):
                fresh = (tmp_path / name).read_bytes()
                kept = FIXTURES / name
                assert kept.is_file(), f"fixtures/{name} is missing: run {REGENERATE}"
                assert kept.read_bytes() == fresh, f"fixtures/{name} is stale: run {REGENERATE}"


def test_write_outputs_names(built, tmp_path):
    paths = write_outputs(built, str(tmp_path), FORMATS)
    names = [os.path.basename(p) for p in paths]
    assert any("config" in n for n in names)
    assert all(f"bar{i}" in " ".join(names) for i in built.bar_images)
