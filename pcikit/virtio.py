"""virtio-pci (virtio 1.x, spec 4.1.4): where the structures live and what the common configuration says.

:func:`virtio_layout` reads the vendor-specific capabilities the schema decoded
(``cfg_type``, ``bar``, ``region_offset``, ``region_length``, ``notify_off_multiplier``)
and keeps the first structure of each type, as a driver would.
:func:`read_common_config` decodes the common configuration through a
:class:`~pcikit.mmio.BarRegion`, each field with its natural width (64-bit queue
addresses as two DWORDs, low first). Selector registers are only written when
``allow_writes`` is true, and restored afterwards; otherwise only the currently
selected feature word and queue are reported. The ISR status is cleared by
reading it, so only :func:`read_isr` reads it, and only when called.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from .mmio import BarRegion
from .schema import registry

CAP_ID_VENDOR = registry.standard_id("Vendor Specific")
COMMON, NOTIFY, ISR, DEVICE = 1, 2, 3, 4
COMMON_CONFIG_LENGTH = 0x38
FEATURE_WORDS = 2  # 64 feature bits
NO_VECTOR = 0xFFFF

# Common configuration register offsets (struct virtio_pci_common_cfg).
DEVICE_FEATURE_SELECT, DEVICE_FEATURE = 0x00, 0x04
DRIVER_FEATURE_SELECT, DRIVER_FEATURE = 0x08, 0x0C
MSIX_CONFIG, NUM_QUEUES, DEVICE_STATUS, CONFIG_GENERATION = 0x10, 0x12, 0x14, 0x15
QUEUE_SELECT, QUEUE_SIZE, QUEUE_MSIX_VECTOR, QUEUE_ENABLE, QUEUE_NOTIFY_OFF = 0x16, 0x18, 0x1A, 0x1C, 0x1E
QUEUE_DESC, QUEUE_DRIVER, QUEUE_DEVICE = 0x20, 0x28, 0x30

STATUS_BITS = {1: "ACKNOWLEDGE", 2: "DRIVER", 4: "DRIVER_OK", 8: "FEATURES_OK",
               64: "DEVICE_NEEDS_RESET", 128: "FAILED"}


@dataclass(frozen=True)
class VirtioStructure:
    """One virtio structure: its type, BAR, offset and length (and the notify multiplier)."""

    cfg_type: int
    name: Optional[str]
    bar: int
    offset: int
    length: int
    cap_offset: int
    notify_off_multiplier: Optional[int] = None


@dataclass
class VirtioLayout:
    """The structures of one virtio-pci function (first of each type) and layout problems."""

    structures: list[VirtioStructure] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def first(self, cfg_type: int) -> Optional[VirtioStructure]:
        """The structure a driver would use for ``cfg_type`` (the first one listed)."""
        return next((s for s in self.structures if s.cfg_type == cfg_type), None)

    def notify_offset(self, queue_notify_off: int) -> Optional[int]:
        """Offset in the notify BAR a queue's notification is written to."""
        notify = self.first(NOTIFY)
        if notify is None or notify.notify_off_multiplier is None:
            return None
        return notify.offset + queue_notify_off * notify.notify_off_multiplier


def virtio_layout(dev: Any) -> Optional[VirtioLayout]:
    """Structures from ``dev``'s virtio vendor capabilities; None when it has none."""
    layout = VirtioLayout()
    for cap in dev.capabilities:
        fields = cap.fields if cap.cap_id == CAP_ID_VENDOR else None
        if fields is None or fields.get("kind") != "virtio":
            continue
        layout.structures.append(VirtioStructure(
            fields.cfg_type, fields.cfg_type_name, fields.bar, fields.region_offset, fields.region_length,
            cap.offset, fields.notify_off_multiplier,
        ))
    if not layout.structures:
        return None
    _check(layout, dev)
    return layout


def _check(layout: VirtioLayout, dev: Any) -> None:
    bars = {bar.index: bar for bar in dev.bars}
    for item in layout.structures:
        if item.cfg_type not in (COMMON, NOTIFY, ISR, DEVICE):
            continue
        bar = bars.get(item.bar)
        where = f"virtio {item.name} structure (capability at {item.cap_offset:#04x})"
        if item.bar > 5:
            layout.problems.append(f"{where} names reserved BAR {item.bar}")
        elif bar is not None and bar.size and item.offset + item.length > bar.size:
            layout.problems.append(
                f"{where} at {item.offset:#x}+{item.length:#x} runs past BAR {item.bar} ({bar.size:#x} bytes)")
    common = layout.first(COMMON)
    if common is not None and common.length < COMMON_CONFIG_LENGTH:
        layout.problems.append(
            f"virtio common structure is {common.length:#x} bytes, shorter than {COMMON_CONFIG_LENGTH:#x}")


@dataclass(frozen=True)
class QueueConfig:
    """One virtqueue's registers (read with it selected) and where its notification goes."""

    index: int
    size: int
    msix_vector: Optional[int]
    enable: bool
    notify_off: int
    desc: int
    driver: int
    device: int
    notify_offset: Optional[int]


@dataclass
class CommonConfig:
    """The common configuration as read; ``*_features`` are 64-bit only when writes were allowed."""

    device_feature_select: int
    device_feature: int
    driver_feature_select: int
    driver_feature: int
    msix_config: Optional[int]
    num_queues: int
    device_status: int
    config_generation: int
    queue_select: int
    device_features: Optional[int] = None
    driver_features: Optional[int] = None
    queues: list[QueueConfig] = field(default_factory=list)

    @property
    def status_names(self) -> list[str]:
        """Names of the device_status bits set."""
        return [name for bit, name in STATUS_BITS.items() if self.device_status & bit]


def _vector(value: int) -> Optional[int]:
    return None if value == NO_VECTOR else value


def _qword(region: BarRegion, offset: int) -> int:
    return region.read32(offset) | region.read32(offset + 4) << 32


def _queue(region: BarRegion, base: int, index: int, layout: VirtioLayout) -> QueueConfig:
    notify_off = region.read16(base + QUEUE_NOTIFY_OFF)
    return QueueConfig(
        index, region.read16(base + QUEUE_SIZE), _vector(region.read16(base + QUEUE_MSIX_VECTOR)),
        bool(region.read16(base + QUEUE_ENABLE)), notify_off, _qword(region, base + QUEUE_DESC),
        _qword(region, base + QUEUE_DRIVER), _qword(region, base + QUEUE_DEVICE),
        layout.notify_offset(notify_off),
    )


def _features(region: BarRegion, select: int, value: int) -> int:
    saved = region.read32(select)
    features = 0
    for word in range(FEATURE_WORDS):
        region.write32(select, word)
        features |= region.read32(value) << (32 * word)
    region.write32(select, saved)
    return features


def read_common_config(
    layout: VirtioLayout, regions: Mapping[int, BarRegion], allow_writes: bool = False
) -> tuple[Optional[CommonConfig], Optional[str]]:
    """(common configuration, None) or (None, why it cannot be read).

    Without ``allow_writes`` nothing is written: the feature words and the queue
    are those currently selected. With it (and a writable region) every feature
    word and every queue is read through the selectors, which are restored.
    """
    common = layout.first(COMMON)
    if common is None:
        return None, "no virtio common configuration structure"
    region = regions.get(common.bar)
    if region is None:
        return None, f"BAR {common.bar} (virtio common configuration) is not mapped"
    base = common.offset
    if common.length < COMMON_CONFIG_LENGTH or base % 8 or base + COMMON_CONFIG_LENGTH > region.size:
        return None, (f"virtio common configuration at {base:#x}+{common.length:#x} does not fit "
                      f"BAR {common.bar} ({region.size:#x} bytes) or is too short")
    config = CommonConfig(
        region.read32(base + DEVICE_FEATURE_SELECT), region.read32(base + DEVICE_FEATURE),
        region.read32(base + DRIVER_FEATURE_SELECT), region.read32(base + DRIVER_FEATURE),
        _vector(region.read16(base + MSIX_CONFIG)), region.read16(base + NUM_QUEUES),
        region.read8(base + DEVICE_STATUS), region.read8(base + CONFIG_GENERATION),
        region.read16(base + QUEUE_SELECT),
    )
    if not (allow_writes and not region.readonly):
        config.queues = [_queue(region, base, config.queue_select, layout)]
        return config, None
    config.device_features = _features(region, base + DEVICE_FEATURE_SELECT, base + DEVICE_FEATURE)
    config.driver_features = _features(region, base + DRIVER_FEATURE_SELECT, base + DRIVER_FEATURE)
    for index in range(config.num_queues):
        region.write16(base + QUEUE_SELECT, index)
        config.queues.append(_queue(region, base, index, layout))
    region.write16(base + QUEUE_SELECT, config.queue_select)
    return config, None


def read_isr(layout: VirtioLayout, regions: Mapping[int, BarRegion]) -> Optional[int]:
    """Read (and so clear) the ISR status byte; None when there is no mapped ISR structure."""
    isr = layout.first(ISR)
    region = regions.get(isr.bar) if isr is not None else None
    if region is None or isr.length < 1 or isr.offset >= region.size:
        return None
    return region.read8(isr.offset)
