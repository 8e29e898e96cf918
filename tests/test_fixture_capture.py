"""Capture -> spec -> build over every device of the corpus: byte for byte, and lspci agrees.

Each capture goes through its TOML text (what ``pcikit fixture capture`` writes)
and is built again from that text. The expectation is the original bytes; the
second check is the real lspci showing the rebuilt dump exactly as the original.

Excluded (malformed originals): functions that read all ones (vendor 0xffff,
header type 0x7f) -- an absent device, not one a spec can describe. The corpus
has four, all under odd/; ``EXCLUDED`` lists them and the test fails if any
other device cannot be captured.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pcikit import from_bytes
from pcikit.fixture import build, load_spec, loads_spec
from pcikit.fixture.anonymize import placeholder_serial
from pcikit.fixture.capture import CaptureError, capture_device
from pcikit.fixture.outputs import render_lspci, write_outputs
from pcikit.offline import dump_devices

from . import oracle
from .conftest import CORPUS, ROOT, lspci_path

EXCLUDED = {
    ("gh-latitude-e6430-dgpu.txt", "0000:01:00.1"),
    ("linux-pci-20190521-pci-save-the-boot-pcie-link-speed-an.txt", "0000:01:00.0"),
    ("linux-pci-20240226-bug-report-delayed-wake-from-suspend.txt", "0000:2f:00.0"),
    ("linux-pci-20250310-pci-hotplug-event-pcie-plda-device-b.txt", "0000:01:00.0"),
}
EXCLUDED_REASON = "reads all ones (vendor ID 0xffff)"
FILES = oracle.corpus_files()
SEEN_EXCLUDED: set[tuple[str, str]] = set()


def _lspci_blocks(path: Path) -> dict[str, str]:
    """lspci -D -vvv of a dump, one block per device, keyed by slot."""
    env = dict(os.environ, LC_ALL="C")
    result = subprocess.run([lspci_path(), "-F", str(path), "-D", "-vvv"], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    blocks = [b for b in result.stdout.split("\n\n") if b.strip()]
    return {block.split(" ", 1)[0]: block for block in blocks}


def _round_trip(path: Path, tmp_path: Path) -> list[str]:
    """Capture, rebuild and compare every device of one file; return the rebuilt slots."""
    rebuilt = []
    for device in dump_devices(path):
        try:
            capture = capture_device(device)
        except CaptureError as exc:
            assert EXCLUDED_REASON in str(exc), str(exc)
            SEEN_EXCLUDED.add((path.name, str(device.address)))
            continue
        spec = loads_spec(capture.toml(str(path)), f"{path.name}@{device.address}")
        fixture = build(spec)
        original = device.config.read_block(0, device.config.size)
        assert fixture.config == original, f"{path.name} {device.address}: rebuilt bytes differ"
        rebuilt.append(fixture)
    dump = tmp_path / "rebuilt.txt"
    dump.write_text("".join(render_lspci(f) for f in rebuilt))
    return [str(f.spec.slot) for f in rebuilt]


@pytest.mark.parametrize("path", FILES or [None], ids=lambda p: f"{p.parent.name}/{p.name}" if p else "corpus")
def test_capture_rebuilds_the_corpus_exactly(path, tmp_path):
    if path is None:
        pytest.skip(f"corpus not found at {CORPUS}")
    slots = _round_trip(path, tmp_path)
    if lspci_path() is None:
        pytest.skip("lspci (Debian pciutils) is not installed: bytes checked, lspci view not")
    original = _lspci_blocks(path)
    rebuilt = _lspci_blocks(tmp_path / "rebuilt.txt")
    assert sorted(rebuilt) == sorted(slots)
    for slot in slots:
        assert rebuilt[slot] == original[slot], f"{path.name} {slot}: lspci shows the rebuilt device differently"


def test_only_malformed_devices_are_excluded():
    """Runs after the corpus round trip: the exclusions seen are exactly the known all-ones reads."""
    if not FILES:
        pytest.skip(f"corpus not found at {CORPUS}")
    if not SEEN_EXCLUDED:
        for path in FILES:
            for device in dump_devices(path):
                if device.vendor_id == 0xFFFF:
                    SEEN_EXCLUDED.add((path.name, str(device.address)))
    assert SEEN_EXCLUDED == EXCLUDED


def _nvme_like() -> bytes:
    """The shipped NVMe spec's image: it has a Device Serial Number."""
    return build(load_spec(ROOT / "specs" / "nvme-ssd.toml")).config


def test_anonymize_replaces_the_serial_number_by_a_stable_placeholder():
    device = from_bytes(_nvme_like(), "0000:01:00.0")
    dsn = device.find_capability(0x03, extended=True)
    serial = int.from_bytes(device.image[dsn.offset + 4 : dsn.offset + 12], "little")
    plain = capture_device(device).document
    text = capture_device(device, anonymize=True).toml()
    original = next(c for c in plain["extended_capabilities"] if c["id"] == 0x03)["fields"]
    assert original == {"serial_number_lower": serial & 0xFFFFFFFF, "serial_number_upper": serial >> 32}
    for part in (serial & 0xFFFFFFFF, serial >> 32):
        assert f"0x{part:x}" not in text and str(part) not in text
    rebuilt = build(loads_spec(text)).device()
    cap = rebuilt.find_capability(0x03, extended=True)
    assert cap.fields.serial_number == placeholder_serial(device.address)
    assert capture_device(device, anonymize=True).toml() == text  # stable


def test_anonymize_clears_the_vpd_data_register():
    config = bytearray(256)
    config[0:4] = bytes.fromhex("86801015")
    config[6] = 0x10  # capabilities list
    config[0x0B] = 0x02
    config[0x34] = 0x40
    config[0x40:0x48] = bytes.fromhex("0300 0880 53 4e 31 32")  # VPD: address 0x0008 (flag set), data "SN12"
    device = from_bytes(bytes(config))
    hidden = build(loads_spec(capture_device(device, anonymize=True).toml())).config
    assert hidden[0x44:0x48] == bytes(4)
    assert hidden[0x42:0x44] == config[0x42:0x44]


def test_capture_keeps_named_fields(tmp_path):
    """A capture reads like the spec it came from: registers by name, not hex."""
    device = from_bytes(_nvme_like(), "0000:01:00.0")
    document = capture_device(device).document
    express = next(c for c in document["capabilities"] if c["id"] == 0x10)
    assert express["fields"]["link_capabilities"]["max_link_speed"] == 4
    assert "hex" not in express
    assert "raw" not in document


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "pcikit", *args], capture_output=True, text=True, env=env, cwd=ROOT)


def test_cli_capture_from_a_dump(tmp_path):
    dump = tmp_path / "nvme.txt"
    dump.write_text(render_lspci(build(load_spec(ROOT / "specs" / "nvme-ssd.toml"))))
    out = tmp_path / "captured" / "nvme.toml"
    result = _cli("fixture", "capture", "-F", str(dump), "-s", "01:00.0", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert build(load_spec(out)).config == dump_devices(dump)[0].config.read_block(0, 4096)
    assert _cli("fixture", "capture", "-F", str(dump), "-s", "02:00.0", "-o", str(out)).returncode == 1
    assert _cli("fixture", "capture", "-F", str(dump), "-o", str(out)).returncode == 2
    assert _cli("fixture", "capture", "-s", "01:00.0").returncode == 2


def test_cli_build_reports_every_spec_problem_and_writes_the_good_ones(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("vendor_id = 1\ndevice_id = 2\nclass_code = 3\n[[bars]]\nindex = 5\nbits = 64\n")
    result = _cli("fixture", "build", str(bad), str(ROOT / "specs" / "legacy-pci.toml"), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert f"pcikit: {bad}: bars[1]: bits: a 64-bit BAR needs two slots" in result.stderr
    assert (tmp_path / "out" / "legacy-pci.config.bin").is_file()
    assert not (tmp_path / "out" / "bad.config.bin").exists()
    assert _cli("fixture", "build", str(bad), "-o", str(tmp_path), "--format", "pdf").returncode == 2
    assert _cli("fixture", "check", str(ROOT / "specs" / "virtio-net.toml")).returncode == 0


def test_captured_fixtures_of_this_machine_build():
    """fixtures/captured holds this machine's virtio devices as captured specs."""
    captured = sorted((ROOT / "fixtures" / "captured").glob("*.toml"))
    assert captured
    for path in captured:
        device = build(load_spec(path)).device()
        assert device.vendor_id == 0x1AF4


@pytest.mark.live
def test_live_virtio_devices_round_trip():
    from pcikit.sources import has_live_bus, live_devices

    if not has_live_bus():
        pytest.skip("no /sys/bus/pci on this machine")
    devices = [d for d in live_devices() if d.vendor_id == 0x1AF4]
    if not devices:
        pytest.skip("no virtio devices on this machine")
    for device in devices:
        if device.config.size < 64:
            continue
        text = capture_device(device).toml("live")
        assert build(loads_spec(text)).config == device.config.read_block(0, device.config.size)


def _vpd_image(serial: bytes) -> bytes:
    """VPD contents: an identifier string, VPD-R with PN, SN and a valid RV checksum, the end tag."""
    def large(tag: int, body: bytes) -> bytes:
        return bytes([tag]) + len(body).to_bytes(2, "little") + body

    def keyword(name: bytes, value: bytes) -> bytes:
        return name + bytes([len(value)]) + value

    body = keyword(b"PN", b"X710-DA2") + keyword(b"SN", serial)
    head = large(0x82, b"Example NIC") + bytes([0x90]) + (len(body) + 4).to_bytes(2, "little") + body + b"RV\x01"
    return head + bytes([-sum(head) & 0xFF]) + b"\x78"


def _fake_sysfs(root: Path, config: bytes, vpd: bytes) -> None:
    device = root / "bus" / "pci" / "devices" / "0000:00:05.0"
    device.mkdir(parents=True)
    (device / "config").write_bytes(config)
    (device / "vpd").write_bytes(vpd)


def test_capture_keeps_vpd_contents_and_anonymize_replaces_the_serial(tmp_path):
    from pcikit.schema.caps.vpd import parse_vpd

    config = bytearray(256)
    config[0:4] = bytes.fromhex("86807215")
    config[6] = 0x10
    config[0x0B] = 0x02
    config[0x34] = 0x40
    config[0x40] = 0x03  # VPD capability, last in the list
    _fake_sysfs(tmp_path / "sys", bytes(config), _vpd_image(b"A1B2C3D4E5F6"))
    out = tmp_path / "nic.toml"
    result = _cli("fixture", "capture", "--sysfs-root", str(tmp_path / "sys"), "-s", "00:05.0", "-o", str(out), "--anonymize")
    assert result.returncode == 0, result.stderr
    assert "A1B2C3D4E5F6" not in out.read_text() and "a1b2c3d4e5f6" not in out.read_text().replace(" ", "")
    fixture = build(load_spec(out))
    assert fixture.config == bytes(config)
    parsed = parse_vpd(fixture.spec.vpd)
    keywords = {k.keyword: k for k in parsed.resources[1].keywords}
    assert keywords["SN"].value == b"PCIKIT00050"[:12].ljust(12, b"0")
    assert keywords["PN"].value == b"X710-DA2"
    assert keywords["RV"].checksum_valid
    vpd_cap = fixture.device().find_capability(0x03)
    assert vpd_cap.fields.vpd.resources[1].keywords[1].text.startswith("PCIKIT")
    written = write_outputs(fixture, str(tmp_path / "out"), ("bin",))
    assert (tmp_path / "out" / "nic.vpd.bin").read_bytes() == fixture.spec.vpd
    assert len(written) == 2
    plain = tmp_path / "plain.toml"
    assert _cli("fixture", "capture", "--sysfs-root", str(tmp_path / "sys"), "-s", "00:05.0", "-o", str(plain)).returncode == 0
    assert parse_vpd(build(load_spec(plain)).spec.vpd).resources[1].keywords[1].value == b"A1B2C3D4E5F6"


def test_captures_of_damaged_devices_rebuild_exactly_or_refuse():
    """Random byte damage to the shipped specs' images: every capture rebuilds exactly or raises CaptureError."""
    import random

    from pcikit.access.memory import BytesConfig
    from pcikit.model import Device

    seeds = [build(load_spec(p)).config for p in sorted((ROOT / "specs").glob("*.toml"))]
    rng = random.Random(6)
    for _ in range(150):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(0x04, len(data))] = rng.choice([0x00, 0xFF, 0x40, 0x10, 0x11, rng.randrange(256)])
        device = Device(from_bytes(bytes(data)).address, BytesConfig(bytes(data)))
        try:
            text = capture_device(device).toml()
        except CaptureError:
            continue
        assert build(loads_spec(text)).config == bytes(data)
