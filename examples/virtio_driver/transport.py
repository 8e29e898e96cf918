"""A virtio-pci modern transport driver written only against pcikit's public API.

It gets a :class:`pcikit.Device` (the model: capabilities, config space) and a
``map_bar(index) -> BarRegion`` function. For a live device that is
``pcikit.open(slot)`` and ``pcikit.barmap.map_resource``; for a test it is
``mock.open()`` and ``mock.bar`` — the driver cannot tell them apart.

What it does, following the virtio 1.2 spec (3.1.1 driver initialization, 4.1):
find the virtio structures through the vendor-specific capabilities, map the
common configuration, reset the device, negotiate features, program MSI-X
(one vector for configuration changes, one per queue), set up the queues,
set DRIVER_OK, and dispatch the interrupt messages it receives.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from pcikit import Device
from pcikit.mmio import BarRegion

from . import spec

CAP_VENDOR, CAP_MSIX = 0x09, 0x11
COMMAND_MEMORY, COMMAND_BUS_MASTER, COMMAND_INTX_DISABLE = 0x2, 0x4, 0x400
MSIX_ENABLE, MSIX_FUNCTION_MASK = 0x8000, 0x4000
MSI_ADDRESS_BASE = 0xFEE00000  # x86 local APIC message address (destination 0)
MSI_DATA_BASE = 0x40
RESET_POLLS = 1000


class VirtioError(Exception):
    """The device cannot be driven (missing structure, refused features, no vector, ...)."""


@dataclass(frozen=True)
class Structure:
    """One virtio structure found through a vendor-specific capability."""

    cfg_type: int
    bar: int
    offset: int
    length: int
    notify_off_multiplier: int = 0


class Window:
    """A bounds-checked part of a BAR region: offsets are relative to the structure."""

    def __init__(self, region: BarRegion, structure: Structure) -> None:
        if structure.offset + structure.length > region.size:
            raise VirtioError(
                f"virtio {spec.CFG_TYPE_NAMES.get(structure.cfg_type)} structure runs past BAR {structure.bar}"
            )
        self.region, self.base, self.length = region, structure.offset, structure.length

    def _at(self, offset: int, width: int) -> int:
        if not 0 <= offset <= self.length - width:
            raise VirtioError(f"offset {offset:#x} (+{width}) is outside the {self.length:#x}-byte structure")
        return self.base + offset

    def read8(self, offset: int) -> int:
        return self.region.read8(self._at(offset, 1))

    def read16(self, offset: int) -> int:
        return self.region.read16(self._at(offset, 2))

    def read32(self, offset: int) -> int:
        return self.region.read32(self._at(offset, 4))

    def write8(self, offset: int, value: int) -> None:
        self.region.write8(self._at(offset, 1), value)

    def write16(self, offset: int, value: int) -> None:
        self.region.write16(self._at(offset, 2), value)

    def write32(self, offset: int, value: int) -> None:
        self.region.write32(self._at(offset, 4), value)

    def write64_split(self, offset: int, value: int) -> None:
        """A 64-bit field as two 32-bit writes, low half first (4.1.3.1)."""
        self.write32(offset, value & 0xFFFFFFFF)
        self.write32(offset + 4, value >> 32)


def find_structures(device: Device) -> dict[int, Structure]:
    """The first structure of each cfg_type, from the vendor-specific capabilities."""
    found: dict[int, Structure] = {}
    for cap in device.capabilities:
        fields = cap.fields if cap.cap_id == CAP_VENDOR else None
        if fields is None or fields.get("kind") != "virtio" or fields.cfg_type in found:
            continue
        found[fields.cfg_type] = Structure(
            fields.cfg_type, fields.bar, fields.region_offset, fields.region_length,
            fields.notify_off_multiplier or 0,
        )
    return found


@dataclass
class Queue:
    """One virtqueue the driver set up."""

    index: int
    size: int
    vector: int
    notify_offset: int
    desc: int
    driver: int
    device: int
    used_notifications: int = 0


class BumpAllocator:
    """Hands out aligned bus addresses for rings; stands in for DMA memory (VFIO would map it)."""

    def __init__(self, base: int = 0x1_0000_0000) -> None:
        self.next = base

    def __call__(self, size: int, align: int) -> int:
        address = (self.next + align - 1) & ~(align - 1)
        self.next = address + size
        return address


@dataclass
class Events:
    """What interrupts told the driver."""

    config_changes: int = 0
    queue_notifications: dict[int, int] = field(default_factory=dict)
    unknown_messages: list[tuple[int, int]] = field(default_factory=list)


class VirtioPciTransport:
    """The virtio-pci modern transport of one function."""

    def __init__(self, device: Device, map_bar: Callable[[int], BarRegion]) -> None:
        self.device = device
        self.kind = spec.device_type(device.device_id)
        self.structures = find_structures(device)
        if spec.COMMON_CFG not in self.structures:
            raise VirtioError(f"{device.address}: no virtio common configuration capability")
        self._map_bar = map_bar
        self._regions: dict[int, BarRegion] = {}
        self.common = self._window(spec.COMMON_CFG)
        self.queues: list[Queue] = []
        self.events = Events()
        self._vectors: dict[tuple[int, int], int] = {}

    def _region(self, bar: int) -> BarRegion:
        if bar not in self._regions:
            self._regions[bar] = self._map_bar(bar)
        return self._regions[bar]

    def _window(self, cfg_type: int) -> Window:
        structure = self.structures.get(cfg_type)
        if structure is None:
            raise VirtioError(f"{self.device.address}: no virtio {spec.CFG_TYPE_NAMES[cfg_type]} capability")
        return Window(self._region(structure.bar), structure)

    # -- status and features -----------------------------------------------------------------
    @property
    def status(self) -> int:
        """device_status."""
        return self.common.read8(spec.DEVICE_STATUS)

    def add_status(self, bits: int) -> None:
        """Set more device status bits (the driver never clears bits except by reset)."""
        self.common.write8(spec.DEVICE_STATUS, self.status | bits)

    def reset(self) -> None:
        """Write 0 to device_status and wait until the device reads back 0 (4.1.4.3.2)."""
        self.common.write8(spec.DEVICE_STATUS, 0)
        for _ in range(RESET_POLLS):
            if self.status == 0:
                return
        raise VirtioError(f"{self.device.address}: device did not complete reset")

    def device_features(self) -> int:
        """All 64 offered feature bits (two select/read rounds)."""
        words = []
        for select in (0, 1):
            self.common.write32(spec.DEVICE_FEATURE_SELECT, select)
            words.append(self.common.read32(spec.DEVICE_FEATURE))
        return words[0] | words[1] << 32

    def write_driver_features(self, features: int) -> None:
        """Write the accepted features, both 32-bit words."""
        for select in (0, 1):
            self.common.write32(spec.DRIVER_FEATURE_SELECT, select)
            self.common.write32(spec.DRIVER_FEATURE, features >> (32 * select) & 0xFFFFFFFF)

    def negotiate(self, wanted: int) -> int:
        """Accept ``wanted & offered`` (VERSION_1 required) and check FEATURES_OK sticks."""
        offered = self.device_features()
        if not offered >> spec.F_VERSION_1 & 1:
            raise VirtioError(f"{self.device.address}: device does not offer VERSION_1 (legacy only)")
        accepted = (wanted | 1 << spec.F_VERSION_1) & offered
        self.write_driver_features(accepted)
        self.add_status(spec.FEATURES_OK)
        if not self.status & spec.FEATURES_OK:
            self.add_status(spec.FAILED)
            raise VirtioError(f"{self.device.address}: device refused features {accepted:#x}")
        return accepted

    # -- PCI function and MSI-X ----------------------------------------------------------------
    def enable_function(self) -> None:
        """Command: Memory Space and Bus Master on, INTx off (MSI-X is used)."""
        config = self.device.config
        command = config.read16(0x04)
        config.write16(0x04, command | COMMAND_MEMORY | COMMAND_BUS_MASTER | COMMAND_INTX_DISABLE)

    def setup_msix(self, vectors: int) -> None:
        """Enable MSI-X with the function masked, program ``vectors`` entries, then unmask."""
        cap = self.device.find_capability(CAP_MSIX)
        if cap is None or cap.fields is None:
            raise VirtioError(f"{self.device.address}: no MSI-X capability")
        if cap.fields.table_size < vectors:
            raise VirtioError(f"{self.device.address}: {vectors} vectors wanted, MSI-X has {cap.fields.table_size}")
        config, control = self.device.config, cap.offset + 2
        config.write16(control, config.read16(control) | MSIX_ENABLE | MSIX_FUNCTION_MASK)
        table = self._region(cap.fields.table_bir)
        for vector in range(vectors):
            entry = cap.fields.table_offset + 16 * vector
            address, data = MSI_ADDRESS_BASE, MSI_DATA_BASE + vector
            table.write32(entry, address & 0xFFFFFFFF)
            table.write32(entry + 4, address >> 32)
            table.write32(entry + 8, data)
            table.write32(entry + 12, 0)  # unmask the vector
            self._vectors[(address, data)] = vector
        config.write16(control, config.read16(control) & ~MSIX_FUNCTION_MASK)

    def set_vector_masked(self, vector: int, masked: bool) -> None:
        """Mask or unmask one MSI-X vector (Vector Control bit 0), e.g. while moving it."""
        cap = self.device.find_capability(CAP_MSIX)
        if cap is None or cap.fields is None or not 0 <= vector < cap.fields.table_size:
            raise VirtioError(f"{self.device.address}: no MSI-X vector {vector}")
        table = self._region(cap.fields.table_bir)
        table.write32(cap.fields.table_offset + 16 * vector + 12, 1 if masked else 0)

    def _assign_vector(self, register: int, vector: int, what: str) -> None:
        self.common.write16(register, vector)
        if self.common.read16(register) != vector:
            raise VirtioError(f"{self.device.address}: device refused MSI-X vector {vector} for {what}")

    # -- queues --------------------------------------------------------------------------------------
    def setup_queue(self, index: int, vector: int, allocate: Callable[[int, int], int]) -> Queue:
        """Select queue ``index``, give it rings and a vector, enable it."""
        common = self.common
        common.write16(spec.QUEUE_SELECT, index)
        size = common.read16(spec.QUEUE_SIZE)
        if size == 0:
            raise VirtioError(f"{self.device.address}: queue {index} is not available")
        desc = allocate(16 * size, 16)
        driver = allocate(6 + 2 * size, 2)
        device = allocate(6 + 8 * size, 4)
        common.write64_split(spec.QUEUE_DESC, desc)
        common.write64_split(spec.QUEUE_DRIVER, driver)
        common.write64_split(spec.QUEUE_DEVICE, device)
        self._assign_vector(spec.QUEUE_MSIX_VECTOR, vector, f"queue {index}")
        notify = self.structures[spec.NOTIFY_CFG]
        notify_offset = common.read16(spec.QUEUE_NOTIFY_OFF) * notify.notify_off_multiplier
        common.write16(spec.QUEUE_ENABLE, 1)
        queue = Queue(index, size, vector, notify_offset, desc, driver, device)
        self.queues.append(queue)
        return queue

    def notify(self, queue: Queue) -> None:
        """Kick the device: write the queue index at the queue's notify address (4.1.4.4)."""
        self._window(spec.NOTIFY_CFG).write16(queue.notify_offset, queue.index)

    # -- the whole initialization ------------------------------------------------------------------
    def initialize(
        self, wanted_features: int, queues: Optional[int] = None,
        allocate: Optional[Callable[[int, int], int]] = None,
    ) -> int:
        """Bring the device to DRIVER_OK; returns the negotiated features."""
        self.enable_function()
        self.reset()
        self.add_status(spec.ACKNOWLEDGE)
        self.add_status(spec.DRIVER)
        features = self.negotiate(wanted_features)
        available = self.common.read16(spec.NUM_QUEUES)
        count = available if queues is None else min(queues, available)
        self.setup_msix(1 + count)
        self._assign_vector(spec.CONFIG_MSIX_VECTOR, 0, "configuration changes")
        allocate = allocate or BumpAllocator()
        for index in range(count):
            self.setup_queue(index, 1 + index, allocate)
        self.add_status(spec.DRIVER_OK)
        return features

    # -- interrupts and device configuration ----------------------------------------------------------
    def handle_message(self, address: int, data: int) -> None:
        """Dispatch one MSI-X message: vector 0 is a config change, vector 1+q queue q."""
        vector = self._vectors.get((address, data))
        if vector is None:
            self.events.unknown_messages.append((address, data))
        elif vector == 0:
            self.events.config_changes += 1
        else:
            queue = self.queues[vector - 1]
            queue.used_notifications += 1
            self.events.queue_notifications[queue.index] = queue.used_notifications

    def read_isr(self) -> int:
        """Read (and so clear) the ISR status: only for INTx, never with MSI-X in use."""
        return self._window(spec.ISR_CFG).read8(0)

    def device_config(self, length: int) -> bytes:
        """``length`` bytes of device configuration, read consistently (config_generation)."""
        window = self._window(spec.DEVICE_CFG)
        for _ in range(RESET_POLLS):
            before = self.common.read8(spec.CONFIG_GENERATION)
            data = bytes(window.read8(i) for i in range(length))
            if self.common.read8(spec.CONFIG_GENERATION) == before:
                return data
        raise VirtioError(f"{self.device.address}: device configuration keeps changing")

    # -- read-only inspection ----------------------------------------------------------------------
    def inspect(self) -> dict[str, int]:
        """What can be read without writing anything: the feature word currently selected,
        queue count, status, configuration vector and generation."""
        common = self.common
        return {
            "device_feature_select": common.read32(spec.DEVICE_FEATURE_SELECT),
            "device_feature": common.read32(spec.DEVICE_FEATURE),
            "num_queues": common.read16(spec.NUM_QUEUES),
            "device_status": common.read8(spec.DEVICE_STATUS),
            "config_msix_vector": common.read16(spec.CONFIG_MSIX_VECTOR),
            "config_generation": common.read8(spec.CONFIG_GENERATION),
        }
