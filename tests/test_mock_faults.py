"""Fault injection and records: surprise removal, failing accesses, the access log."""
from __future__ import annotations

import errno

import pytest

import pcikit
from pcikit.errors import DeviceGoneError
from pcikit.testing import Access, DeviceBuilder, MockDevice


@pytest.fixture
def dev() -> MockDevice:
    device = DeviceBuilder(0x1234, 0x5678).bar(0, 0x100).msix(vectors=2, bar=0).interrupt("INTA").build()
    device.config.write16(0x04, 0x0006)
    return device


def test_surprise_removal_reads_all_ones_and_drops_writes(dev):
    dev.bar(0).write32(0x80, 5)
    dev.surprise_remove()
    assert dev.removed
    assert dev.config.read16(0x00) == 0xFFFF
    assert dev.config.read32(0x04) == 0xFFFFFFFF
    assert dev.bar(0).read32(0x80) == 0xFFFFFFFF
    assert dev.bar(0).read64(0x80) == 0xFFFFFFFFFFFFFFFF
    dev.config.write16(0x04, 0)
    dev.bar(0).write32(0x80, 9)
    assert dev.config.peek(0x04, 2) == 0x0006 and dev.bar(0).peek(0x80, 4) == 5
    assert dev.msix.fire(0) is False and dev.interrupts == []


def test_model_over_a_removed_device_sees_what_lspci_would():
    dev = DeviceBuilder(0x1234, 0x5678).build()
    dev.surprise_remove()
    model = pcikit.Device(dev.address, dev.config)
    assert model.vendor_id == 0xFFFF
    assert "config space reads all ones: device absent, gone or in reset" in model.problems


def test_fail_next_raises_the_live_error_once(dev):
    dev.fail_next()
    with pytest.raises(DeviceGoneError):
        dev.config.read32(0)
    assert dev.config.read16(0) == 0x1234


def test_fail_next_in_one_space_only(dev):
    dev.fail_next(2, space="bar0")
    assert dev.config.read16(0) == 0x1234
    with pytest.raises(DeviceGoneError):
        dev.bar(0).read32(0x80)
    with pytest.raises(DeviceGoneError):
        dev.bar(0).write32(0x80, 1)
    assert dev.bar(0).read32(0x80) == 0


def test_fail_next_with_a_chosen_error(dev):
    dev.fail_next(space="config", error=OSError(errno.EIO, "Input/output error"))
    with pytest.raises(OSError) as caught:
        dev.config.write16(0x04, 0)
    assert caught.value.errno == errno.EIO
    assert dev.config.read16(0x04) == 0x0006  # the failed write did nothing


def test_failed_accesses_are_logged_without_a_value(dev):
    dev.access_log.clear()
    dev.fail_next(space="bar")
    with pytest.raises(DeviceGoneError):
        dev.bar(0).read16(0x80)
    assert list(dev.access_log) == [Access("bar0", 0x80, 2, None, "read")]


def test_access_log_orders_config_and_bar_accesses(dev):
    dev.access_log.clear()
    dev.config.read16(0x04)
    dev.bar(0).write32(0x90, 7)
    dev.config.write8(0x0C, 0x10)
    assert [(a.space, a.kind, a.offset) for a in dev.access_log] == [
        ("config", "read", 0x04), ("bar0", "write", 0x90), ("config", "write", 0x0C)]
    assert dev.access_log[0] == Access("config", 0x04, 2, 0x0006, "read")


def test_config_hooks_model_side_effects(dev):
    seen = []
    dev.on_config_write(0x40, lambda access: seen.append(access.value), length=4)
    dev.on_config_read(0x0C, lambda access: 0x20)
    dev.config.write32(0x40, 0xFFFF0000)
    assert seen == [0xFFFF0000]
    assert dev.config.read8(0x0C) == 0x20


def test_model_reads_go_through_the_log(dev):
    dev.access_log.clear()
    model = dev.open()
    assert model.find_capability(0x11) is not None
    assert dev.access_log.select(space="config", kind="read")
