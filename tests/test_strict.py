"""Strict mode: each driver mistake the mock names is a record (kind, message, access)."""
from __future__ import annotations

import pytest

from pcikit.testing import DeviceBuilder, MockDevice, MockError

MSIX_CAP_ENABLE, MSIX_FUNCTION_MASK = 0x8000, 0x4000


def _device(**options):
    dev = DeviceBuilder(0x1234, 0x5678).bar(0, 0x4000).msix(vectors=4, bar=0).build(**options)
    cap = dev.open().find_capability(0x11)
    return dev, cap.offset + 2, cap.fields.table_offset


def _kinds(dev) -> list[str]:
    return [v.kind for v in dev.violations]


def test_a_violation_is_a_record_that_reads_as_its_message():
    dev, _, _ = _device()
    dev.bar(0).read32(0)  # decode is off
    (violation,) = dev.violations
    assert violation.kind == "decode-off" and "master abort" in violation
    assert violation.access.space == "bar0" and violation.access.kind == "read"
    assert violation.to_json()["access"]["offset"] == 0


def test_bar_sizing_while_its_decode_is_on():
    dev, _, _ = _device()
    dev.config.write32(0x10, 0xFFFFFFFF)  # decode off: fine
    assert dev.violations == []
    dev.config.write16(0x04, 0x2)
    dev.config.write32(0x10, 0xFFFFFFFF)
    assert _kinds(dev) == ["bar-sizing-decode-on"] and dev.violations[0].access.offset == 0x10


def test_config_accesses_not_aligned_to_their_width():
    dev, _, _ = _device()
    dev.config.read(0x01, 2)
    dev.config.write(0x05, 2, 0)
    dev.config.read(0x06, 2)  # aligned: fine
    assert _kinds(dev) == ["config-misaligned", "config-misaligned"]


def test_unmasking_a_vector_whose_upper_address_was_never_written():
    dev, control, table = _device()
    bar = dev.bar(0)
    dev.config.write16(0x04, 0x6)
    dev.config.write16(control, MSIX_CAP_ENABLE | MSIX_FUNCTION_MASK)
    bar.write32(table, 0xFEE00000)  # address low and data, never the upper address dword
    bar.write32(table + 8, 0x41)
    bar.write32(table + 12, 0)
    dev.config.write16(control, MSIX_CAP_ENABLE)
    assert _kinds(dev) == ["msix-unwritten-unmask"]
    assert "Message Upper Address never written" in dev.violations[0]


def test_enabling_msix_without_function_mask_before_programming():
    dev, control, table = _device()
    dev.config.write16(0x04, 0x6)
    dev.config.write16(control, MSIX_CAP_ENABLE)
    dev.bar(0).write64(table, 0xFEE00000)
    assert _kinds(dev) == ["msix-enable-unmasked"]


def test_linux_order_is_clean():
    dev, control, table = _device()
    bar = dev.bar(0)
    dev.config.write16(0x04, 0x6)
    dev.config.write16(control, MSIX_CAP_ENABLE | MSIX_FUNCTION_MASK)
    for vector in range(4):
        bar.write32(table + 16 * vector, 0xFEE00000)
        bar.write32(table + 16 * vector + 4, 0)
        bar.write32(table + 16 * vector + 8, 0x40 + vector)
        bar.write32(table + 16 * vector + 12, 0)
    dev.config.write16(control, MSIX_CAP_ENABLE)
    assert dev.violations == [] and dev.msix.fire(2)


def test_garbage_at_reset_catches_a_driver_relying_on_zeros():
    dev, control, table = _device(msix_reset="garbage")
    bar = dev.bar(0)
    dev.config.write16(0x04, 0x6)
    assert bar.read32(table + 4) != 0 and bar.read32(table + 12) & 1  # junk, but masked
    dev.config.write16(control, MSIX_CAP_ENABLE | MSIX_FUNCTION_MASK)
    bar.write32(table, 0xFEE00000)
    bar.write32(table + 8, 0x41)
    bar.write32(table + 12, 0)
    dev.config.write16(control, MSIX_CAP_ENABLE)
    dev.msix.fire(0)
    assert dev.interrupts[-1].address >> 32 != 0  # the message went to a junk address
    assert "msix-unwritten-unmask" in _kinds(dev)
    with pytest.raises(MockError, match="msix_reset"):
        MockDevice(bytes(64), msix_reset="ones")


def test_a_virtio_queue_vector_past_the_table():
    from examples.virtio_driver import models, spec

    model = models.virtio_blk()
    dev = model.dev
    dev.config.write16(0x04, 0x6)
    common = dev.bar(models.STRUCTURE_BAR)
    common.write16(models.COMMON + spec.QUEUE_SELECT, 0)
    common.write16(models.COMMON + spec.QUEUE_MSIX_VECTOR, 7)
    assert common.read16(models.COMMON + spec.QUEUE_MSIX_VECTOR) == spec.NO_VECTOR
    assert _kinds(dev) == ["virtio-vector-range"]
    stored = models.virtio_blk(profile="cloud-hypervisor").dev  # stored as written there
    stored.config.write16(0x04, 0x6)
    bar = stored.bar(models.STRUCTURE_BAR)
    bar.write16(models.COMMON + spec.QUEUE_MSIX_VECTOR, 7)
    assert bar.read16(models.COMMON + spec.QUEUE_MSIX_VECTOR) == 7 and _kinds(stored) == ["virtio-vector-range"]


@pytest.mark.parametrize("profile, read_panics, write_panics", [
    ("cloud-hypervisor-v51", True, True), ("cloud-hypervisor-v52", True, False), ("cloud-hypervisor", False, False),
])
def test_old_cloud_hypervisor_releases_panic_on_bad_widths(profile, read_panics, write_panics):
    from pcikit.testing import VmmPanic

    dev, _, table = _device(profile=profile)
    dev.config.write16(0x04, 0x2)
    for access, panics in ((lambda: dev.bar(0).read16(table), read_panics),
                           (lambda: dev.bar(0).write16(table, 1), write_panics)):
        if panics:
            with pytest.raises(VmmPanic, match=f"{profile} panics"):
                access()
        else:
            access()
    assert _kinds(dev) == ["msix-width", "msix-width"]


@pytest.mark.parametrize("profile, follows", [("qemu", True), ("spec", True), ("cloud-hypervisor", False),
                                              ("firecracker", False)])
def test_a_1_byte_message_control_write(profile, follows):
    dev, control, _ = _device(profile=profile)
    dev.config.write8(control + 1, 0xC0)  # Enable and Function Mask through the high byte
    assert dev.config.read16(control) & 0xC000 == 0xC000  # the image always changes
    assert dev.msix.enabled is follows
    assert _kinds(dev) == ([] if follows else ["msix-control-width"])
    dev.config.write16(control, 0x8000)  # the 2-byte write every VMM follows
    assert dev.msix.enabled and not dev.msix.function_masked
