"""The TUI's health view over pcikit.health, on config images built byte by byte (PCIe spec bit positions)."""
from __future__ import annotations

from pcikit.access import BytesConfig
from pcikit.address import Address
from pcikit.model import Device
from pcikit.tui import health
from pcikit.tui.rows import short_vendor

from . import tui_devices as build

NVME_AER = 0x100  # where tui_devices.nvme() puts AER
NVME_PM = 0x40


def device(image: bytes, slot: str = "01:00.0") -> Device:
    return Device(Address.parse(slot), BytesConfig(bytes(image)))


def test_a_healthy_endpoint_is_ok():
    result = health.check_one(device(build.nvme()), [device(build.nvme())])
    assert result.severity == "ok"
    assert [row for row in result.lines() if row[0] != "info"] == []


def test_the_link_is_judged_against_the_device_at_the_other_end():
    port = device(build.root_port(), "00:01.0")  # Gen3 x16 capable, trained x4
    ssd = device(build.nvme())  # Gen3 x4 capable, trained x4
    together = health.check_all([port, ssd])
    assert not [f for f in together[ssd.address].findings if f.check.startswith("link")]
    assert health.check_one(ssd, [port, ssd]).severity == together[ssd.address].severity


def test_uncorrectable_aer_status_makes_the_glyph_an_error():
    image = build.nvme()
    build.put(image, NVME_AER + 0x04, 4, 1 << 20)  # Uncorrectable Error Status: Unsupported Request (bit 20)
    build.put(image, NVME_AER + 0x0C, 4, 1 << 20)  # ... and Severity: fatal
    result = health.check_one(device(image), [device(image)])
    assert result.severity == "error"
    assert health.glyph(result.severity)[0] == "✖"
    assert result.lines()[0][1] == "aer"


def test_all_ones_is_an_error():
    dead = device(b"\xff" * 256)
    assert health.check_one(dead, [dead]).severity == "error"


def test_a_decode_problem_is_a_warning():
    audio = device(build.broken_chain_audio(), "00:1f.3")
    result = health.check_one(audio, [audio])
    assert result.severity == "warning"
    assert ("warning", "decode", "capabilities: capability list broken: ID 0xff at 0x60") in result.lines()


def test_power_state_from_pmcsr():
    image = build.nvme()
    assert health.power_state(device(image)) == "D0"
    build.put(image, NVME_PM + 4, 2, 0x0008 | 3)  # PMCSR PowerState (bits 1:0) = D3hot
    assert health.power_state(device(image)) == "D3hot"
    assert health.power_state(device(build.legacy_serial())) is None


def test_short_vendor_names():
    assert short_vendor("Intel Corporation") == "Intel"
    assert short_vendor("Advanced Micro Devices, Inc. [AMD/ATI]") == "AMD/ATI"
    assert short_vendor("Samsung Electronics Co Ltd") == "Samsung Electronics"
    assert short_vendor("Red Hat, Inc.") == "Red Hat"


def test_the_tui_names_pcikit_healths_severities():
    from pcikit import health as checks

    assert (health.ERROR, health.WARNING, health.INFO) == (checks.ERROR, checks.WARNING, checks.INFO)


def test_list_layout_keeps_slot_name_mode_and_driver_and_drops_class_first():
    from pcikit.tui.widgets.device_list import layout

    narrow = {column.key: width for column, width in layout(60, 7, with_driver=True)}
    assert list(narrow) == ["status", "slot", "name", "mode", "driver"]  # no class: the name needs the room
    assert narrow["name"] == 60 - sum(w + 1 for k, w in narrow.items() if k != "name")  # no gap after the last column
    wide = {column.key: width for column, width in layout(140, 7, with_driver=True)}
    assert "class_name" in wide and wide["name"] >= 90
    middle = {column.key: width for column, width in layout(110, 7, with_driver=True)}
    assert "class_name" not in middle and middle["name"] == 110 - 28  # class gives way to long pci.ids names
    assert "driver" not in {c.key for c, _ in layout(140, 7, with_driver=False)}  # dumps know no drivers
