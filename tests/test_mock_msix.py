"""MSI-X on a MockDevice, from software's side (PCIe Base 6.1.4, 7.7.2; QEMU hw/pci/msix.c).

The device has 4 vectors in BAR 2: table at 0x0, PBA at 0x800. Software
programs the table through dev.bar(2) and Message Control through config space.
"""
from __future__ import annotations

import pytest

from pcikit.testing import DeviceBuilder, InterruptMessage, MockDevice, MockError

TABLE, PBA = 0x000, 0x800
ENABLE, FUNCTION_MASK = 0x8000, 0x4000
ADDRESS = 0xFEE0_1000


@pytest.fixture
def dev() -> MockDevice:
    device = DeviceBuilder(0x1234, 0x0002).bar(2, 0x1000).msix(vectors=4, bar=2, pba_offset=PBA).build()
    device.config.write16(0x04, 0x0006)  # Memory Space, Bus Master
    return device


def _control(dev: MockDevice) -> int:
    return dev.open().find_capability(0x11).offset + 2


def _set_control(dev: MockDevice, bits: int) -> None:
    dev.config.write16(_control(dev), bits)


def _program(dev: MockDevice, vector: int, data: int, unmask: bool = True) -> None:
    bar, entry = dev.bar(2), TABLE + 16 * vector
    bar.write32(entry, ADDRESS)
    bar.write32(entry + 4, 0)
    bar.write32(entry + 8, data)
    if unmask:
        bar.write32(entry + 12, 0)


def test_every_vector_is_masked_at_reset(dev):
    bar = dev.bar(2)
    for vector in range(4):
        entry = TABLE + 16 * vector
        assert (bar.read32(entry), bar.read32(entry + 4), bar.read32(entry + 8)) == (0, 0, 0)
        assert bar.read32(entry + 12) & 1 == 1
    assert bar.read64(PBA) == 0
    assert not dev.msix.enabled and dev.msix.function_masked


def test_fire_while_enabled_and_unmasked_delivers(dev):
    _program(dev, 1, 0x41)
    _set_control(dev, ENABLE)
    assert dev.msix.fire(1) is True
    assert dev.interrupts == [InterruptMessage("msix", 1, ADDRESS, 0x41)]
    assert not dev.msix.pending(1)


def test_masked_vector_fires_pending_and_unmask_delivers(dev):
    _program(dev, 2, 0x42, unmask=False)
    _set_control(dev, ENABLE)
    assert dev.msix.fire(2) is False
    assert dev.interrupts == []
    assert dev.msix.pending(2)
    assert dev.bar(2).read64(PBA) == 1 << 2  # software sees the pending bit
    dev.bar(2).write32(TABLE + 16 * 2 + 12, 0)  # unmask the vector
    assert dev.interrupts == [InterruptMessage("msix", 2, ADDRESS, 0x42)]
    assert not dev.msix.pending(2)
    assert dev.bar(2).read64(PBA) == 0


def test_function_mask_holds_messages_until_cleared(dev):
    _program(dev, 0, 0x40)
    _program(dev, 3, 0x43)
    _set_control(dev, ENABLE | FUNCTION_MASK)
    dev.msix.fire(0)
    dev.msix.fire(3)
    assert dev.interrupts == [] and dev.msix.pending(0) and dev.msix.pending(3)
    _set_control(dev, ENABLE)
    assert [m.vector for m in dev.interrupts] == [0, 3]
    assert not dev.msix.pending(0) and not dev.msix.pending(3)


def test_disabled_function_counts_as_masked(dev):
    _program(dev, 1, 0x41)
    dev.msix.fire(1)
    assert dev.msix.pending(1) and dev.interrupts == []
    _set_control(dev, ENABLE)
    assert dev.interrupts == [InterruptMessage("msix", 1, ADDRESS, 0x41)]


def test_vector_masked_by_its_own_bit_stays_pending_when_function_unmasks(dev):
    _program(dev, 1, 0x41, unmask=False)
    dev.msix.fire(1)
    _set_control(dev, ENABLE)
    assert dev.interrupts == [] and dev.msix.pending(1)


def test_table_accepts_aligned_dword_and_qword(dev):
    bar = dev.bar(2)
    bar.write64(TABLE + 16, 0x0000_0001_FEE0_0000)
    assert bar.read32(TABLE + 16) == 0xFEE0_0000
    assert bar.read32(TABLE + 20) == 0x1
    bar.write64(TABLE + 24, 0x0000_0000_0000_0051)  # data and vector control (unmasked) at once
    assert dev.msix.entry(1) == (0x1_FEE0_0000, 0x51, False)
    assert dev.violations == []


@pytest.mark.parametrize("width", [1, 2])
def test_narrow_table_accesses_are_violations(dev, width):
    bar = dev.bar(2)
    read = bar.read8 if width == 1 else bar.read16
    write = bar.write8 if width == 1 else bar.write16
    assert read(TABLE + 12) == (1 << 8 * width) - 1
    write(TABLE + 12, 0)
    assert dev.msix.entry(0).masked  # the narrow write did not unmask
    assert read(PBA) == (1 << 8 * width) - 1
    assert len(dev.violations) == 3
    assert all("aligned DWORD/QWORD" in v for v in dev.violations)


def test_pba_is_read_only(dev):
    dev.msix.fire(0)
    dev.bar(2).write64(PBA, 0)
    assert dev.msix.pending(0)
    assert dev.bar(2).read32(PBA) == 1
    assert any("PBA" in v for v in dev.violations)


def test_changing_address_of_an_unmasked_vector_is_flagged(dev):
    _program(dev, 0, 0x40)
    _set_control(dev, ENABLE)
    dev.bar(2).write32(TABLE + 8, 0x99)
    assert any("unmasked" in v for v in dev.violations)


def test_reset_masks_everything_and_clears_state(dev):
    _program(dev, 1, 0x41, unmask=False)
    _set_control(dev, ENABLE)
    dev.msix.fire(1)
    dev.reset()
    dev.config.write16(0x04, 0x0006)
    assert dev.config.read16(_control(dev)) & (ENABLE | FUNCTION_MASK) == 0
    assert not dev.msix.pending(1)
    assert dev.bar(2).read32(TABLE + 16 + 8) == 0
    assert dev.bar(2).read32(TABLE + 16 + 12) == 1


def test_messages_need_bus_master_enable(dev):
    _program(dev, 0, 0x40)
    _set_control(dev, ENABLE)
    dev.config.write16(0x04, 0x0002)  # Memory Space only
    assert dev.msix.fire(0) is False
    assert dev.interrupts == []
    assert any("Bus Master" in v for v in dev.violations)


def test_vectors_beyond_the_table_do_not_exist(dev):
    with pytest.raises(MockError):
        dev.msix.fire(4)
    with pytest.raises(MockError):
        dev.msix.pending(-1)


def test_device_without_msix_says_so():
    dev = DeviceBuilder(1, 2).build()
    with pytest.raises(MockError, match="no MSI-X"):
        dev.msix


def test_table_in_one_bar_pba_in_another():
    dev = (DeviceBuilder(1, 2).bar(0, 0x1000).bar(1, 0x1000)
           .capability(0x11, (1).to_bytes(2, "little") + (0x100 | 0).to_bytes(4, "little") + (0x0 | 1).to_bytes(4, "little"))
           .build())
    dev.config.write16(0x04, 0x0006)
    dev.msix.fire(1)
    assert dev.bar(1).read64(0) == 0b10
    assert dev.bar(0).read32(0x100 + 16 + 12) == 1
    assert dev.problems == []


def test_msix_reset_alone_clears_enable_and_function_mask(dev):
    _set_control(dev, ENABLE | FUNCTION_MASK)
    _program(dev, 0, 0x40)
    dev.msix.reset()
    assert dev.config.read16(_control(dev)) & (ENABLE | FUNCTION_MASK) == 0
    assert dev.msix.entry(0) == (0, 0, True)


def test_table_outside_any_memory_bar_is_a_problem_not_a_crash():
    # table in BAR 0, an I/O BAR; PBA in BAR 2, which does not exist
    msix = (3).to_bytes(2, "little") + (0 | 0).to_bytes(4, "little") + (0x800 | 2).to_bytes(4, "little")
    dev = DeviceBuilder(1, 2).bar(0, 0x100, space="io").capability(0x11, msix).build()
    assert any("table" in p and "BAR 0" in p for p in dev.problems)
    assert any("PBA" in p and "BAR 2" in p for p in dev.problems)
    dev.config.write16(0x04, 0x0004)
    dev.msix.fire(3)  # the model still works; software just cannot reach the table
    assert dev.msix.pending(3)
