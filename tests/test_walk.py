"""Capability walks on hostile chains: loops, ID 0xff, header pointers, truncation, all-ones."""
from __future__ import annotations

import pcikit
from pcikit.access import BytesConfig
from pcikit.model import Device
from pcikit.address import Address

from .conftest import put


def _device(data: bytes, size: int = None) -> Device:
    return Device(Address(0, 0, 1, 0), BytesConfig(bytes(data), size))


def _with_caps(chain: list[tuple[int, int, int]], size: int = 256) -> bytearray:
    """Type 0 header whose capability list is (offset, id, next) entries."""
    buf = bytearray(size)
    put(buf, 0, 2, 0x1234)
    put(buf, 6, 2, 0x0010)  # Status.CapList
    buf[0x34] = chain[0][0] if chain else 0
    for offset, cap_id, nxt in chain:
        buf[offset], buf[offset + 1] = cap_id, nxt
    return buf


def test_plain_chain():
    dev = _device(_with_caps([(0x40, 0x01, 0x50), (0x50, 0x05, 0)]))
    assert [(c.offset, c.cap_id) for c in dev.capabilities] == [(0x40, 1), (0x50, 5)]
    assert dev.capability_stop is None


def test_loop_is_recorded_and_walk_ends():
    dev = _device(_with_caps([(0x40, 0x01, 0x50), (0x50, 0x05, 0x40)]))
    assert len(dev.capabilities) == 2
    assert dev.capability_stop.reason == "looped" and dev.capability_stop.offset == 0x40
    assert any("loops" in p for p in dev.problems)


def test_self_loop_and_low_bits_masked():
    dev = _device(_with_caps([(0x40, 0x01, 0x43)]))
    assert dev.capability_stop.reason == "looped"


def test_id_ff_is_broken_chain():
    dev = _device(_with_caps([(0x40, 0x01, 0x50), (0x50, 0xFF, 0)]))
    assert [c.offset for c in dev.capabilities] == [0x40]
    assert dev.capability_stop.reason == "broken"


def test_pointer_into_header_is_followed_but_reported():
    dev = _device(_with_caps([(0x08, 0x01, 0)]))
    assert dev.capabilities[0].offset == 0x08
    assert any("inside the header" in p for p in dev.problems)


def test_64_byte_read_is_access_denied():
    buf = _with_caps([(0x40, 0x01, 0)])
    dev = _device(buf[:64])
    assert dev.capabilities == []
    assert dev.capability_stop.reason == "access denied"
    assert any("needs root" in p for p in dev.problems)


def test_caplist_bit_clear_means_no_walk():
    buf = _with_caps([(0x40, 0x01, 0)])
    put(buf, 6, 2, 0)
    assert _device(buf).capabilities == []


def _express_with_ext(ext: list[tuple[int, int]], size: int = 4096) -> bytearray:
    buf = _with_caps([(0x40, 0x10, 0)], size)
    put(buf, 0x42, 2, 0x0002)
    for offset, header in ext:
        put(buf, offset, 4, header)
    return buf


def test_extended_walk_needs_pcie_and_4096_bytes():
    header = (0x0 << 20) | (1 << 16) | 0x0003
    dev = _device(_express_with_ext([(0x100, header)]))
    assert [(c.offset, c.cap_id, c.version) for c in dev.extended_capabilities] == [(0x100, 3, 1)]
    short = _device(_express_with_ext([(0x100, header)])[:256])
    assert short.extended_capabilities == []


def test_extended_loop_and_terminators():
    looped = _device(_express_with_ext([(0x100, (0x100 << 20) | 0x0001)]))
    assert looped.extended_stop.reason == "looped"
    for terminator in (0, 0xFFFFFFFF):
        dev = _device(_express_with_ext([(0x100, (0x140 << 20) | 0x0001), (0x140, terminator)]))
        assert len(dev.extended_capabilities) == 1 and dev.extended_stop is None


def test_all_ones_device_is_a_problem_not_an_error():
    dev = pcikit.from_bytes(b"\xff" * 256)
    assert dev.vendor_id == 0xFFFF
    assert any("all ones" in p for p in dev.problems)


def test_interrupt_pin_semantics():
    buf = _with_caps([])
    for pin, name in ((0, None), (1, "INTA"), (4, "INTD")):
        buf[0x3D] = pin
        assert _device(buf).interrupt.pin == name
    buf[0x3D], buf[0x3C] = 7, 0xFF
    dev = _device(buf)
    assert dev.interrupt.pin is None and dev.interrupt.reserved_pin and dev.interrupt.line is None
    assert any("reserved Interrupt Pin" in p for p in dev.problems)
