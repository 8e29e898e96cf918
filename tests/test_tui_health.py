"""Health findings from config images built byte by byte (bit positions from the PCIe spec)."""
from __future__ import annotations

from pcikit.access import BytesConfig
from pcikit.address import Address
from pcikit.model import Device
from pcikit.tui import health
from pcikit.tui.rows import short_vendor
from pcikit.tui.topology import neighbours

from . import tui_devices as build

NVME_EXPRESS = 0x70  # where tui_devices.nvme() puts the PCI Express capability
NVME_MSIX = 0xB0
NVME_AER = 0x100
NVME_PM = 0x40


def device(image: bytes, slot: str = "01:00.0") -> Device:
    return Device(Address.parse(slot), BytesConfig(bytes(image)))


def test_a_healthy_endpoint_has_no_findings():
    assert health.findings(device(build.nvme())) == []
    assert health.worst([]) == "ok"


def test_a_link_trained_below_both_ends_is_a_warning():
    image = build.nvme()
    build.put(image, NVME_EXPRESS + 0x12, 2, 0x1011)  # Link Status: 2.5 GT/s (1), width x1 (bits 9:4)
    found = health.check_link(device(image))
    assert [(f.severity, f.text) for f in found] == [("warning", "downtrained: link 2.5 GT/s x1, capable 8 GT/s x4")]


def test_the_other_end_bounds_what_the_link_can_train_to():
    port = device(build.root_port(), "00:01.0")  # Gen3 x16 capable, trained x4
    ssd = device(build.nvme())  # Gen3 x4 capable
    assert health.check_link(port) != []  # alone: x4 of x16 looks downtrained
    above, below = neighbours([port, ssd])[id(port)]
    assert above is None and below is ssd
    assert health.check_link(port, above, below) == []  # the SSD can do only x4
    assert neighbours([port, ssd])[id(ssd)] == (port, None)


def test_aer_status_bits_are_errors_or_warnings():
    image = build.nvme()
    build.put(image, NVME_AER + 0x04, 4, 1 << 20)  # Uncorrectable Error Status: Unsupported Request (bit 20)
    build.put(image, NVME_AER + 0x10, 4, 1 << 6)  # Correctable Error Status: Bad TLP (bit 6)
    found = health.check_aer(device(image))
    assert [f.severity for f in found] == ["error", "warning"]
    assert "unsupported_request" in found[0].text and "bad_tlp" in found[1].text
    assert health.worst(found) == "error"


def test_all_ones_config_space_is_an_error_and_says_nothing_else():
    found = health.findings(device(b"\xff" * 256))
    assert [(f.severity, f.topic) for f in found] == [("error", "config")]


def test_msix_enabled_and_function_masked_is_a_warning():
    image = build.nvme()
    build.put(image, NVME_MSIX + 2, 2, 32 | 0x8000 | 0x4000)  # Enable (15) + Function Mask (14)
    assert [f.topic for f in health.check_msix(device(image))] == ["msix"]


def test_a_power_state_other_than_d0_is_information_only():
    image = build.nvme()
    build.put(image, NVME_PM + 4, 2, 0x0008 | 3)  # PMCSR PowerState D3hot
    found = health.check_power(device(image))
    assert [(f.severity, f.text) for f in found] == [("info", "power state D3hot")]
    assert health.worst(found) == "ok"


def test_short_vendor_names():
    assert short_vendor("Intel Corporation") == "Intel"
    assert short_vendor("Advanced Micro Devices, Inc. [AMD/ATI]") == "AMD/ATI"
    assert short_vendor("Samsung Electronics Co Ltd") == "Samsung Electronics"
    assert short_vendor("Red Hat, Inc.") == "Red Hat"
