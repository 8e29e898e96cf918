"""An MSI-X entry edited while its vector is unmasked, from the driver's side (issue 11, item 3).

QEMU with vhost/irqfd routes a vector's message when the vector becomes unmasked and re-reads
the entry only at the next mask/unmask (hw/pci/msix.c msix_handle_mask_update); cloud-hypervisor
updates the route at once (pci/src/msix.rs). The unikernel bug class: MSI-X that worked on
cloud-hypervisor and failed on QEMU with a vhost TAP. Every address and data value expected
below is one this test wrote.
"""
from __future__ import annotations

import pytest

from pcikit.testing import Access, DeviceBuilder, InterruptMessage, MockDevice
from pcikit.testing.profiles import ALL_PROFILES, VARIANTS, fact

TABLE, PBA = 0x000, 0x800
ENABLE, FUNCTION_MASK = 0x8000, 0x4000
OLD_ADDRESS, OLD_DATA = 0xFEE0_1000, 0x41
NEW_ADDRESS, NEW_DATA = 0xFEE0_2000, 0x52


def _device(profile: str) -> MockDevice:
    dev = DeviceBuilder(0x1AF4, 0x1041).bar(2, 0x1000).msix(vectors=4, bar=2, pba_offset=PBA).build(profile=profile)
    dev.config.write16(0x04, 0x0006)  # Memory Space, Bus Master
    return dev


def _set_control(dev: MockDevice, bits: int) -> None:
    dev.config.write16(dev.open().find_capability(0x11).offset + 2, bits)


def _program(dev: MockDevice, vector: int, address: int, data: int) -> None:
    bar, entry = dev.bar(2), TABLE + 16 * vector
    bar.write32(entry, address)
    bar.write32(entry + 4, 0)
    bar.write32(entry + 8, data)


def _edited_while_unmasked(profile: str) -> MockDevice:
    """The driver's sequence: program vector 0, unmask it, enable MSI-X, then reprogram it unmasked."""
    dev = _device(profile)
    _program(dev, 0, OLD_ADDRESS, OLD_DATA)
    dev.bar(2).write32(TABLE + 12, 0)  # unmask the vector
    _set_control(dev, ENABLE)
    dev.msix.fire(0)
    _program(dev, 0, NEW_ADDRESS, NEW_DATA)  # no mask/unmask around it: the mistake
    dev.msix.fire(0)
    return dev


def _messages(dev: MockDevice) -> list[tuple[int, int]]:
    return [(message.address, message.data) for message in dev.interrupts]


def test_qemu_vhost_is_a_sourced_variant_of_qemu():
    assert "qemu-vhost" in ALL_PROFILES and VARIANTS["qemu-vhost"][0] == "qemu"
    vhost = fact("msix_unmasked_edit", "qemu-vhost")
    assert vhost.answer == "latched" and "QEMU 7.2" in vhost.source and "msix.c" in vhost.source
    assert fact("msix_bad_width", "qemu-vhost") == fact("msix_bad_width", "qemu")  # only the routing differs
    for profile in ("spec", "qemu", "cloud-hypervisor", "firecracker"):
        assert fact("msix_unmasked_edit", profile).answer == "current"


@pytest.mark.parametrize("profile", ["cloud-hypervisor", "firecracker", "qemu", "spec"])
def test_the_edit_takes_effect_at_once_where_the_entry_is_read_on_delivery(profile):
    dev = _edited_while_unmasked(profile)
    assert _messages(dev) == [(OLD_ADDRESS, OLD_DATA), (NEW_ADDRESS, NEW_DATA)]


def test_qemu_vhost_keeps_delivering_the_message_latched_at_the_unmask():
    dev = _edited_while_unmasked("qemu-vhost")
    assert _messages(dev) == [(OLD_ADDRESS, OLD_DATA), (OLD_ADDRESS, OLD_DATA)]
    assert dev.msix.entry(0) == (NEW_ADDRESS, NEW_DATA, False)  # the table holds the edit; the route does not
    assert dev.msix.route(0) == (OLD_ADDRESS, OLD_DATA)


def test_a_mask_unmask_transition_picks_the_edit_up_under_qemu_vhost():
    dev = _edited_while_unmasked("qemu-vhost")
    bar = dev.bar(2)
    bar.write32(TABLE + 12, 1)
    bar.write32(TABLE + 12, 0)
    dev.msix.fire(0)
    assert _messages(dev)[-1] == (NEW_ADDRESS, NEW_DATA)


def test_the_edit_is_a_violation_recorded_with_its_access():
    for profile in ("cloud-hypervisor", "qemu-vhost"):
        dev = _edited_while_unmasked(profile)
        edits = [v for v in dev.violations if v.kind == "msix-unmasked-edit"]
        assert [v.access for v in edits] == [Access("bar2", TABLE + offset, 4, value, "write")
                                             for offset, value in ((0, NEW_ADDRESS), (4, 0), (8, NEW_DATA))]
        assert len(edits) == len(dev.violations) == 3
    assert "latched at the last unmask" in edits[0]  # qemu-vhost names what goes wrong there


def test_the_correct_sequence_is_clean_and_delivers_the_new_message_everywhere():
    for profile in ("cloud-hypervisor", "qemu-vhost"):
        dev = _device(profile)
        _program(dev, 0, OLD_ADDRESS, OLD_DATA)
        dev.bar(2).write32(TABLE + 12, 0)
        _set_control(dev, ENABLE)
        dev.bar(2).write32(TABLE + 12, 1)  # mask, reprogram, unmask: what Linux does
        _program(dev, 0, NEW_ADDRESS, NEW_DATA)
        dev.bar(2).write32(TABLE + 12, 0)
        dev.msix.fire(0)
        assert _messages(dev) == [(NEW_ADDRESS, NEW_DATA)] and dev.violations == []


def test_enable_and_function_mask_clear_latch_the_entry_under_qemu_vhost():
    dev = _device("qemu-vhost")
    _set_control(dev, ENABLE | FUNCTION_MASK)
    _program(dev, 1, OLD_ADDRESS, OLD_DATA)
    dev.bar(2).write32(TABLE + 16 + 12, 0)  # vector unmasked, function still masked
    dev.msix.fire(1)  # pending
    _program(dev, 1, NEW_ADDRESS, NEW_DATA)  # the function is masked: not an unmasked edit
    _set_control(dev, ENABLE)  # Function Mask cleared: the route is taken now, the pending vector goes
    dev.msix.fire(1)
    assert dev.interrupts == [InterruptMessage("msix", 1, NEW_ADDRESS, NEW_DATA)] * 2
    assert dev.violations == []


def test_reset_forgets_the_latched_route():
    dev = _edited_while_unmasked("qemu-vhost")
    dev.reset()
    dev.config.write16(0x04, 0x0006)
    _program(dev, 0, NEW_ADDRESS, NEW_DATA)
    dev.bar(2).write32(TABLE + 12, 0)
    _set_control(dev, ENABLE)
    dev.msix.fire(0)
    assert _messages(dev)[-1] == (NEW_ADDRESS, NEW_DATA)
