"""Behaviour attached to register fields, as a driver sees it (PCIe Base 6.0, PCI Local Bus 3.0).

SR-IOV VF BAR sizing, NumVFs and VF Enable (chapter 9), the VPD Address/Data handshake (PCI 3.0
I.3.1.1), Slot Control commands completing (7.5.3.11), BAR sizes at the limits of each kind.
Images are built here, register offsets and bits are the spec's.
"""
from __future__ import annotations

import pytest

from pcikit.address import Address
from pcikit.testing import MockDevice

SRIOV = 0x100


def _put(image: bytearray, offset: int, width: int, value: int) -> None:
    image[offset:offset + width] = value.to_bytes(width, "little")


def _endpoint(size: int = 4096) -> bytearray:
    image = bytearray(size)
    _put(image, 0, 4, 0x10D3_8086)
    _put(image, 0x06, 2, 0x0010)
    image[0x34] = 0x40
    _put(image, 0x40, 2, 0x0010)  # PCI Express capability, v2 endpoint
    _put(image, 0x42, 2, 0x0002)
    return image


def sriov_pf() -> MockDevice:
    image = _endpoint()
    _put(image, SRIOV, 4, 0x0010 | 1 << 16)
    _put(image, SRIOV + 0x0C, 2, 8)  # InitialVFs
    _put(image, SRIOV + 0x0E, 2, 8)  # TotalVFs
    _put(image, SRIOV + 0x14, 2, 0x80)  # First VF Offset
    _put(image, SRIOV + 0x16, 2, 2)  # VF Stride
    _put(image, SRIOV + 0x1A, 2, 0x10ED)  # VF Device ID
    _put(image, SRIOV + 0x1C, 4, 0x553)  # Supported Page Sizes
    _put(image, SRIOV + 0x20, 4, 0x1)  # System Page Size: 4 KiB
    _put(image, SRIOV + 0x24, 4, 0xC)  # VF BAR0: 64-bit prefetchable memory
    _put(image, SRIOV + 0x2C, 4, 0x0)  # VF BAR2: 32-bit memory
    return MockDevice(bytes(image), vf_bar_sizes={0: 0x4000, 2: 0x1000}, address="0000:01:00.0")


def test_vf_bars_size_like_bars():
    config = sriov_pf().config
    for offset in range(SRIOV + 0x24, SRIOV + 0x3C, 4):
        config.write32(offset, 0xFFFF_FFFF)
    assert config.read32(SRIOV + 0x24) == 0xFFFF_C00C  # 16 KiB per VF, type bits kept
    assert config.read32(SRIOV + 0x28) == 0xFFFF_FFFF  # its upper half
    assert config.read32(SRIOV + 0x2C) == 0xFFFF_F000  # 4 KiB, 32-bit
    assert config.read32(SRIOV + 0x30) == 0  # not implemented


def test_num_vfs_and_system_page_size_are_rw():
    config = sriov_pf().config
    config.write16(SRIOV + 0x10, 3)
    assert config.read16(SRIOV + 0x10) == 3
    config.write32(SRIOV + 0x20, 1 << 4)  # 64 KiB pages: supported (bit 4 of 0x553)
    assert config.read32(SRIOV + 0x20) == 1 << 4
    config.write32(SRIOV + 0x20, 1 << 2)  # 16 KiB: not supported, that bit stays 0
    assert config.read32(SRIOV + 0x20) == 0


def test_vf_enable_makes_num_vfs_functions_appear_at_offset_and_stride():
    pf = sriov_pf()
    pf.config.write16(SRIOV + 0x10, 3)  # NumVFs
    assert pf.virtual_functions == []
    pf.config.write16(SRIOV + 0x08, 0x1)  # VF Enable
    vfs = pf.virtual_functions
    assert [vf.address for vf in vfs] == [Address(0, 1, 0x10, 0), Address(0, 1, 0x10, 2), Address(0, 1, 0x10, 4)]
    assert all(vf.config.read32(0) == 0xFFFF_FFFF for vf in vfs)  # VF Vendor/Device ID read FFFFh
    assert vfs[0].config.read32(0x10) == 0 and vfs[0].config.read32(0x100) == 0  # no BARs, no SR-IOV
    assert vfs[1].open().find_capability(0x10) is not None  # each has its own PCIe capability
    vfs[1].config.write16(0x04, 0x0004)  # own config space: the PF's Command is untouched
    assert pf.config.read16(0x04) == 0
    pf.config.write16(SRIOV + 0x08, 0x0)
    assert pf.virtual_functions == []


def test_a_vfs_command_register_has_the_vf_attributes():  # 9.3.4.1.3
    image = bytearray(sriov_pf().config.peek(0, 4096).to_bytes(4096, "little"))
    _put(image, 0x04, 2, 0x0403)  # the PF's I/O, Memory Space and Interrupt Disable are set
    image[0x3D] = 1  # and it has INTA
    pf = MockDevice(bytes(image), vf_bar_sizes={0: 0x4000, 2: 0x1000})
    pf.config.write16(SRIOV + 0x10, 1)
    pf.config.write16(SRIOV + 0x08, 0x1)
    vf = pf.virtual_functions[0]
    assert vf.config.read16(0x04) == 0  # I/O, Memory Space Enable, Interrupt Disable: hardwired 0 in a VF
    vf.config.write16(0x04, 0xFFFF)
    assert vf.config.read16(0x04) == 0x0004  # only Bus Master Enable is RW (Parity Error Response, SERR#: RsvdP)
    assert vf.config.read8(0x3D) == 0 and vf.intx.pin is None  # a VF has no INTx
    assert pf.config.read16(0x04) == 0x0403  # the PF's own header keeps the PF attributes
    pf.config.write16(0x04, 0x0547)
    assert pf.config.read16(0x04) == 0x0547


def test_vf_bars_decode_memory_per_vf_while_vf_enable_and_vf_mse_are_set():  # 9.3.3.3.1, 9.3.3.3.4
    pf = sriov_pf()
    pf.config.write16(SRIOV + 0x10, 2)  # NumVFs
    pf.config.write16(SRIOV + 0x08, 0x1)  # VF Enable, VF MSE clear
    first, second = pf.virtual_functions
    assert (first.bar(0).size, first.bar(2).size) == (0x4000, 0x1000)  # one VF's share of each VF BAR
    assert first.bar(0).read32(0) == 0xFFFF_FFFF and first.violations  # no decode: master abort
    pf.config.write16(SRIOV + 0x08, 0x9)  # VF MSE
    first.bar(0).write32(0x3FFC, 0x1234_5678)
    assert first.bar(0).read32(0x3FFC) == 0x1234_5678
    assert second.bar(0).read32(0x3FFC) == 0  # each VF's memory is its own
    pf.config.write16(SRIOV + 0x08, 0x1)
    second.bar(2).write32(0, 1)
    assert second.violations and second.bar(2).peek(0, 4) == 0  # the write was dropped


def test_an_msix_table_in_a_vf_bar_is_the_vfs():
    image = bytearray(sriov_pf().config.peek(0, 4096).to_bytes(4096, "little"))
    _put(image, 0x40, 2, 0x5010)  # PCI Express, next: MSI-X at 0x50
    _put(image, 0x50, 4, 0x0001_0011)  # MSI-X, Table Size 2
    _put(image, 0x54, 4, 0x0000_0002)  # table: BIR 2, offset 0
    _put(image, 0x58, 4, 0x0000_0802)  # PBA: BIR 2, offset 0x800
    _put(image, 0x10, 4, 0)
    pf = MockDevice(bytes(image), vf_bar_sizes={0: 0x4000, 2: 0x1000})
    pf.config.write16(SRIOV + 0x10, 1)
    pf.config.write16(SRIOV + 0x08, 0x9)  # VF Enable, VF MSE
    vf = pf.virtual_functions[0]
    assert vf.bar(2).read32(0x0C) == 1  # Vector Control: masked at reset
    vf.config.write16(0x04, 0x0004)  # Bus Master
    vf.config.write16(0x52, 0xC000)  # MSI-X Enable, Function Mask
    vf.bar(2).write32(0x00, 0xFEE0_0000)
    vf.bar(2).write32(0x08, 0x41)
    vf.bar(2).write32(0x0C, 0)
    vf.config.write16(0x52, 0x8000)
    vf.msix.fire(0)
    assert [(m.kind, m.address, m.data) for m in vf.interrupts] == [("msix", 0xFEE0_0000, 0x41)]


def test_vf_resizable_bar_sets_the_size_per_vf_of_the_vf_bar():  # 9.3.7.5, 7.8.6
    image = bytearray(sriov_pf().config.peek(0, 4096).to_bytes(4096, "little"))
    _put(image, SRIOV, 4, 0x0010 | 1 << 16 | 0x140 << 20)  # SR-IOV, next: VF Resizable BAR at 0x140
    _put(image, 0x140, 4, 0x0024 | 1 << 16)
    _put(image, 0x144, 4, 0b11 << 4)  # 1 MiB and 2 MiB supported
    _put(image, 0x148, 4, 0 | 1 << 5 | 0 << 8)  # VF BAR 0, one resizable BAR, BAR Size 1 MiB
    pf = MockDevice(bytes(image), vf_bar_sizes={0: 0x10_0000, 2: 0x1000})
    pf.config.write32(0x148, 1 << 8)  # BAR Size: 2 MiB
    pf.config.write32(SRIOV + 0x24, 0xFFFF_FFFF)
    assert pf.config.read32(SRIOV + 0x24) == 0xFFE0_000C  # VF BAR0 sizes as 2 MiB per VF
    pf.config.write16(SRIOV + 0x10, 1)
    pf.config.write16(SRIOV + 0x08, 0x9)
    assert pf.virtual_functions[0].bar(0).size == 0x20_0000


def test_a_pf_reset_clears_vf_enable_and_the_vfs_go():  # 9.3.3.3.1: VF Enable resets to 0
    pf = sriov_pf()
    pf.config.write16(SRIOV + 0x10, 1)
    pf.config.write16(SRIOV + 0x08, 0x1)
    pf.reset()
    assert pf.config.read16(SRIOV + 0x08) == 0 and pf.virtual_functions == []


def test_vpd_handshake_reads_and_writes_the_contents():
    image = _endpoint(256)
    image[0x34] = 0x60
    image[0x60] = 0x03  # VPD capability: Address at +2, Data at +4
    contents = b"\x82\x05\x00HELLO\x78\x00\x00\x00"
    dev = MockDevice(bytes(image), vpd=contents)
    config = dev.config
    config.write16(0x62, 0x0004)  # read dword 1, F clear
    assert config.read16(0x62) == 0x8004  # F set: data ready
    assert config.read32(0x64) == int.from_bytes(contents[4:8], "little")
    config.write32(0x64, 0x4443_4241)
    config.write16(0x62, 0x8008)  # write dword 2, F set
    assert config.read16(0x62) == 0x0008  # F cleared: written
    assert bytes(dev.vpd.contents[8:12]) == b"ABCD"


def test_slot_control_write_sets_command_completed():
    image = _endpoint()
    _put(image, 0x0E, 1, 0x01)  # a bridge header: downstream port with a slot
    _put(image, 0x42, 2, 0x0002 | 6 << 4 | 0x100)
    _put(image, 0x54, 4, 1 << 6)  # Slot Capabilities: Hot-Plug Capable
    dev = MockDevice(bytes(image))
    dev.config.write16(0x58, 1 << 5)  # Hot-Plug Interrupt Enable
    assert dev.config.read16(0x5A) & 1 << 4  # Command Completed
    dev.config.write16(0x5A, 1 << 4)  # RW1C
    assert not dev.config.read16(0x5A) & 1 << 4


@pytest.mark.parametrize("raw, size, ones", [
    (0x1, 0x400, 0xFFFF_FC01),  # 1 KiB I/O BAR (AC97)
    (0x1, 0x1_0000, 0xFFFF_0001),  # 64 KiB, the largest I/O BAR
    (0x1, 4, 0xFFFF_FFFD),  # 4 bytes, the smallest
])
def test_io_bars_from_4_bytes_to_64_kib(raw, size, ones):
    image = _endpoint(256)
    _put(image, 0x10, 4, raw)
    dev = MockDevice(bytes(image), {0: size})
    dev.config.write32(0x10, 0xFFFF_FFFF)
    assert dev.config.read32(0x10) == ones


def test_memory_bar_of_2_pow_63():
    image = _endpoint(256)
    _put(image, 0x10, 4, 0x4)  # 64-bit memory
    dev = MockDevice(bytes(image), {0: 1 << 63})
    dev.config.write32(0x10, 0xFFFF_FFFF)
    dev.config.write32(0x14, 0xFFFF_FFFF)
    assert (dev.config.read32(0x10), dev.config.read32(0x14)) == (0x4, 0x8000_0000)


def test_io_bar_above_64_kib_is_refused():
    image = _endpoint(256)
    _put(image, 0x10, 4, 0x1)
    with pytest.raises(ValueError, match="I/O|io"):
        MockDevice(bytes(image), {0: 0x2_0000})


def virtio_with_pci_cfg() -> MockDevice:
    """A virtio-net function: BAR 4 (16 KiB), a PCI configuration access capability at 0x40."""
    image = bytearray(256)
    _put(image, 0, 4, 0x1041_1AF4)
    _put(image, 0x06, 2, 0x0010)
    _put(image, 0x20, 4, 0x0)  # BAR 4, 32-bit memory
    image[0x34] = 0x40
    # cap_vndr 0x09, next 0, cap_len 20, cfg_type 5 (PCI_CFG); bar, id, padding; offset; length
    image[0x40:0x44] = bytes([0x09, 0x00, 20, 5])
    return MockDevice(bytes(image), {4: 0x4000})


def test_virtio_pci_cfg_window_reaches_the_bar():
    dev = virtio_with_pci_cfg()
    config, bar = dev.config, dev.bar(4)
    dev.config.write16(0x04, 0x0002)
    bar.write32(0x1000, 0x1234_5678)
    config.write8(0x44, 4)  # bar
    config.write32(0x48, 0x1000)  # offset
    config.write32(0x4C, 4)  # length
    assert (config.read8(0x44), config.read32(0x48), config.read32(0x4C)) == (4, 0x1000, 4)  # RW
    assert config.read32(0x50) == 0x1234_5678  # pci_cfg_data
    config.write32(0x48, 0x1004)
    config.write32(0x50, 0xCAFE_F00D)
    assert bar.read32(0x1004) == 0xCAFE_F00D
    config.write32(0x4C, 2)
    config.write32(0x48, 0x1002)
    assert config.read32(0x50) == 0x1234
    config.write32(0x4C, 3)  # not 1, 2 or 4: the access reaches pci_cfg_data only
    config.write32(0x50, 0x5555_AAAA)
    assert config.read32(0x50) == 0x5555_AAAA and bar.read32(0x1000) == 0x1234_5678 and dev.violations


def test_virtio_window_fields_are_read_only_in_other_virtio_capabilities():
    image = bytearray(virtio_with_pci_cfg().config.read_block(0, 256))
    image[0x43] = 1  # common configuration capability
    dev = MockDevice(bytes(image), {4: 0x4000})
    dev.config.write8(0x44, 2)
    assert dev.config.read8(0x44) == 0


def test_resizable_bar_size_changes_what_sizing_reads_back():
    image = _endpoint()
    _put(image, 0x10, 4, 0xC)  # BAR 0: 64-bit prefetchable memory
    _put(image, 0x100, 4, 0x0015 | 1 << 16)  # Resizable BAR
    _put(image, 0x104, 4, 0b111 << 4)  # supports 1, 2 and 4 MiB
    _put(image, 0x108, 4, 0 | 1 << 5 | 0 << 8)  # BAR 0, one resizable BAR, now 1 MiB
    dev = MockDevice(bytes(image), {0: 1 << 20})
    config = dev.config
    config.write32(0x10, 0xFFFF_FFFF)
    assert config.read32(0x10) == 0xFFF0_000C
    config.write32(0x108, 2 << 8)  # BAR Size: 4 MiB
    assert config.read32(0x108) & 0x3F00 == 2 << 8
    config.write32(0x10, 0xFFFF_FFFF)
    assert config.read32(0x10) == 0xFFC0_000C
    assert dev.bar(0).size == 4 << 20
    dev.reset()  # a function reset returns BAR Size to the device's default, and the BAR with it
    assert config.read32(0x108) & 0x3F00 == 0
    config.write32(0x10, 0xFFFF_FFFF)
    assert config.read32(0x10) == 0xFFF0_000C and dev.bar(0).size == 1 << 20
