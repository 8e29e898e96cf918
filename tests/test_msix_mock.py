"""read_msix against pcikit.testing's MockDevice: the model's BAR goes through the same BarRegion calls."""
from __future__ import annotations

from pcikit.msix import read_msix

MEMORY_SPACE = 0x0002


def _device(vectors=4):
    from pcikit.testing import DeviceBuilder

    dev = DeviceBuilder(0x1234, 0x5678).bar(0, 0x1000).msix(vectors=vectors, bar=0).build()
    dev.config.write16(0x04, MEMORY_SPACE)
    return dev


def _enable(dev, function_mask=False):
    cap = dev.open().find_capability(0x11)
    control = dev.config.read16(cap.offset + 2)
    dev.config.write16(cap.offset + 2, control | 0x8000 | (0x4000 if function_mask else 0))
    return cap


def test_reset_state_every_vector_masked_nothing_pending():
    dev = _device()
    state = read_msix(dev.open(), {0: dev.bar(0)})
    assert state.problems == [] and state.unread is None
    assert [(v.masked, v.pending, v.deliverable) for v in state.vectors] == [(True, False, False)] * 4
    assert not dev.violations


def test_programmed_unmasked_vector_and_a_masked_pending_one():
    dev = _device()
    cap = _enable(dev, function_mask=True)  # entries are programmed with the function masked
    layout = read_msix(dev.open(), {0: dev.bar(0)}).layout
    base = layout.table_offset + 16 * 1
    region = dev.bar(0)
    region.write32(base, 0xFEE01000)
    region.write32(base + 4, 0)
    region.write32(base + 8, 0x4041)
    region.write32(base + 12, 0)  # unmask vector 1
    dev.config.write16(cap.offset + 2, dev.config.read16(cap.offset + 2) & ~0x4000)
    dev.msix.fire(2)  # vector 2 is still masked: its pending bit is set
    state = read_msix(dev.open(), {0: dev.bar(0)})
    v1, v2 = state.vectors[1], state.vectors[2]
    assert (v1.address, v1.data, v1.masked, v1.pending, v1.deliverable) == (0xFEE01000, 0x4041, False, False, True)
    assert (v2.masked, v2.pending, v2.deliverable) == (True, True, False)
    assert not dev.violations


def test_function_mask_masks_the_unmasked_vector():
    dev = _device()
    _enable(dev, function_mask=True)
    layout = read_msix(dev.open(), {0: dev.bar(0)}).layout
    dev.bar(0).write32(layout.table_offset + 12, 0)
    state = read_msix(dev.open(), {0: dev.bar(0)})
    assert state.vectors[0].masked is False and state.vectors[0].deliverable is False
