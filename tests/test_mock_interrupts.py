"""MSI and INTx on a MockDevice (PCI 3.0 6.8.1, 6.2.2/6.2.3; QEMU hw/pci/msi.c)."""
from __future__ import annotations

import pytest

from pcikit.testing import DeviceBuilder, InterruptMessage, MockDevice, MockError

BUS_MASTER = 0x4
INTERRUPT_DISABLE = 0x400


def _msi_device(vectors: int = 4, address_64bit: bool = True, per_vector_masking: bool = True) -> MockDevice:
    dev = DeviceBuilder(0x1234, 3).msi(vectors, address_64bit=address_64bit,
                                        per_vector_masking=per_vector_masking).build()
    dev.config.write16(0x04, BUS_MASTER)
    return dev


def _program_msi(dev: MockDevice, vectors_log2: int, data: int = 0x4A30, address: int = 0xFEE0_0000) -> int:
    cap = dev.open().find_capability(0x05).offset
    wide = dev.config.read16(cap + 2) & 0x80
    dev.config.write32(cap + 4, address)
    dev.config.write16(cap + (0x0C if wide else 0x08), data)
    dev.config.write16(cap + 2, 1 | vectors_log2 << 4)
    return cap


def test_msi_delivers_with_the_vector_in_the_low_data_bits():
    dev = _msi_device()
    _program_msi(dev, 2)  # 4 vectors enabled
    assert dev.msi.fire(3) is True
    assert dev.interrupts == [InterruptMessage("msi", 3, 0xFEE0_0000, 0x4A33)]


def test_msi_32bit_layout():
    dev = _msi_device(vectors=1, address_64bit=False, per_vector_masking=False)
    _program_msi(dev, 0, data=0x0021, address=0xFEE0_1000)
    dev.msi.fire(0)
    assert dev.interrupts == [InterruptMessage("msi", 0, 0xFEE0_1000, 0x0021)]


def test_msi_disabled_sends_nothing():
    dev = _msi_device()
    assert dev.msi.fire(0) is False
    assert dev.interrupts == []


def test_multiple_message_enable_limits_the_vectors():
    dev = _msi_device(vectors=4)
    _program_msi(dev, 0)  # software granted one vector
    assert dev.msi.fire(1) is False
    assert dev.interrupts == []
    with pytest.raises(MockError):
        dev.msi.fire(4)  # not even capable


def test_masked_msi_vector_pends_and_unmask_delivers():
    dev = _msi_device()
    cap = _program_msi(dev, 2)
    mask, pending = cap + 0x10, cap + 0x14
    dev.config.write32(mask, 0b0100)
    assert dev.msi.fire(2) is False
    assert dev.config.read32(pending) == 0b0100  # software sees the pending bit
    dev.config.write32(mask, 0)
    assert dev.interrupts == [InterruptMessage("msi", 2, 0xFEE0_0000, 0x4A32)]
    assert dev.config.read32(pending) == 0


def test_device_without_msi_says_so():
    with pytest.raises(MockError, match="no MSI"):
        DeviceBuilder(1, 2).build().msi


def _intx_device() -> MockDevice:
    return DeviceBuilder(0x1234, 4).interrupt("INTB", 5).msi(1).build()


def test_intx_assert_and_deassert_are_recorded():
    dev = _intx_device()
    dev.intx.set_level(True)
    assert dev.config.read16(0x06) & 0x08  # Interrupt Status
    assert dev.intx.asserted
    dev.intx.set_level(False)
    assert not dev.config.read16(0x06) & 0x08
    assert dev.interrupts == [InterruptMessage("intx", None, None, 1), InterruptMessage("intx", None, None, 0)]


def test_interrupt_disable_gates_the_pin_but_not_the_status():
    dev = _intx_device()
    dev.config.write16(0x04, INTERRUPT_DISABLE)
    dev.intx.set_level(True)
    assert dev.config.read16(0x06) & 0x08
    assert not dev.intx.asserted and dev.interrupts == []
    dev.config.write16(0x04, 0)  # clearing Interrupt Disable lets the level through
    assert dev.intx.asserted
    assert dev.interrupts == [InterruptMessage("intx", None, None, 1)]


def test_msi_enable_takes_the_pin_away():
    dev = _intx_device()
    dev.intx.set_level(True)
    cap = dev.open().find_capability(0x05).offset
    dev.config.write16(cap + 2, 1)
    assert not dev.intx.asserted
    assert dev.interrupts[-1] == InterruptMessage("intx", None, None, 0)


def test_no_pin_no_intx():
    dev = DeviceBuilder(1, 2).build()
    assert dev.intx.pin is None
    with pytest.raises(MockError):
        dev.intx.set_level(True)
