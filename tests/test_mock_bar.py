"""MockDevice BARs: the BarRegion interface, decode enables, hooks and device-side access."""
from __future__ import annotations

import pytest

from pcikit.errors import MisalignedAccessError, OutOfRangeAccessError, RegionAccessError
from pcikit.mmio import BarRegion, Region
from pcikit.testing import Access, DeviceBuilder, MockDevice, MockError

MEMORY, IO = 0x2, 0x1


def _device() -> MockDevice:
    return (
        DeviceBuilder(0x1234, 0x0001)
        .bar(0, 0x1000)
        .bar(2, 0x100, space="io")
        .bar(4, 1 << 30, bits=64, prefetchable=True)
        .pm()
        .build()
    )


@pytest.fixture
def dev() -> MockDevice:
    device = _device()
    device.config.write16(0x04, MEMORY | IO)
    return device


def test_bar_is_a_bar_region_with_the_same_contract_as_region(dev):
    bar = dev.bar(0)
    assert isinstance(bar, BarRegion)
    assert bar.size == 0x1000 and bar.readonly is False
    plain = Region(bytearray(0x1000))
    for region in (bar, plain):
        region.write64(8, 0x1122334455667788)
        assert region.read64(8) == 0x1122334455667788
        assert region.read32(12) == 0x11223344
        assert region.read16(10) == 0x5566
        assert region.read8(8) == 0x88
        region.write8(9, 0xAA)
        assert region.read16(8) == 0xAA88


@pytest.mark.parametrize("call, error", [
    (lambda r: r.read32(2), MisalignedAccessError),
    (lambda r: r.read64(4), MisalignedAccessError),
    (lambda r: r.read32(0x1000), OutOfRangeAccessError),
    (lambda r: r.read8(-1), OutOfRangeAccessError),
    (lambda r: r.write16(0xFFF, 0), MisalignedAccessError),
    (lambda r: r.write32(0x1000, 0), OutOfRangeAccessError),
    (lambda r: r.write8(0, 0x100), RegionAccessError),
])
def test_bad_accesses_raise_what_region_raises(dev, call, error):
    for region in (dev.bar(0), Region(bytearray(0x1000))):
        with pytest.raises(error):
            call(region)


def test_memory_space_disabled_is_a_master_abort(dev):
    bar = dev.bar(0)
    bar.write32(0x10, 0x12345678)
    dev.config.write16(0x04, 0)
    assert bar.read32(0x10) == 0xFFFFFFFF
    assert bar.read8(0x10) == 0xFF
    bar.write32(0x10, 0)  # dropped
    dev.config.write16(0x04, MEMORY)
    assert bar.read32(0x10) == 0x12345678
    assert any("master abort" in v for v in dev.violations)


def test_io_bar_follows_io_space_enable(dev):
    port = dev.bar(2)
    port.write8(0, 0x5A)
    dev.config.write16(0x04, MEMORY)  # I/O Space off
    assert port.read8(0) == 0xFF
    assert dev.bar(0).read32(0) == 0  # memory still decodes


def test_d3hot_stops_decoding(dev):
    pm = dev.open().find_capability(0x01).offset
    dev.bar(0).write32(0, 7)
    dev.config.write16(pm + 4, 0x0003)  # D3hot
    assert dev.bar(0).read32(0) == 0xFFFFFFFF
    dev.config.write16(pm + 4, 0x0000)  # back to D0 (No_Soft_Reset set: state kept)
    assert dev.bar(0).read32(0) == 7


def test_d3hot_to_d0_without_no_soft_reset_resets_the_function():
    dev = DeviceBuilder(1, 2).bar(0, 0x1000).pm(no_soft_reset=False).build()
    pm = dev.open().find_capability(0x01).offset
    dev.config.write16(0x04, MEMORY)
    dev.config.write16(pm + 4, 3)
    dev.config.write16(pm + 4, 0)
    assert dev.config.read16(0x04) == 0  # internal reset: Command back to 0


def test_large_bar_is_backed_lazily(dev):
    big = dev.bar(4)
    assert big.size == 1 << 30
    big.write64((1 << 30) - 8, 0xDEADBEEF)
    assert big.read64((1 << 30) - 8) == 0xDEADBEEF


def test_upper_half_and_unimplemented_bars_have_no_region(dev):
    for index in (1, 3, 5):
        with pytest.raises(MockError):
            dev.bar(index)
    assert sorted(dev.bars) == [0, 2, 4]


def test_doorbell_hook_sees_the_write(dev):
    rung = []
    dev.on_bar_write(0, 0x40, lambda access: rung.append(access))
    dev.bar(0).write32(0x40, 3)
    dev.bar(0).write32(0x44, 9)  # outside the hook
    assert rung == [Access("bar0", 0x40, 4, 3, "write")]


def test_hook_overlap_by_smaller_access(dev):
    seen = []
    dev.on_bar_write(0, 0x40, lambda access: seen.append(access.offset), length=4)
    dev.bar(0).write8(0x43, 1)
    dev.bar(0).write8(0x44, 1)
    assert seen == [0x43]


def test_read_to_clear_register(dev):
    bar = dev.bar(0)
    bar.poke(0x80, 4, 0b101)

    @dev.on_bar_read(0, 0x80)
    def clear(access):
        bar.poke(0x80, 4, 0)

    assert bar.read32(0x80) == 0b101
    assert bar.read32(0x80) == 0


def test_hooks_can_replace_read_and_written_values(dev):
    bar = dev.bar(0)
    dev.on_bar_read(0, 0x20, lambda access: 0xCAFE)
    dev.on_bar_write(0, 0x24, lambda access: access.value & 0xFF)  # only the low byte is implemented
    assert bar.read32(0x20) == 0xCAFE
    bar.write32(0x24, 0x12345678)
    assert bar.read32(0x24) == 0x78


def test_peek_and_poke_are_the_device_side(dev):
    bar = dev.bar(0)
    dev.config.write16(0x04, 0)
    bar.poke(0x10, 4, 0xAABBCCDD)
    assert bar.peek(0x10, 4) == 0xAABBCCDD
    assert bar.peek(0x12, 2) == 0xAABB
    assert not [a for a in dev.access_log if a.space == "bar0"]


def test_reset_restores_bar_contents_as_built():
    dev = DeviceBuilder(1, 2).bar(0, 0x100).build(bar_data={0: b"\x01\x02\x03\x04"})
    dev.config.write16(0x04, MEMORY)
    dev.bar(0).write32(0, 0)
    dev.bar(0).write32(0x10, 5)
    reseeded = []
    dev.on_reset(lambda: reseeded.append(True))
    dev.reset()
    dev.config.write16(0x04, MEMORY)
    assert dev.bar(0).read32(0) == 0x04030201
    assert dev.bar(0).read32(0x10) == 0
    assert reseeded == [True]


def test_access_log_records_bar_accesses_in_order(dev):
    dev.access_log.clear()
    bar = dev.bar(0)
    bar.write16(2, 0xBEEF)
    bar.read16(2)
    bar.read64(0)
    assert list(dev.access_log) == [
        Access("bar0", 2, 2, 0xBEEF, "write"),
        Access("bar0", 2, 2, 0xBEEF, "read"),
        Access("bar0", 0, 8, 0xBEEF0000, "read"),
    ]
    assert dev.access_log.select(kind="write") == [Access("bar0", 2, 2, 0xBEEF, "write")]


def test_log_limit_keeps_the_newest():
    dev = DeviceBuilder(1, 2).bar(0, 0x100).build(log_limit=2)
    dev.config.write16(0x04, MEMORY)
    for offset in (0, 4, 8):
        dev.bar(0).read32(offset)
    assert [a.offset for a in dev.access_log] == [4, 8]
