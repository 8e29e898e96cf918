"""virtio-pci: structures from the vendor capabilities, the common configuration through a BAR region."""
from __future__ import annotations

import pytest

from pcikit.access import BytesConfig
from pcikit.access.base import KernelInfo, Resource
from pcikit.address import Address
from pcikit.mmio import BarRegion, Region
from pcikit.model import Device
from pcikit.virtio import (
    COMMON, DEVICE, ISR, NOTIFY, read_common_config, read_isr, virtio_layout,
)

from .conftest import put

# (capability offset, cfg_type, bar, offset, length, notify multiplier)
CAPS = [(0x40, COMMON, 4, 0x0000, 0x38, None), (0x50, NOTIFY, 4, 0x3000, 0x1000, 4),
        (0x68, ISR, 4, 0x1000, 0x1000, None), (0x78, DEVICE, 4, 0x2000, 0x100, None)]
BAR_SIZE = 0x4000


def config(caps=CAPS, vendor=0x1AF4, device_id=0x1041) -> bytes:
    img = bytearray(256)
    put(img, 0x00, 2, vendor)
    put(img, 0x02, 2, device_id)
    put(img, 0x06, 2, 0x0010)
    put(img, 0x20, 4, 0xE000000C)  # BAR 4: 64-bit prefetchable memory
    put(img, 0x24, 4, 0x1)
    put(img, 0x34, 1, caps[0][0])
    for index, (at, cfg_type, bar, offset, length, multiplier) in enumerate(caps):
        following = caps[index + 1][0] if index + 1 < len(caps) else 0
        cap_len = 20 if multiplier is not None else 16
        img[at : at + 4] = bytes((0x09, following, cap_len, cfg_type))
        img[at + 4] = bar
        put(img, at + 8, 4, offset)
        put(img, at + 12, 4, length)
        if multiplier is not None:
            put(img, at + 16, 4, multiplier)
    return bytes(img)


def device(data=None, kernel=None) -> Device:
    return Device(Address.parse("0000:00:03.0"), BytesConfig(data or config()), kernel)


class CommonModel(BarRegion):
    """A BAR 4 whose common configuration behaves as the virtio spec says (selectors, queues)."""

    def __init__(self) -> None:
        self.size, self.readonly = BAR_SIZE, False
        self.device_features = 0x1_3000_0020  # VERSION_1 (bit 32) and a few low bits
        self.driver_features = 0x1_0000_0000
        self.regs = {0x00: 1, 0x08: 0, 0x10: 0xFFFF, 0x12: 3, 0x14: 0x0F, 0x15: 7, 0x16: 2}
        self.queues = [{0x18: 256 >> q, 0x1A: q, 0x1C: 1, 0x1E: q,
                        0x20: 0x1000 * (q + 1), 0x24: q, 0x28: 0x2000, 0x2C: 0, 0x30: 0x3000, 0x34: 0}
                       for q in range(3)]
        self.log: list[tuple[str, int]] = []

    def _value(self, offset: int) -> int:
        if offset == 0x04:
            return self.device_features >> (32 * self.regs[0x00]) & 0xFFFFFFFF
        if offset == 0x0C:
            return self.driver_features >> (32 * self.regs[0x08]) & 0xFFFFFFFF
        if 0x18 <= offset < 0x38:
            return self.queues[self.regs[0x16]][offset]
        if offset == 0x1000:
            return 0x3  # ISR status; a real device clears it here
        return self.regs.get(offset, 0)

    def read8(self, offset): self.log.append(("read8", offset)); return self._value(offset)
    def read16(self, offset): self.log.append(("read16", offset)); return self._value(offset)
    def read32(self, offset): self.log.append(("read32", offset)); return self._value(offset)
    def read64(self, offset): raise AssertionError("virtio common config has no 64-bit accesses")
    def write8(self, offset, value): raise AssertionError("unexpected write8")
    def write64(self, offset, value): raise AssertionError("unexpected write64")

    def write16(self, offset, value):
        self.log.append(("write16", offset))
        self.regs[offset] = value

    def write32(self, offset, value):
        self.log.append(("write32", offset))
        self.regs[offset] = value


def test_layout_locates_each_structure():
    layout = virtio_layout(device())
    assert layout is not None and layout.problems == []
    assert [(s.cfg_type, s.name, s.bar, s.offset, s.length) for s in layout.structures] == [
        (COMMON, "common", 4, 0, 0x38), (NOTIFY, "notify", 4, 0x3000, 0x1000),
        (ISR, "isr", 4, 0x1000, 0x1000), (DEVICE, "device", 4, 0x2000, 0x100)]
    assert layout.first(NOTIFY).notify_off_multiplier == 4
    assert layout.notify_offset(5) == 0x3000 + 5 * 4


def test_non_virtio_vendor_has_no_layout():
    assert virtio_layout(device(config(vendor=0x8086))) is None


def test_read_only_reads_current_selections_and_writes_nothing():
    model = CommonModel()
    layout = virtio_layout(device())
    common, why = read_common_config(layout, {4: model})
    assert why is None
    assert (common.device_feature_select, common.device_feature) == (1, 0x1)
    assert (common.msix_config, common.num_queues, common.device_status, common.config_generation) == (
        None, 3, 0x0F, 7)
    assert common.status_names == ["ACKNOWLEDGE", "DRIVER", "DRIVER_OK", "FEATURES_OK"]
    assert common.device_features is None
    assert [q.index for q in common.queues] == [2]
    queue = common.queues[0]
    assert (queue.size, queue.msix_vector, queue.enable, queue.notify_off) == (64, 2, True, 2)
    assert (queue.desc, queue.driver, queue.device) == (0x2_0000_3000, 0x2000, 0x3000)
    assert queue.notify_offset == 0x3000 + 2 * 4
    assert not [entry for entry in model.log if entry[0].startswith("write")]
    assert not [entry for entry in model.log if 0x1000 <= entry[1] < 0x2000]  # never the ISR


def test_natural_widths():
    model = CommonModel()
    read_common_config(virtio_layout(device()), {4: model})
    widths = dict((offset, name) for name, offset in model.log)
    assert widths[0x00] == widths[0x04] == widths[0x20] == widths[0x24] == "read32"
    assert widths[0x10] == widths[0x12] == widths[0x16] == widths[0x18] == "read16"
    assert widths[0x14] == widths[0x15] == "read8"


def test_with_writes_every_feature_word_and_queue_then_selectors_restored():
    model = CommonModel()
    common, _ = read_common_config(virtio_layout(device()), {4: model}, allow_writes=True)
    assert common.device_features == model.device_features
    assert common.driver_features == model.driver_features
    assert [(q.index, q.size, q.notify_offset) for q in common.queues] == [
        (0, 256, 0x3000), (1, 128, 0x3004), (2, 64, 0x3008)]
    assert (model.regs[0x00], model.regs[0x08], model.regs[0x16]) == (1, 0, 2)


def test_writes_need_a_writable_region():
    image = bytearray(BAR_SIZE)
    put(image, 0x12, 2, 2)
    common, _ = read_common_config(virtio_layout(device()), {4: Region(bytes(image))}, allow_writes=True)
    assert common.device_features is None and len(common.queues) == 1


def test_isr_is_read_only_when_asked():
    model = CommonModel()
    assert read_isr(virtio_layout(device()), {4: model}) == 3
    assert model.log == [("read8", 0x1000)]


def test_unmapped_and_short_structures():
    layout = virtio_layout(device())
    assert read_common_config(layout, {}) == (None, "BAR 4 (virtio common configuration) is not mapped")
    assert read_isr(layout, {}) is None
    short = [(0x40, COMMON, 4, 0, 0x20, None)]
    layout = virtio_layout(device(config(short)))
    assert layout.problems == ["virtio common structure is 0x20 bytes, shorter than 0x38"]
    common, why = read_common_config(layout, {4: CommonModel()})
    assert common is None and "too short" in why


def test_structure_past_the_bar_is_a_problem():
    kernel = KernelInfo(resources=[Resource(0, 0, 0)] * 4 + [Resource(0xE0000000, 0xE0001FFF, 0x140204)])
    layout = virtio_layout(device(kernel=kernel))
    assert layout.problems == [
        "virtio notify structure (capability at 0x50) at 0x3000+0x1000 runs past BAR 4 (0x2000 bytes)",
        "virtio device structure (capability at 0x78) at 0x2000+0x100 runs past BAR 4 (0x2000 bytes)",
    ]


@pytest.mark.parametrize("offset", [0x3FF0, 0x4])
def test_common_config_outside_the_region_is_not_read(offset):
    caps = [(0x40, COMMON, 4, offset, 0x38, None)]
    common, why = read_common_config(virtio_layout(device(config(caps))), {4: Region(bytearray(BAR_SIZE))})
    assert common is None and "does not fit" in why
