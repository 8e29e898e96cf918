"""Health checks on corpus dumps with planted faults, on a fabricated sysfs tree, and live."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import pcikit
from pcikit.health import check_devices
from pcikit.health.watch import LinkState, changes, link_states, transition_findings, watch

from .conftest import dump_text, need_corpus, put, run_cli
from .health_images import ENDPOINT, ROOT_PORT, add_msix, function

HOST = "real/gh-huananzhi-x99-bd4.txt"  # 86 functions, root ports and switches, no fault


def _corpus_host() -> list:
    return pcikit.load_dump(str(need_corpus() / HOST))


def _images(devices) -> list[tuple[str, bytearray]]:
    return [(str(d.address), bytearray(d.config.read_block(0, d.config.size))) for d in devices]


def _exp(image: bytes) -> int:
    """Offset of the PCI Express capability, found by walking the list by hand (PCIe 7.5.1.1.11)."""
    pointer = image[0x34]
    while pointer:
        if image[pointer] == 0x10:
            return pointer
        pointer = image[pointer + 1]
    raise AssertionError("no PCI Express capability")


def _recheck(tmp_path, images) -> list:
    path = tmp_path / "planted.txt"
    path.write_text(dump_text(images))
    return check_devices(pcikit.load_dump(str(path)))


def test_corpus_host_is_healthy_and_gen4_card_in_gen3_port_is_not_flagged():
    devices = _corpus_host()
    assert check_devices(devices) == []
    # 03:00.0 supports 16 GT/s but its root port 00:02.0 only 8 GT/s (Link Capabilities): healthy.
    card = next(d for d in devices if str(d.address) == "0000:03:00.0")
    image = card.config.read_block(0, 256)
    assert image[_exp(image) + 0x0C] & 0xF == 4 and image[_exp(image) + 0x12] & 0xF == 3


def test_planted_faults_are_found(tmp_path):
    images = _images(_corpus_host())
    by_slot = dict(images)
    card = by_slot["0000:03:00.0"]
    status = _exp(card) + 0x12
    put(card, status, 2, (card[status] | card[status + 1] << 8) & ~0x3F0 | 4 << 4)  # x8 -> x4
    nvme = by_slot["0000:05:00.0"]  # AER at 0x150: plant Surprise Down (bit 5), severity fatal
    put(nvme, 0x150 + 0x04, 4, 1 << 5)
    put(nvme, 0x150 + 0x0C, 4, 1 << 5)
    by_slot["0000:08:00.0"][:] = b"\xff" * len(by_slot["0000:08:00.0"])
    found = {(f.slot, f.check, f.severity, f.actual) for f in _recheck(tmp_path, images)}
    assert found == {
        ("0000:03:00.0", "link-width", "warning", "x4"),
        ("0000:05:00.0", "aer", "error", "surprise_down_error"),
        ("0000:08:00.0", "unreachable", "error", "vendor ID 0xffff"),
    }


def test_dropping_the_port_turns_the_verdict_into_info(tmp_path):
    images = [(s, i) for s, i in _images(_corpus_host()) if s != "0000:00:02.0"]
    found = [(f.slot, f.check, f.severity) for f in _recheck(tmp_path, images) if f.slot == "0000:03:00.0"]
    assert found == [("0000:03:00.0", "link-speed", "info")]  # alone it looks like 8 of 16 GT/s


def _sysfs(root: Path, functions: dict[str, bytes]) -> Path:
    for slot, config in functions.items():
        folder = root / "bus" / "pci" / "devices" / slot
        folder.mkdir(parents=True)
        (folder / "config").write_bytes(bytes(config))
    return root


def test_live_aer_counters(tmp_path):
    root = _sysfs(tmp_path, {"0000:01:00.0": function(ENDPOINT, 4, 3, 4, 3)})
    folder = root / "bus/pci/devices/0000:01:00.0"
    (folder / "aer_dev_fatal").write_text("Undefined 0\nDLP 0\nSDES 2\nTOTAL_ERR_FATAL 2\n")
    (folder / "aer_dev_nonfatal").write_text("Undefined 0\nTOTAL_ERR_NONFATAL 0\n")
    (folder / "aer_dev_correctable").write_text("RxErr 7\nBadTLP 1\nTOTAL_ERR_COR 8\n")
    found = check_devices(pcikit.devices(str(root)), sysfs_root=str(root), checks=["aer"])
    assert [(f.severity, f.actual) for f in found] == [("error", "2"), ("info", "8")]
    assert "SDES 2" in found[0].message and "RxErr 7, BadTLP 1" in found[1].message
    result = run_cli("health", "--sysfs-root", str(root), "--json")
    assert result.returncode == 1 and len(json.loads(result.stdout)) == 2


@pytest.mark.skipif(os.geteuid() != 0, reason="mapping resourceN needs root")
@pytest.mark.parametrize("function_mask, vector_masks, expected", [
    (True, [0, 0], "Function Mask set"),
    (False, [1, 1], "every vector masked"),
    (False, [1, 0], None),
])
def test_live_msix_masked_with_kernel_irqs(tmp_path, function_mask, vector_masks, expected):
    config = add_msix(function(ENDPOINT, 4, 3, 4, 3), enable=True, function_mask=function_mask,
                      table_size=len(vector_masks))
    root = _sysfs(tmp_path, {"0000:01:00.0": config})
    folder = root / "bus/pci/devices/0000:01:00.0"
    (folder / "msi_irqs").mkdir()
    (folder / "msi_irqs" / "40").write_text("msix\n")
    (folder / "msi_irqs" / "41").write_text("msix\n")
    table = bytearray(0x1000)
    for vector, mask in enumerate(vector_masks):
        put(table, vector * 16 + 12, 4, mask)
    (folder / "resource0").write_bytes(bytes(table))
    found = check_devices(pcikit.devices(str(root)), sysfs_root=str(root), checks=["msix"])
    assert [f.actual for f in found] == ([expected] if expected else [])


def test_watch_reports_transitions():
    port = ("00:01.0", function(ROOT_PORT, 16, 4, 16, 4, bus=(1, 1)))
    samples = [[port], [("00:01.0", function(ROOT_PORT, 16, 4, 8, 4, bus=(1, 1)))], [port], [port]]
    feeds = iter([[pcikit.from_bytes(bytes(img), slot) for slot, img in sample] for sample in samples])
    clock = iter(range(100))
    seen = watch(lambda: next(feeds), 1.0, 4, sleep=lambda s: None, clock=lambda: next(clock))
    assert [(t.slot, t.before.width, t.after.width) for t in seen] == [
        ("0000:00:01.0", 16, 8), ("0000:00:01.0", 8, 16)]
    (finding,) = transition_findings(seen, 3.0)
    assert finding.check == "link-change" and finding.message.startswith("2 link state change(s) in 3 s")


def test_watch_sees_a_function_vanish():
    before = {"0000:01:00.0": LinkState(3, 4, "up")}
    (change,) = changes(before, {}, 0.0)
    assert change.after.state == "gone"
    assert link_states([pcikit.from_bytes(b"\xff" * 256, "01:00.0")])["0000:01:00.0"].state == "unreachable"


@pytest.mark.live
def test_live_smoke():
    if not os.path.isdir("/sys/bus/pci/devices"):
        pytest.skip("no live PCI bus")
    result = run_cli("health", "--json")
    assert result.returncode in (0, 1), result.stderr
    for row in json.loads(result.stdout):
        assert os.path.isdir(f"/sys/bus/pci/devices/{row['slot']}")
    text = run_cli("health", "--watch", "0.05", "--count", "2")
    assert text.returncode in (0, 1) and "device(s) checked" in text.stdout.splitlines()[-1]


def test_watch_reports_aer_counters_that_grow(tmp_path, monkeypatch, capsys):
    """--watch on a fabricated sysfs: a correctable counter bumped between the samples is reported."""
    import pcikit.health.watch
    from pcikit.commands import health as health_command

    root = _sysfs(tmp_path, {"0000:01:00.0": function(ENDPOINT, 4, 3, 4, 3)})
    counter = root / "bus/pci/devices/0000:01:00.0/aer_dev_correctable"
    counter.write_text("RxErr 1\nTOTAL_ERR_COR 1\n")
    monkeypatch.setattr(pcikit.health.watch.time, "sleep", lambda s: counter.write_text("RxErr 4\nTOTAL_ERR_COR 4\n"))
    status = health_command.main(["--sysfs-root", str(root), "--json", "--watch", "2", "--count", "2"])
    grown = [f for f in json.loads(capsys.readouterr().out) if "new correctable" in f["message"]]
    assert status == 0 and [(f["slot"], f["severity"], f["actual"]) for f in grown] == [("0000:01:00.0", "info", "3")]
    assert "in 2 s of watching" in grown[0]["message"]


def test_mangled_and_truncated_corpus_hosts_never_break_the_checks():
    """Random byte flips and truncations (inside the PCIe capability too) of a real host: verdicts, no exception."""
    import random

    from pcikit.access.memory import BytesConfig
    from pcikit.model import Device

    devices = _corpus_host()
    images = [(d.address, d.config.read_block(0, d.config.size), d.find_capability(0x10)) for d in devices]
    rng = random.Random(15)
    checked = 0
    for trial in range(40):
        mangled = []
        for address, image, cap in images:
            data = bytearray(image)
            for _ in range(rng.randint(0, 12)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            if cap is not None and trial % 4 == 0:
                data = data[: cap.offset + rng.randrange(0x0C, 0x3C)]
            mangled.append(Device(address, BytesConfig(bytes(data))))
        for finding in check_devices(mangled):
            assert finding.severity in ("error", "warning", "info") and finding.message
            checked += 1
    assert checked > 0
