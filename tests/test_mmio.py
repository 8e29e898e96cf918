"""Region: exact-width little-endian loads/stores, refused before memory is touched."""
from __future__ import annotations

import mmap
import os
import sys
import tempfile

import pytest

from pcikit.errors import (
    MisalignedAccessError, OutOfRangeAccessError, PcikitError, ReadOnlyError, RegionAccessError,
)
from pcikit.mmio import BarRegion, ByteSwappedRegion, Region

PATTERN = bytes((i * 37 + 11) & 0xFF for i in range(4096))
WIDTHS = (1, 2, 4, 8)


def _le(data: bytes, offset: int, width: int) -> int:
    return int.from_bytes(data[offset : offset + width], "little")


@pytest.fixture
def mapped():
    """A 4096-byte temp file holding PATTERN, mapped shared and writable."""
    with tempfile.TemporaryFile() as backing:
        backing.write(PATTERN)
        backing.flush()
        mm = mmap.mmap(backing.fileno(), len(PATTERN))
        region = Region(mm, owner=mm)
        yield region, backing
        region.close()


def _reader(region: BarRegion, width: int):
    return getattr(region, f"read{width * 8}")


def _writer(region: BarRegion, width: int):
    return getattr(region, f"write{width * 8}")


@pytest.mark.parametrize("width", WIDTHS)
def test_reads_are_little_endian_values_of_the_bytes(mapped, width):
    region, _ = mapped
    for offset in range(0, 4096, width * 3):
        assert _reader(region, width)(offset) == _le(PATTERN, offset, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_last_aligned_offset_reads_and_the_next_is_refused(mapped, width):
    region, _ = mapped
    assert _reader(region, width)(4096 - width) == _le(PATTERN, 4096 - width, width)
    with pytest.raises(OutOfRangeAccessError):
        _reader(region, width)(4096)


@pytest.mark.parametrize("width", (2, 4, 8))
def test_misaligned_offsets_are_refused(mapped, width):
    region, _ = mapped
    for offset in range(1, width):
        with pytest.raises(MisalignedAccessError, match="aligned"):
            _reader(region, width)(offset)
        with pytest.raises(MisalignedAccessError):
            _writer(region, width)(offset, 0)


@pytest.mark.parametrize("width", WIDTHS)
def test_negative_offsets_are_refused_not_wrapped(mapped, width):
    region, _ = mapped
    with pytest.raises(OutOfRangeAccessError):
        _reader(region, width)(-width)
    with pytest.raises(OutOfRangeAccessError):
        _writer(region, width)(-width, 0)


def test_errors_are_pcikit_errors_with_one_line_messages(mapped):
    region, _ = mapped
    with pytest.raises(RegionAccessError) as info:
        region.read32(0x2000)
    assert isinstance(info.value, PcikitError)
    assert str(info.value) == "32-bit access at 0x2000 is outside the region of 0x1000 bytes"
    assert (info.value.offset, info.value.width, info.value.size) == (0x2000, 4, 0x1000)


@pytest.mark.parametrize("width", WIDTHS)
def test_writes_store_little_endian_into_the_file(mapped, width):
    region, backing = mapped
    value = int.from_bytes(bytes(range(0xA1, 0xA1 + width)), "little")
    _writer(region, width)(64, value)
    assert os.pread(backing.fileno(), width, 64) == bytes(range(0xA1, 0xA1 + width))
    assert os.pread(backing.fileno(), 1, 64 + width) == PATTERN[64 + width : 65 + width]
    assert _reader(region, width)(64) == value


@pytest.mark.parametrize("width", WIDTHS)
def test_values_that_do_not_fit_are_refused_and_nothing_is_stored(mapped, width):
    region, backing = mapped
    for value in (1 << (8 * width), -1):
        with pytest.raises(RegionAccessError, match="does not fit"):
            _writer(region, width)(0, value)
    assert os.pread(backing.fileno(), 8, 0) == PATTERN[:8]


def test_region_smaller_than_its_mapping_refuses_the_tail():
    """A BAR of 100 bytes inside a mapped page: offsets 100+ are refused, odd tails too."""
    region = Region(bytearray(PATTERN[:128]), size=100)
    assert region.size == 100
    assert region.read8(99) == PATTERN[99]
    assert region.read32(96) == _le(PATTERN, 96, 4)
    for call in (lambda: region.read8(100), lambda: region.read16(100), lambda: region.read64(96)):
        with pytest.raises(OutOfRangeAccessError):
            call()


def test_size_larger_than_the_buffer_is_rejected():
    with pytest.raises(ValueError):
        Region(bytearray(16), size=32)


def test_read_only_mapping_refuses_writes_and_keeps_memory():
    with tempfile.TemporaryFile() as backing:
        backing.write(PATTERN)
        backing.flush()
        mm = mmap.mmap(backing.fileno(), 4096, access=mmap.ACCESS_READ)
        with Region(mm, owner=mm) as region:
            assert region.readonly
            for width in WIDTHS:
                with pytest.raises(ReadOnlyError, match="read-only"):
                    _writer(region, width)(0, 0)
            assert region.read64(0) == _le(PATTERN, 0, 8)
        assert mm.closed


def test_readonly_flag_on_a_writable_buffer():
    buf = bytearray(8)
    region = Region(buf, readonly=True)
    with pytest.raises(ReadOnlyError):
        region.write8(0, 1)
    assert buf == bytearray(8)


def test_bytes_give_a_read_only_region():
    assert Region(b"\x01\x02\x03\x04").readonly


def test_memfd_backed_region():
    if not hasattr(os, "memfd_create"):
        pytest.skip("os.memfd_create is not available on this platform")
    fd = os.memfd_create("pcikit-bar")
    try:
        os.write(fd, PATTERN)
        mm = mmap.mmap(fd, 4096)
        with Region(mm, owner=mm) as region:
            region.write32(0x100, 0x11223344)
            assert os.pread(fd, 4, 0x100) == bytes((0x44, 0x33, 0x22, 0x11))
            assert region.read16(0x102) == 0x1122
    finally:
        os.close(fd)


def test_close_releases_views_so_the_mmap_closes():
    with tempfile.TemporaryFile() as backing:
        backing.truncate(4096)
        mm = mmap.mmap(backing.fileno(), 4096)
        region = Region(mm, owner=mm)
        region.close()
        assert mm.closed


def test_byte_swapped_region_swaps_values_not_accesses():
    """What Region does on a big-endian host: values come out in the other byte order."""
    other = "big" if sys.byteorder == "little" else "little"
    buf = bytearray(PATTERN[:64])
    region = ByteSwappedRegion(buf)
    assert region.read8(5) == PATTERN[5]
    for width in (2, 4, 8):
        assert _reader(region, width)(8) == int.from_bytes(PATTERN[8 : 8 + width], other)
    region.write32(16, 0x01020304)
    assert bytes(buf[16:20]) == (0x01020304).to_bytes(4, other)
    with pytest.raises(RegionAccessError):
        region.write16(0, 0x10000)


def test_region_picks_the_host_byte_order():
    expected = ByteSwappedRegion if sys.byteorder == "big" else Region
    assert type(Region(bytearray(8))) is expected
    assert Region(bytearray(b"\x01\x00\x00\x00")).read32(0) == 1


def test_bar_region_is_the_interface():
    assert isinstance(Region(bytearray(8)), BarRegion)
    with pytest.raises(TypeError):
        BarRegion()  # type: ignore[abstract]

    class Partial(BarRegion):
        def read32(self, offset):
            return 0

    with pytest.raises(TypeError):
        Partial()  # type: ignore[abstract]
