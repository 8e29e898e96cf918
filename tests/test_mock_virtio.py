"""The example virtio-pci driver against MockDevice models of virtio-net and virtio-blk.

Expectations come from the virtio 1.2 spec (3.1.1 initialization order, 4.1.4
PCI transport) and from the models' configuration the tests chose.
"""
from __future__ import annotations

import io
import os
import struct
from contextlib import redirect_stdout

import pytest

from examples.virtio_driver import __main__ as cli
from examples.virtio_driver import models, spec
from examples.virtio_driver.transport import VirtioError, VirtioPciTransport

NET_WANTED = 1 << spec.NET_F_MAC | 1 << spec.NET_F_STATUS | 1 << spec.NET_F_MTU | 1 << spec.NET_F_MQ
BLK_WANTED = 1 << spec.BLK_F_BLK_SIZE | 1 << spec.BLK_F_FLUSH


def _driver(model: models.VirtioModel) -> VirtioPciTransport:
    return VirtioPciTransport(model.dev.open(), model.dev.bar)


def _dispatch(model: models.VirtioModel, transport: VirtioPciTransport, start: int = 0) -> None:
    for message in model.dev.interrupts[start:]:
        transport.handle_message(message.address, message.data)


def test_net_initialization_reaches_driver_ok():
    model = models.virtio_net()
    transport = _driver(model)
    features = transport.initialize(NET_WANTED)
    # MQ is not offered by the model: the driver must not accept it
    assert features == 1 << spec.NET_F_MAC | 1 << spec.NET_F_STATUS | 1 << spec.NET_F_MTU | 1 << spec.F_VERSION_1
    assert model.negotiated == features
    assert model.status == spec.ACKNOWLEDGE | spec.DRIVER | spec.FEATURES_OK | spec.DRIVER_OK
    assert [q.vector for q in transport.queues] == [1, 2, 3]
    for queue in transport.queues:
        assert model.queue_field(queue.index, spec.QUEUE_ENABLE, 2) == 1
        assert model.queue_field(queue.index, spec.QUEUE_DESC, 8) == queue.desc
        assert model.queue_field(queue.index, spec.QUEUE_DEVICE, 8) == queue.device
        assert model.queue_field(queue.index, spec.QUEUE_MSIX_VECTOR, 2) == queue.vector
    assert model.bar.peek(models.COMMON + spec.CONFIG_MSIX_VECTOR, 2) == 0
    assert model.dev.violations == []


def test_status_is_written_in_the_spec_order():
    model = models.virtio_net()
    _driver(model).initialize(NET_WANTED)
    writes = [a.value for a in model.dev.access_log.select(space="bar4", kind="write", offset=spec.DEVICE_STATUS)]
    a, d, f, ok = spec.ACKNOWLEDGE, spec.DRIVER, spec.FEATURES_OK, spec.DRIVER_OK
    assert writes == [0, a, a | d, a | d | f, a | d | f | ok]


def test_blk_initialization_and_device_config():
    model = models.virtio_blk(capacity_sectors=4096)
    transport = _driver(model)
    features = transport.initialize(BLK_WANTED)
    assert features == 1 << spec.BLK_F_BLK_SIZE | 1 << spec.BLK_F_FLUSH | 1 << spec.F_VERSION_1
    assert len(transport.queues) == 1 and transport.queues[0].size == 128
    capacity, = struct.unpack_from("<Q", transport.device_config(8))
    assert capacity == 4096


def test_queue_interrupt_is_handled():
    model = models.virtio_blk()
    transport = _driver(model)
    transport.initialize(BLK_WANTED)
    transport.notify(transport.queues[0])
    assert model.kicks == [0]
    assert [m.vector for m in model.dev.interrupts] == [1]
    _dispatch(model, transport)
    assert transport.events.queue_notifications == {0: 1}


def test_vector_fired_while_masked_is_delivered_on_unmask():
    model = models.virtio_net()
    transport = _driver(model)
    transport.initialize(NET_WANTED)
    tx = transport.queues[1]
    transport.set_vector_masked(tx.vector, True)
    transport.notify(tx)  # the device completes the request while the vector is masked
    assert model.dev.interrupts == []
    assert model.dev.msix.pending(tx.vector)
    transport.set_vector_masked(tx.vector, False)
    assert [m.vector for m in model.dev.interrupts] == [tx.vector]
    assert not model.dev.msix.pending(tx.vector)
    _dispatch(model, transport)
    assert transport.events.queue_notifications == {1: 1}


def test_config_change_while_function_masked_arrives_when_unmasked():
    model = models.virtio_net()
    transport = _driver(model)
    transport.initialize(NET_WANTED)
    control = transport.device.find_capability(0x11).offset + 2
    config = transport.device.config
    config.write16(control, config.read16(control) | 0x4000)  # Function Mask
    model.change_config(models.net_config(b"\x02\x00\x00\x00\x00\x01", link_up=False))
    assert model.dev.interrupts == [] and model.dev.msix.pending(0)
    config.write16(control, config.read16(control) & ~0x4000)
    _dispatch(model, transport)
    assert transport.events.config_changes == 1
    mac_and_status = transport.device_config(8)
    assert mac_and_status[:6] == b"\x02\x00\x00\x00\x00\x01"
    assert struct.unpack_from("<H", mac_and_status, 6) == (0,)


def test_device_refuses_features_it_did_not_offer():
    model = models.virtio_blk()
    transport = _driver(model)
    transport.enable_function()
    transport.reset()
    transport.add_status(spec.ACKNOWLEDGE | spec.DRIVER)
    transport.write_driver_features(1 << spec.F_VERSION_1 | 1 << 3)  # bit 3 is not offered
    transport.add_status(spec.FEATURES_OK)
    assert not transport.status & spec.FEATURES_OK


def test_device_without_version_1_is_refused():
    model = models.virtio_net()
    model.features &= ~(1 << spec.F_VERSION_1)
    with pytest.raises(VirtioError, match="VERSION_1"):
        _driver(model).initialize(NET_WANTED)


def test_vector_beyond_the_table_is_refused():
    model = models.virtio_blk()
    transport = _driver(model)
    transport.enable_function()
    transport.reset()
    with pytest.raises(VirtioError, match="refused MSI-X vector 7"):
        transport.setup_queue(0, 7, lambda size, align: 0x1000)


def test_driver_reset_clears_device_state():
    model = models.virtio_net()
    transport = _driver(model)
    transport.initialize(NET_WANTED)
    transport.reset()
    assert transport.status == 0
    assert model.negotiated == 0
    assert model.queue_field(0, spec.QUEUE_ENABLE, 2) == 0
    assert model.bar.peek(models.COMMON + spec.CONFIG_MSIX_VECTOR, 2) == spec.NO_VECTOR


def test_function_level_reset_resets_the_virtio_device_too():
    model = models.virtio_blk()
    transport = _driver(model)
    transport.initialize(BLK_WANTED)
    model.dev.reset()
    transport.enable_function()
    assert transport.status == 0
    assert not model.dev.msix.enabled


def test_intx_and_read_to_clear_isr():
    model = models.virtio_blk()
    transport = _driver(model)
    transport.device.config.write16(0x04, 0x0006)  # Memory, Bus Master; INTx allowed; MSI-X left off
    transport.reset()
    transport.add_status(spec.ACKNOWLEDGE | spec.DRIVER)
    transport.negotiate(BLK_WANTED)
    transport.setup_queue(0, spec.NO_VECTOR, lambda size, align: 0x10000)
    transport.add_status(spec.DRIVER_OK)
    transport.notify(transport.queues[0])
    assert model.dev.intx.asserted
    assert transport.read_isr() == spec.ISR_QUEUE
    assert not model.dev.intx.asserted  # reading the ISR deasserts
    assert transport.read_isr() == 0  # and cleared it
    assert [m.data for m in model.dev.interrupts] == [1, 0]


def _fake_sysfs(root, model: models.VirtioModel, features_word: int, select: int) -> None:
    device = root / "bus" / "pci" / "devices" / "0000:00:03.0"
    device.mkdir(parents=True)
    (device / "config").write_bytes(model.dev.config.image())
    (device / "resource").write_text("0x0000000000000000 0x0000000000000000 0x0000000000000000\n" * 7)
    bar = bytearray(0x4000)
    struct.pack_into("<IIIIHHBB", bar, 0, select, features_word, 0, 0, 0, 3, 0x0F, 2)
    (device / "resource4").write_bytes(bytes(bar))


def test_live_read_only_mode_on_a_copied_sysfs(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mapping resourceN needs root, as on a live machine")
    pytest.importorskip("pcikit.barmap", reason="live BAR mapping (pcikit.barmap) is not available")
    model = models.virtio_net()
    _fake_sysfs(tmp_path, model, features_word=1 << (spec.F_VERSION_1 - 32), select=1)
    before = (tmp_path / "bus/pci/devices/0000:00:03.0/resource4").read_bytes()
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["--live", "00:03.0", "--sysfs-root", str(tmp_path)]) == 0
    text = out.getvalue()
    assert "0000:00:03.0 virtio-net" in text
    assert "common: BAR 4 offset 0x0 length 0x1000" in text
    assert "device features word 1" in text and "VERSION_1" in text
    assert "status: ACKNOWLEDGE DRIVER DRIVER_OK FEATURES_OK, queues: 3, config generation: 2" in text
    assert (tmp_path / "bus/pci/devices/0000:00:03.0/resource4").read_bytes() == before


def test_live_read_only_mode_without_resource_files(tmp_path):
    model = models.virtio_blk()
    _fake_sysfs(tmp_path, model, 0, 0)
    (tmp_path / "bus/pci/devices/0000:00:03.0/resource4").unlink()
    out = io.StringIO()
    with redirect_stdout(out):
        cli.main(["--live", "--sysfs-root", str(tmp_path)])
    assert "resource4 does not exist (this platform exposes no BAR mappings in sysfs" in out.getvalue()


@pytest.mark.live
def test_live_virtio_devices_of_this_machine():
    if not os.path.isdir("/sys/bus/pci/devices"):
        pytest.skip("no /sys/bus/pci on this machine")
    out = io.StringIO()
    with redirect_stdout(out):
        status = cli.main(["--live"])
    if status == 1:
        pytest.skip("no virtio PCI devices on this machine")
    text = out.getvalue()
    assert "virtio-" in text
    assert "features" in text or "need root" in text
