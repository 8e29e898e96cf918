"""MockDevice config space, observed as software observes it (PCI 3.0 ch. 6, PCIe Base ch. 7).

Every expectation here comes from the spec's register attributes (RO, RW, RW1C,
BAR sizing) applied to bytes the test built itself.
"""
from __future__ import annotations

import pytest

import pcikit
from pcikit.access import ConfigSpace
from pcikit.errors import ConfigReadError
from pcikit.testing import DeviceBuilder, MockDevice


def _device(**kwargs) -> MockDevice:
    return (
        DeviceBuilder(0x1234, 0xABCD, class_code=0x020000, revision=3, subsystem=(0x1234, 0x0042), **kwargs)
        .bar(0, 0x1000, address=0xFEBF0000)
        .bar(1, 0x40, space="io", address=0xC000)
        .bar(2, 0x4000, bits=64, prefetchable=True, address=0x8_0000_0000)
        .rom(0x10000)
        .interrupt("INTA", 10)
        .pm(d1=True, pme_support=0x09)
        .msi(vectors=8, per_vector_masking=True)
        .msix(vectors=16, bar=2)
        .pcie()
        .build(address="0000:02:00.0")
    )


@pytest.fixture
def dev() -> MockDevice:
    return _device()


def test_config_is_a_config_space_the_model_decodes(dev):
    assert isinstance(dev.config, ConfigSpace)
    model = pcikit.Device(dev.address, dev.config)
    assert (model.vendor_id, model.device_id, model.class_code, model.revision) == (0x1234, 0xABCD, 0x020000, 3)
    assert model.subsystem == (0x1234, 0x0042)
    assert [cap.cap_id for cap in model.capabilities] == [0x01, 0x05, 0x11, 0x10]
    assert model.find_capability(0x11).fields.table_size == 16
    assert model.interrupt.pin == "INTA" and model.interrupt.line == 10
    assert {(b.index, b.space, b.bits) for b in model.bars} == {(0, "memory", 32), (1, "io", 32), (2, "memory", 64)}


def test_reads_at_every_width_are_little_endian(dev):
    config = dev.config
    assert config.read8(0) == 0x34 and config.read16(0) == 0x1234
    assert config.read32(0) == 0xABCD1234
    assert config.read(0, 8) == 0xABCD1234 | config.read32(4) << 32
    assert config.read16(1) == 0xCD12  # unaligned reads work as on sysfs: bytes 0x12, 0xcd


def test_reads_beyond_size_raise_the_source_error(dev):
    with pytest.raises(ConfigReadError):
        dev.config.read32(4096)
    small = MockDevice.from_image(bytes(DeviceBuilder(1, 2).image()[:256]))
    with pytest.raises(ConfigReadError):
        small.config.read32(0x100)


def test_identity_and_class_are_read_only(dev):
    for offset in (0x00, 0x08, 0x2C):  # IDs, revision + class code, subsystem IDs
        before = dev.config.read32(offset)
        dev.config.write32(offset, 0xFFFFFFFF)
        dev.config.write32(offset, 0)
        assert dev.config.read32(offset) == before


def test_interrupt_line_is_writable_and_pin_is_not(dev):
    dev.config.write16(0x3C, 0x0405)
    assert dev.config.read8(0x3C) == 0x05
    assert dev.config.read8(0x3D) == 1


def test_command_writable_bits(dev):
    dev.config.write16(0x04, 0xFFFF)
    # I/O, Memory, Bus Master, Parity Error Response, SERR#, Interrupt Disable
    assert dev.config.read16(0x04) == 0x0547
    dev.config.write16(0x04, 0)
    assert dev.config.read16(0x04) == 0


def test_status_error_bits_are_write_one_to_clear(dev):
    config = dev.config
    config.poke(0x06, 2, config.peek(0x06, 2) | 0xF900)  # the device reports every error
    config.write16(0x06, 0x0100 | 0x2000)  # clear Master Data Parity Error and Received Master Abort
    status = config.read16(0x06)
    assert status & 0xF900 == 0xF900 & ~0x2100
    assert status & 0x0010  # Capabilities List: read-only, still set
    config.write16(0x06, 0)  # writing zeros clears nothing
    assert config.read16(0x06) & 0xF900 == 0xF900 & ~0x2100
    config.write16(0x06, 0x0010)  # writing 1 to a read-only bit changes nothing
    assert config.read16(0x06) & 0x0010


def test_byte_write_touches_only_that_byte(dev):
    dev.config.write16(0x04, 0x0002)
    dev.config.write8(0x05, 0x04)  # Interrupt Disable is bit 10 = bit 2 of byte 5
    assert dev.config.read16(0x04) == 0x0402


def test_bar_sizing_32bit_memory(dev):
    config = dev.config
    config.write32(0x10, 0xFFFFFFFF)
    assert config.read32(0x10) == 0xFFFFF000  # ~(0x1000 - 1), non-prefetchable 32-bit type bits 0
    config.write32(0x10, 0xFEBF0000)
    assert config.read32(0x10) == 0xFEBF0000


def test_bar_sizing_io(dev):
    dev.config.write32(0x14, 0xFFFFFFFF)
    assert dev.config.read32(0x14) == 0xFFFFFFC1  # ~(0x40 - 1) | I/O space indicator


def test_bar_sizing_64bit_prefetchable_pair(dev):
    config = dev.config
    config.write32(0x18, 0xFFFFFFFF)
    config.write32(0x1C, 0xFFFFFFFF)
    low, high = config.read32(0x18), config.read32(0x1C)
    assert low & 0xF == 0xC  # 64-bit, prefetchable: type bits survive
    size = ~((high << 32) | (low & ~0xF)) + 1 & 0xFFFFFFFFFFFFFFFF
    assert size == 0x4000
    config.write32(0x18, 0)
    assert config.read32(0x18) == 0xC  # type bits are read-only


def test_unimplemented_bars_read_zero_and_ignore_writes(dev):
    for offset in (0x20, 0x24):
        dev.config.write32(offset, 0xFFFFFFFF)
        assert dev.config.read32(offset) == 0


def test_expansion_rom_sizing(dev):
    dev.config.write32(0x30, 0xFFFFFFFF)
    assert dev.config.read32(0x30) == 0xFFFF0001  # 64 KiB ROM, enable bit writable


def test_capability_bodies_are_read_only(dev):
    model = pcikit.Device(dev.address, dev.config)
    for cap in model.capabilities:
        header = dev.config.read16(cap.offset)
        dev.config.write16(cap.offset, 0xFFFF)
        assert dev.config.read16(cap.offset) == header
    express = model.find_capability(0x10)
    devcap = dev.config.read32(express.offset + 4)
    dev.config.write32(express.offset + 4, ~devcap & 0xFFFFFFFF)
    assert dev.config.read32(express.offset + 4) == devcap
    msix = model.find_capability(0x11)
    table = dev.config.read32(msix.offset + 4)
    dev.config.write32(msix.offset + 4, 0xFFFFFFFF)
    assert dev.config.read32(msix.offset + 4) == table


def test_msix_message_control_only_enable_and_function_mask(dev):
    cap = pcikit.Device(dev.address, dev.config).find_capability(0x11).offset
    dev.config.write16(cap + 2, 0xFFFF)
    assert dev.config.read16(cap + 2) == 0xC000 | 15  # table size N-1 = 15 stays
    dev.config.write16(cap + 2, 0)
    assert dev.config.read16(cap + 2) == 15


def test_msi_enable_and_multiple_message_enable(dev):
    cap = pcikit.Device(dev.address, dev.config).find_capability(0x05).offset
    control = dev.config.read16(cap + 2)
    assert (control >> 1) & 7 == 3  # 8 vectors capable
    dev.config.write16(cap + 2, 0x0031)  # enable, 8 vectors
    assert dev.config.read16(cap + 2) & 0x71 == 0x31
    dev.config.write16(cap + 2, 0x0051)  # 32 vectors asked, more than capable: clamped to 8
    assert (dev.config.read16(cap + 2) >> 4) & 7 == 3
    dev.config.write16(cap + 2, 0xFF80)  # 64-bit and maskable bits are read-only
    assert dev.config.read16(cap + 2) & 0x0180 == 0x0180 and not dev.config.read16(cap + 2) & 1


def test_msi_address_data_and_mask_registers(dev):
    cap = pcikit.Device(dev.address, dev.config).find_capability(0x05).offset
    config = dev.config
    config.write32(cap + 4, 0xFEE00003)
    assert config.read32(cap + 4) == 0xFEE00000  # DWORD-aligned address: bits 1:0 read 0
    config.write32(cap + 8, 0x12345678)
    assert config.read32(cap + 8) == 0x12345678
    config.write16(cap + 0x0C, 0x4021)
    assert config.read16(cap + 0x0C) == 0x4021
    config.write32(cap + 0x10, 0xFFFFFFFF)
    assert config.read32(cap + 0x10) == 0xFF  # one mask bit per capable vector
    config.write32(cap + 0x14, 0xFFFFFFFF)
    assert config.read32(cap + 0x14) == 0  # pending bits are read-only


def test_power_management_control(dev):
    cap = pcikit.Device(dev.address, dev.config).find_capability(0x01).offset
    config = dev.config
    config.write16(cap + 4, 0x0001)
    assert config.read16(cap + 4) & 3 == 1  # D1 is supported
    config.write16(cap + 4, 0x0002)
    assert config.read16(cap + 4) & 3 == 1  # D2 is not: the write is ignored
    config.write16(cap + 4, 0x0100)
    assert config.read16(cap + 4) & 0x0103 == 0x0100  # PME_En writable (PME supported), D0
    config.poke(cap + 4, 2, config.peek(cap + 4, 2) | 0x8000)
    config.write16(cap + 4, 0x8000 | 0x0100)
    assert not config.read16(cap + 4) & 0x8000  # PME_Status is RW1C


def test_express_device_control_and_status(dev):
    cap = pcikit.Device(dev.address, dev.config).find_capability(0x10).offset
    config = dev.config
    assert config.read16(cap + 8) == 0x2810  # reset value: RlxdOrd, NoSnoop, MaxReadReq 512
    config.write16(cap + 8, 0x0020)  # MaxPayload 256
    assert config.read16(cap + 8) == 0x0020
    config.poke(cap + 0x0A, 2, 0x002F)  # errors detected, AUX power and transactions pending
    config.write16(cap + 0x0A, 0x0005)
    assert config.read16(cap + 0x0A) == 0x002A  # CorrErr and FatalErr cleared, RO bits stay


def test_function_level_reset_restores_reset_values(dev):
    cap = pcikit.Device(dev.address, dev.config).find_capability(0x10).offset
    config = dev.config
    config.write16(0x04, 0x0006)
    config.write8(0x0C, 0x10)
    config.write16(cap + 8, 0x0020)
    config.write16(cap + 8, 0x8000)  # Initiate Function Level Reset
    assert config.read16(0x04) == 0
    assert config.read8(0x0C) == 0
    assert config.read16(cap + 8) == 0x2810  # and the initiate bit reads 0
    assert config.read32(0x10) == 0  # BAR address cleared; memory BAR type bits 0
    assert config.read32(0x18) == 0xC
    assert config.read8(0x3C) == 0  # Interrupt Line clears on a function reset (QEMU pci_do_device_reset)


def test_define_register_models_extra_registers():
    dev = DeviceBuilder(1, 2).capability(0x09, bytes([8, 0, 0, 0, 0, 0]), registers=[(4, 2, 0x00FF, 0xFF00)]).build()
    config = dev.config
    config.write16(0x44, 0xFFFF)
    assert config.read16(0x44) == 0x00FF
    config.poke(0x44, 2, 0xAB00)
    config.write16(0x44, 0x0300)
    assert config.read16(0x44) == 0xA800
    assert config.masks(0x44, 2) == (0x00FF, 0xFF00)


def test_bad_writes_are_refused_clearly(dev):
    with pytest.raises(ValueError):
        dev.config.write32(4094, 0)
    with pytest.raises(ValueError):
        dev.config.write16(0x04, 0x10000)
    with pytest.raises(ValueError):
        dev.config.write(0x04, 3, 0)


def test_bridge_header_registers():
    image = bytearray(256)
    image[0:4] = (0x8086 | 0x1234 << 16).to_bytes(4, "little")
    image[0x0E] = 0x01
    image[0x1C] = 0x01  # 32-bit I/O window
    image[0x24] = 0x01  # 64-bit prefetchable window
    dev = MockDevice.from_image(bytes(image))
    config = dev.config
    config.write32(0x18, 0x00FF0100)
    assert config.read32(0x18) & 0xFFFFFF == 0xFF0100  # primary 0, secondary 1, subordinate 0xff
    config.write16(0x20, 0xFFFF)
    assert config.read16(0x20) == 0xFFF0
    config.write32(0x28, 0xFFFFFFFF)
    assert config.read32(0x28) == 0xFFFFFFFF
    config.write16(0x1C, 0xFFFF)
    assert config.read16(0x1C) == 0xF0F1
