"""virtio-net and virtio-blk as MockDevice models: device behaviour written as hooks.

The layout follows QEMU's virtio-pci: common, ISR, device and notify structures
in a 16 KiB 64-bit BAR 4; the MSI-X table and PBA in BAR 1. The common
configuration behaves as the virtio 1.2 spec (4.1.4.3) says a device does:
feature words through their select registers, FEATURES_OK refused for features
the device did not offer, per-queue registers through queue_select, MSI-X
vectors refused (NO_VECTOR) beyond the table, reset on writing 0 to
device_status, a read-to-clear ISR, and a doorbell per queue.
"""
from __future__ import annotations

import struct
from typing import Optional

from pcikit.testing import Access, DeviceBuilder, MockDevice
from pcikit.testing.profiles import answer

from . import spec

COMMON, ISR, DEVICE, NOTIFY = 0x0000, 0x1000, 0x2000, 0x3000
STRUCTURE_BAR, MSIX_BAR = 4, 1
NOTIFY_MULTIPLIER = 4
QUEUE_REGISTERS_LENGTH = spec.COMMON_CFG_LENGTH - spec.QUEUE_SIZE  # reached through queue_select
READ_ONLY = ((spec.DEVICE_FEATURE, 4), (spec.NUM_QUEUES, 2), (spec.CONFIG_GENERATION, 1))


def _virtio_cap(cfg_type: int, offset: int, length: int, extra: bytes = b"") -> bytes:
    """Body of a virtio_pci_cap after its ID and next bytes."""
    return struct.pack("<BBBBxxII", 16 + len(extra), cfg_type, STRUCTURE_BAR, 0, offset, length) + extra


def virtio_builder(kind: int, class_code: int, queues: int, device_config_length: int) -> DeviceBuilder:
    """A virtio modern PCI function with QEMU's structure layout."""
    return (
        DeviceBuilder(spec.VIRTIO_VENDOR, spec.MODERN_DEVICE_BASE + kind, class_code=class_code,
                      revision=1, subsystem=(spec.VIRTIO_VENDOR, 0x1100))
        .bar(MSIX_BAR, 0x1000, address=0xFEBD1000)
        .bar(STRUCTURE_BAR, 0x4000, bits=64, prefetchable=True, address=0xFE000000)
        .interrupt("INTA", 11)
        .capability(0x09, _virtio_cap(spec.COMMON_CFG, COMMON, 0x1000))
        .capability(0x09, _virtio_cap(spec.ISR_CFG, ISR, 0x1000))
        .capability(0x09, _virtio_cap(spec.DEVICE_CFG, DEVICE, max(device_config_length, 4)))
        .capability(0x09, _virtio_cap(spec.NOTIFY_CFG, NOTIFY, NOTIFY_MULTIPLIER * queues,
                                      struct.pack("<I", NOTIFY_MULTIPLIER)))
        .msix(vectors=queues + 1, bar=MSIX_BAR, pba_offset=0x800)
        .pm()
        .pcie()
    )


class VirtioModel:
    """The device side of a virtio PCI function on a :class:`MockDevice`."""

    def __init__(self, dev: MockDevice, features: int, queues: int, queue_size: int, config: bytes) -> None:
        self.dev = dev
        self.features = features
        self.num_queues = queues
        self.max_queue_size = queue_size
        self.config = bytearray(config)
        self.kicks: list[int] = []
        self.auto_complete = True
        self.bar = dev.bar(STRUCTURE_BAR)
        self._reset_state()
        self._install_hooks()
        dev.on_reset(self._reset_state)

    # -- state ---------------------------------------------------------------------------------------
    def _reset_state(self) -> None:
        self.driver_features = [0, 0]
        self.isr = 0
        self.generation = 0
        self.queue_state = [self._queue_defaults(index) for index in range(self.num_queues)]
        self.bar.poke(COMMON + spec.CONFIG_MSIX_VECTOR, 2, spec.NO_VECTOR)
        self.bar.poke(COMMON + spec.NUM_QUEUES, 2, self.num_queues)
        for name in (spec.DEVICE_STATUS, spec.CONFIG_GENERATION):
            self.bar.poke(COMMON + name, 1, 0)
        for register in (spec.DEVICE_FEATURE_SELECT, spec.DRIVER_FEATURE_SELECT):
            self.bar.poke(COMMON + register, 4, 0)
        self.bar.poke(COMMON + spec.QUEUE_SELECT, 2, 0)
        for index, byte in enumerate(self.config):
            self.bar.poke(DEVICE + index, 1, byte)

    def _queue_defaults(self, index: int) -> bytearray:
        registers = bytearray(QUEUE_REGISTERS_LENGTH)
        struct.pack_into("<HHHH", registers, 0, self.max_queue_size, spec.NO_VECTOR, 0, index)
        return registers

    def _selected(self) -> Optional[bytearray]:
        index = self.bar.peek(COMMON + spec.QUEUE_SELECT, 2)
        return self.queue_state[index] if index < self.num_queues else None

    def queue_field(self, index: int, register: int, width: int) -> int:
        """A per-queue register of queue ``index`` as the device holds it."""
        base = register - spec.QUEUE_SIZE
        return int.from_bytes(self.queue_state[index][base : base + width], "little")

    @property
    def status(self) -> int:
        """device_status as the device holds it."""
        return self.bar.peek(COMMON + spec.DEVICE_STATUS, 1)

    @property
    def negotiated(self) -> int:
        """The feature bits the driver wrote."""
        return self.driver_features[0] | self.driver_features[1] << 32

    # -- hooks: common configuration -----------------------------------------------------------------
    def _install_hooks(self) -> None:
        on_read, on_write = self.dev.on_bar_read, self.dev.on_bar_write
        on_read(STRUCTURE_BAR, COMMON + spec.DEVICE_FEATURE, self._read_device_feature)
        on_read(STRUCTURE_BAR, COMMON + spec.DRIVER_FEATURE, self._read_driver_feature)
        on_write(STRUCTURE_BAR, COMMON + spec.DRIVER_FEATURE, self._write_driver_feature)
        on_write(STRUCTURE_BAR, COMMON + spec.CONFIG_MSIX_VECTOR, self._write_vector, length=2)
        for register, width in READ_ONLY:
            on_write(STRUCTURE_BAR, COMMON + register, self._keep, length=width)
        on_write(STRUCTURE_BAR, COMMON + spec.DEVICE_STATUS, self._write_status, length=1)
        on_read(STRUCTURE_BAR, COMMON + spec.QUEUE_SIZE, self._read_queue, length=QUEUE_REGISTERS_LENGTH)
        on_write(STRUCTURE_BAR, COMMON + spec.QUEUE_SIZE, self._write_queue, length=QUEUE_REGISTERS_LENGTH)
        on_read(STRUCTURE_BAR, ISR, self._read_isr, length=1)
        on_write(STRUCTURE_BAR, DEVICE, self._keep, length=len(self.config) or 4)
        on_write(STRUCTURE_BAR, NOTIFY, self._doorbell, length=NOTIFY_MULTIPLIER * self.num_queues)

    def _keep(self, access: Access) -> int:
        """Read-only register: store back what is there."""
        return self.bar.peek(access.offset, access.width)

    def _read_device_feature(self, access: Access) -> int:
        select = self.bar.peek(COMMON + spec.DEVICE_FEATURE_SELECT, 4)
        return self.features >> (32 * select) & 0xFFFFFFFF if select < 2 else 0

    def _read_driver_feature(self, access: Access) -> int:
        select = self.bar.peek(COMMON + spec.DRIVER_FEATURE_SELECT, 4)
        return self.driver_features[select] if select < 2 else 0

    def _write_driver_feature(self, access: Access) -> None:
        select = self.bar.peek(COMMON + spec.DRIVER_FEATURE_SELECT, 4)
        if select < 2 and not self.status & spec.FEATURES_OK:
            self.driver_features[select] = access.value

    def _accept_vector(self, vector: int) -> int:
        if vector == spec.NO_VECTOR or vector < self.dev.msix.table_size:
            return vector
        kept = answer("virtio_queue_vector_out_of_range", self.dev.profile) == "as-written"
        self.dev.report_violation(f"virtio vector {vector} is past the MSI-X table ({self.dev.msix.table_size} "
                                  f"entries): {'stored, the queue never interrupts' if kept else 'the device answers NO_VECTOR'}",
                                  "virtio-vector-range")
        return vector if kept else spec.NO_VECTOR

    def _write_vector(self, access: Access) -> int:
        return self._accept_vector(access.value)

    def _write_status(self, access: Access) -> int:
        value = access.value
        if value == 0:
            self._reset_state()
            return 0
        if value & spec.FEATURES_OK and not self.status & spec.FEATURES_OK:
            wanted = self.negotiated
            if wanted & ~self.features or not wanted >> spec.F_VERSION_1 & 1:
                value &= ~spec.FEATURES_OK
        return value

    def _read_queue(self, access: Access) -> int:
        registers = self._selected()
        if registers is None:
            return 0
        base = access.offset - COMMON - spec.QUEUE_SIZE
        return int.from_bytes(registers[base : base + access.width], "little")

    def _write_queue(self, access: Access) -> None:
        registers = self._selected()
        base = access.offset - COMMON - spec.QUEUE_SIZE
        if registers is None or self.status & spec.DRIVER_OK:
            return
        register = access.offset - COMMON
        value = access.value
        if register == spec.QUEUE_SIZE and (value == 0 or value & (value - 1) or value > self.max_queue_size):
            return
        if register == spec.QUEUE_MSIX_VECTOR:
            value = self._accept_vector(value)
        if register == spec.QUEUE_NOTIFY_OFF:
            return
        registers[base : base + access.width] = value.to_bytes(access.width, "little")

    def _read_isr(self, access: Access) -> int:
        value, self.isr = self.isr, 0
        if self.dev.intx.pin is not None:
            self.dev.intx.set_level(False)
        return value

    def _doorbell(self, access: Access) -> None:
        queue = (access.offset - NOTIFY) // NOTIFY_MULTIPLIER
        self.kicks.append(queue)
        if self.auto_complete:
            self.complete(queue)

    # -- device-initiated events ---------------------------------------------------------------------
    def _signal(self, vector: int, isr_bit: int) -> None:
        self.isr |= isr_bit
        if self.dev.msix.enabled:
            if vector != spec.NO_VECTOR:
                self.dev.msix.fire(vector)
        else:
            self.dev.intx.set_level(True)

    def complete(self, queue: int) -> None:
        """The device used buffers of ``queue``: send its used-buffer notification."""
        if self.queue_field(queue, spec.QUEUE_ENABLE, 2):
            self._signal(self.queue_field(queue, spec.QUEUE_MSIX_VECTOR, 2), spec.ISR_QUEUE)

    def change_config(self, config: bytes) -> None:
        """New device configuration: bump config_generation, send the change notification."""
        self.config[: len(config)] = config
        for index, byte in enumerate(self.config):
            self.bar.poke(DEVICE + index, 1, byte)
        self.generation = (self.generation + 1) & 0xFF
        self.bar.poke(COMMON + spec.CONFIG_GENERATION, 1, self.generation)
        self._signal(self.bar.peek(COMMON + spec.CONFIG_MSIX_VECTOR, 2), spec.ISR_CONFIG)


NET_FEATURES = sum(1 << bit for bit in (
    spec.NET_F_CSUM, spec.NET_F_GUEST_CSUM, spec.NET_F_MTU, spec.NET_F_MAC, spec.NET_F_MRG_RXBUF,
    spec.NET_F_STATUS, spec.NET_F_CTRL_VQ, spec.F_INDIRECT_DESC, spec.F_EVENT_IDX, spec.F_VERSION_1,
))
BLK_FEATURES = sum(1 << bit for bit in (
    spec.BLK_F_SIZE_MAX, spec.BLK_F_SEG_MAX, spec.BLK_F_GEOMETRY, spec.BLK_F_BLK_SIZE, spec.BLK_F_FLUSH,
    spec.F_INDIRECT_DESC, spec.F_EVENT_IDX, spec.F_VERSION_1,
))


def net_config(mac: bytes, link_up: bool = True, mtu: int = 1500) -> bytes:
    """struct virtio_net_config: mac, status, max_virtqueue_pairs, mtu."""
    return mac + struct.pack("<HHH", 1 if link_up else 0, 1, mtu)


def blk_config(capacity_sectors: int, blk_size: int = 512) -> bytes:
    """struct virtio_blk_config up to blk_size: capacity, size_max, seg_max, geometry, blk_size."""
    return struct.pack("<QIIHBBI", capacity_sectors, 0x10000, 126, 0, 0, 0, blk_size)


def virtio_net(mac: bytes = b"\x52\x54\x00\x12\x34\x56", address: str = "0000:00:03.0",
               profile: str = "spec") -> VirtioModel:
    """A virtio-net function: rx, tx and control queues of 256 entries."""
    config = net_config(mac)
    dev = virtio_builder(spec.NET, 0x020000, 3, len(config)).build(address=address, profile=profile)
    return VirtioModel(dev, NET_FEATURES, queues=3, queue_size=256, config=config)


def virtio_blk(capacity_sectors: int = 2 * 1024 * 1024, address: str = "0000:00:04.0",
               profile: str = "spec") -> VirtioModel:
    """A virtio-blk function with one request queue of 128 entries."""
    config = blk_config(capacity_sectors)
    dev = virtio_builder(spec.BLOCK, 0x010000, 1, len(config)).build(address=address, profile=profile)
    return VirtioModel(dev, BLK_FEATURES, queues=1, queue_size=128, config=config)
