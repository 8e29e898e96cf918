"""Register attributes of the less common capabilities, driven through MockDevice as a driver does.

Every expectation comes from the capability's specification (offsets and bit numbers are the
spec's); the images are built here byte by byte.
"""
from __future__ import annotations

from pcikit.testing import MockDevice

from .test_catalogue import ENDPOINT, _put, express_function


def _function(cap_id: int, body: bytes, *, header_type: int = 0, status: int = 0x0010) -> bytearray:
    """A conventional function with one capability at 0x40 (``body`` follows ID and Next)."""
    image = bytearray(256)
    _put(image, 0, 4, 0x1234_8086)
    _put(image, 0x06, 2, status)
    image[0x0E] = header_type
    image[0x34] = 0x40
    image[0x40], image[0x41] = cap_id, 0
    image[0x42:0x42 + len(body)] = body
    return image


def _express_with(ecap: int, body: dict[int, tuple[int, int]], lnkcap: int = 0x21) -> MockDevice:
    """A PCIe endpoint (x2 link unless ``lnkcap`` says otherwise) with one extended capability at 0x100."""
    image = express_function(ENDPOINT, lnkcap=lnkcap)
    _put(image, 0x100, 4, ecap | 1 << 16)
    for offset, (width, value) in body.items():
        _put(image, 0x100 + offset, width, value)
    return MockDevice(bytes(image))


def _af(capabilities: int) -> MockDevice:
    return MockDevice(bytes(_function(0x13, bytes([0x06, capabilities, 0, 0]))))


def test_advanced_features_initiate_flr_resets_the_function_and_reads_zero():
    dev = _af(0x03)  # AF Capabilities: TP and FLR supported
    dev.config.write16(0x04, 0x0006)  # Memory Space, Bus Master
    dev.config.write8(0x3C, 0x0B)  # Interrupt Line
    dev.config.write8(0x44, 0x01)  # AF Control: Initiate FLR (PCI AF ECN, 0x04)
    assert dev.config.read16(0x04) == 0
    assert dev.config.read8(0x44) == 0  # Initiate FLR always reads 0
    assert dev.config.read8(0x43) == 0x03  # AF Capabilities are HwInit


def test_advanced_features_initiate_flr_is_read_only_without_flr_capability():
    dev = _af(0x01)  # TP only
    dev.config.write16(0x04, 0x0006)
    dev.config.write8(0x44, 0x01)
    assert dev.config.read8(0x44) == 0 and dev.config.read16(0x04) == 0x0006


def test_pcix_command_controls_are_rw_and_status_errors_rw1c():
    command = 0x0002  # Enable Relaxed Ordering (its reset value)
    status = 0x0003_0000 | 1 << 18 | 1 << 19 | 1 << 29  # 64-bit, 133 MHz, three error bits set
    dev = MockDevice(bytes(_function(0x07, command.to_bytes(2, "little") + status.to_bytes(4, "little"))))
    dev.config.write16(0x42, 0xFFFF)  # PCI-X Command: bits 6:0 RW (PCI-X 2.0 7.2.3), version RO
    assert dev.config.read16(0x42) == 0x007F
    dev.config.write32(0x44, 1 << 19)  # PCI-X Status: clear Unexpected Split Completion only
    assert dev.config.read32(0x44) == 0x0003_0000 | 1 << 18 | 1 << 29
    dev.config.write32(0x44, 0xFFFF_FFFF)
    assert dev.config.read32(0x44) == 0x0003_0000  # capability bits are HwInit
    dev.reset()
    assert dev.config.read16(0x42) == 0x0002  # Enable Relaxed Ordering resets to 1


def _doe(capabilities: int, status: int) -> MockDevice:
    """A PCIe endpoint with a DOE capability at 0x100 (PCIe 6.0 7.9.24); a response dword waits in
    the Read Data Mailbox."""
    return _express_with(0x002E, {0x04: (4, capabilities), 0x0C: (4, status), 0x14: (4, 0x1234_5678)})


def test_doe_abort_ends_the_exchange_and_reads_zero():
    dev = _doe(0, status=1 << 31 | 1 << 2 | 1)  # Data Object Ready, DOE Error, DOE Busy
    dev.config.write32(0x108, 0x0000_0001)  # DOE Control: DOE Abort
    assert dev.config.read32(0x108) == 0  # DOE Abort always reads 0 (7.9.24.3)
    assert dev.config.read32(0x10C) == 0
    assert dev.config.read32(0x114) == 0


def test_doe_go_reads_zero_and_interrupt_enable_needs_interrupt_support():
    plain, capable = _doe(0, 0), _doe(1, 0)
    for dev, enable in ((plain, 0), (capable, 2)):
        dev.config.write32(0x108, 1 << 31 | 1 << 1)  # DOE Go, DOE Interrupt Enable
        assert dev.config.read32(0x108) == enable


def test_doe_interrupt_status_is_rw1c():
    dev = _doe(1, status=1 << 1)
    dev.config.write32(0x10C, 0)
    assert dev.config.read32(0x10C) == 1 << 1
    dev.config.write32(0x10C, 1 << 1)
    assert dev.config.read32(0x10C) == 0


def test_doe_read_data_mailbox_write_takes_the_next_dword():
    dev = _doe(0, status=1 << 31)
    assert dev.config.read32(0x114) == 0x1234_5678
    dev.config.write32(0x114, 0)  # a successful read; no further dword queued
    assert dev.config.read32(0x114) == 0


def _cxl_device(capability: int, lock: int = 0) -> MockDevice:
    """A PCIe endpoint with the PCIe DVSEC for CXL Devices at 0x100 (CXL 3.0 8.1.3)."""
    return _express_with(0x0023, {
        0x04: (4, 0x1E98 | 2 << 16 | 0x3C << 20),  # CXL vendor, revision 2, length 0x3C
        0x08: (2, 0x0000),  # DVSEC ID 0: PCIe DVSEC for CXL Devices
        0x0A: (2, capability),
        0x0E: (2, 1 << 14),  # DVSEC CXL Status: Viral_Status
        0x14: (2, lock),
    })


def test_cxl_mem_enable_is_writable_only_when_mem_capable_and_unlocked():
    mem_capable = 1 << 2 | 1 << 1  # Mem_Capable, IO_Capable
    for dev, expected in ((_cxl_device(mem_capable), 1 << 2), (_cxl_device(0x0002), 0),
                          (_cxl_device(mem_capable, lock=1), 0)):
        dev.config.write16(0x10C, 1 << 2)  # DVSEC CXL Control: Mem_Enable (RWL)
        assert dev.config.read16(0x10C) & 1 << 2 == expected


def test_cxl_viral_status_is_rw1c_and_sticky():
    dev = _cxl_device(1 << 14)
    dev.config.write16(0x10C, 0)
    dev.reset()
    assert dev.config.read16(0x10E) == 1 << 14  # sticky across a reset other than cold
    dev.config.write16(0x10E, 1 << 14)
    assert dev.config.read16(0x10E) == 0


def test_cxl_config_lock_sets_and_cannot_be_cleared():
    dev = _cxl_device(0x0006)
    dev.config.write16(0x114, 1)
    dev.config.write16(0x114, 0)
    assert dev.config.read16(0x114) == 1


def test_margining_lane_control_is_rw_per_lane_and_resets_to_no_command():
    dev = _express_with(0x0027, {0x08: (2, 0x9C38), 0x0C: (2, 0x9C38)})  # both lanes: no command
    dev.config.write16(0x10C, 0x0A5B)  # lane 1: receiver 3, margin type 3, payload 0x0A
    assert dev.config.read16(0x10C) == 0x0A5B
    assert dev.config.read16(0x10A) == 0  # Margining Lane Status is RO
    dev.config.write16(0x10E, 0xFFFF)
    assert dev.config.read16(0x10E) == 0
    assert dev.config.read16(0x110) == 0  # past the x2 link's lanes: nothing writable
    dev.config.write16(0x110, 0xFFFF)
    assert dev.config.read16(0x110) == 0
    dev.reset()
    assert dev.config.read16(0x10C) == 0x9C38  # Margin Type 111b, Margin Payload 9Ch (PCIe 7.7.7.4)


def test_ide_link_stream_control_is_rw_and_integrity_fail_rw1c():
    capability = 1 << 0  # Link IDE Stream Supported, one TC
    dev = _express_with(0x0030, {0x04: (4, capability), 0x10: (4, 1 << 31)})
    dev.config.write32(0x10C, 0xFFFF_FFFF)  # Link IDE Stream Control 0
    # Enable, Selected Algorithm, TC and Stream ID; aggregation, PCRC, partial header and XT not supported
    assert dev.config.read32(0x10C) == 0xFF00_0000 | 0b111 << 19 | 0x1F << 14 | 1
    dev.config.write32(0x110, 1 << 31)  # Link IDE Stream Status: Received Integrity Check Fail Message
    assert dev.config.read32(0x110) == 0


def test_cxl_config_lock_makes_the_rwl_controls_read_only_until_a_reset():  # CXL 3.0 8.1.3.2, 8.1.3.6
    dev = _cxl_device(1 << 2 | 1 << 1)  # Mem_Capable, IO_Capable
    dev.config.write16(0x10C, 1 << 2)  # Mem_Enable (RWL), while unlocked
    dev.config.write32(0x120, 0x0000_0010)  # Range 1 Base High (RWL)
    dev.config.write16(0x114, 1)  # CONFIG_LOCK
    dev.config.write16(0x10C, 0)
    dev.config.write32(0x120, 0)
    assert dev.config.read16(0x10C) & 1 << 2 and dev.config.read32(0x120) == 0x10  # locked: read-only
    dev.reset(cold=True)
    assert dev.config.read16(0x114) == 0 and dev.config.read16(0x10C) & 1 << 2 == 0
    dev.config.write16(0x10C, 1 << 2)  # unlocked again
    assert dev.config.read16(0x10C) & 1 << 2


def _ea(entries: list[tuple[int, list[int]]]) -> MockDevice:
    """A function with an Enhanced Allocation capability: (header, following dwords) per entry."""
    body = bytearray([len(entries), 0])
    for header, dwords in entries:
        body += (header | len(dwords)).to_bytes(4, "little")  # Entry Size: the dwords that follow
        body += b"".join(d.to_bytes(4, "little") for d in dwords)
    return MockDevice(bytes(_function(0x14, bytes(body))))


def test_ea_entry_enable_is_rw_only_where_the_entry_says_writable():  # PCIe 6.0 7.8.5.3
    writable, enable = 1 << 30, 1 << 31
    dev = _ea([(writable, [0xFEB0_0000, 0x0000_0FFC, 0]),  # an extra dword: the next entry is at +0x10
               (enable, [0xFEB1_0000, 0x0000_0FFC]),
               (writable, [0xFEB2_0000, 0x0000_0FFC])])
    first, second, third = 0x44, 0x54, 0x60
    dev.config.write32(first, enable | writable | 3)
    dev.config.write32(second, 0)
    dev.config.write32(third, enable | writable | 2)
    assert dev.config.read32(first) == enable | writable | 3
    assert dev.config.read32(second) == enable | 2  # Enable HwInit without Writable
    assert dev.config.read32(third) == enable | writable | 2
    dev.config.write32(first + 4, 0)
    assert dev.config.read32(first + 4) == 0xFEB0_0000  # Base: HwInit
    dev.reset()
    assert dev.config.read32(first) == writable | 3  # Enable's default is the firmware's


def test_masks_a_test_defined_stay_when_config_lock_is_set():
    dev = _cxl_device(1 << 2 | 1 << 1)
    dev.config.define_register(0x10C, 2, writable=1 << 2)  # the test's own masks win over the catalogue
    dev.config.write16(0x114, 1)
    dev.config.write16(0x10C, 1 << 2)
    assert dev.config.read16(0x10C) & 1 << 2
