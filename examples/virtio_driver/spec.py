"""virtio 1.x constants the PCI transport needs (virtio spec v1.2, sections 2, 4.1, 5.1, 5.2)."""
from __future__ import annotations

VIRTIO_VENDOR = 0x1AF4
MODERN_DEVICE_BASE = 0x1040  # PCI Device ID = 0x1040 + virtio device type

# Vendor-specific capability cfg_type values (4.1.4).
COMMON_CFG, NOTIFY_CFG, ISR_CFG, DEVICE_CFG, PCI_CFG = 1, 2, 3, 4, 5
CFG_TYPE_NAMES = {COMMON_CFG: "common", NOTIFY_CFG: "notify", ISR_CFG: "isr", DEVICE_CFG: "device", PCI_CFG: "pci_cfg"}

# struct virtio_pci_common_cfg (4.1.4.3): offsets.
DEVICE_FEATURE_SELECT = 0x00
DEVICE_FEATURE = 0x04
DRIVER_FEATURE_SELECT = 0x08
DRIVER_FEATURE = 0x0C
CONFIG_MSIX_VECTOR = 0x10
NUM_QUEUES = 0x12
DEVICE_STATUS = 0x14
CONFIG_GENERATION = 0x15
QUEUE_SELECT = 0x16
QUEUE_SIZE = 0x18
QUEUE_MSIX_VECTOR = 0x1A
QUEUE_ENABLE = 0x1C
QUEUE_NOTIFY_OFF = 0x1E
QUEUE_DESC = 0x20
QUEUE_DRIVER = 0x28
QUEUE_DEVICE = 0x30
COMMON_CFG_LENGTH = 0x38

NO_VECTOR = 0xFFFF

# Device status bits (2.1).
ACKNOWLEDGE, DRIVER, DRIVER_OK, FEATURES_OK, DEVICE_NEEDS_RESET, FAILED = 1, 2, 4, 8, 64, 128
STATUS_NAMES = {ACKNOWLEDGE: "ACKNOWLEDGE", DRIVER: "DRIVER", DRIVER_OK: "DRIVER_OK",
                FEATURES_OK: "FEATURES_OK", DEVICE_NEEDS_RESET: "DEVICE_NEEDS_RESET", FAILED: "FAILED"}

# ISR status bits (4.1.4.5).
ISR_QUEUE, ISR_CONFIG = 0x1, 0x2

# Reserved feature bits (6).
F_INDIRECT_DESC, F_EVENT_IDX, F_VERSION_1, F_ACCESS_PLATFORM = 28, 29, 32, 33
COMMON_FEATURES = {
    24: "NOTIFY_ON_EMPTY", 27: "ANY_LAYOUT", 28: "RING_INDIRECT_DESC", 29: "RING_EVENT_IDX",
    32: "VERSION_1", 33: "ACCESS_PLATFORM", 34: "RING_PACKED", 35: "IN_ORDER", 36: "ORDER_PLATFORM",
    37: "SR_IOV", 38: "NOTIFICATION_DATA", 39: "NOTIF_CONFIG_DATA", 40: "RING_RESET",
}

NET, BLOCK = 1, 2
DEVICE_TYPES = {1: "net", 2: "block", 3: "console", 4: "entropy", 5: "balloon", 8: "scsi", 9: "9p",
                16: "gpu", 18: "input", 19: "vsock", 20: "crypto", 26: "fs"}

NET_F_CSUM, NET_F_GUEST_CSUM, NET_F_MTU, NET_F_MAC = 0, 1, 3, 5
NET_F_MRG_RXBUF, NET_F_STATUS, NET_F_CTRL_VQ, NET_F_MQ = 15, 16, 17, 22
BLK_F_SIZE_MAX, BLK_F_SEG_MAX, BLK_F_GEOMETRY, BLK_F_BLK_SIZE, BLK_F_FLUSH = 1, 2, 4, 6, 9

DEVICE_FEATURES = {
    NET: {0: "CSUM", 1: "GUEST_CSUM", 2: "CTRL_GUEST_OFFLOADS", 3: "MTU", 5: "MAC", 7: "GUEST_TSO4",
          8: "GUEST_TSO6", 9: "GUEST_ECN", 10: "GUEST_UFO", 11: "HOST_TSO4", 12: "HOST_TSO6",
          13: "HOST_ECN", 14: "HOST_UFO", 15: "MRG_RXBUF", 16: "STATUS", 17: "CTRL_VQ", 18: "CTRL_RX",
          19: "CTRL_VLAN", 21: "GUEST_ANNOUNCE", 22: "MQ", 23: "CTRL_MAC_ADDR", 63: "SPEED_DUPLEX"},
    BLOCK: {1: "SIZE_MAX", 2: "SEG_MAX", 4: "GEOMETRY", 5: "RO", 6: "BLK_SIZE", 9: "FLUSH",
            10: "TOPOLOGY", 11: "CONFIG_WCE", 12: "MQ", 13: "DISCARD", 14: "WRITE_ZEROES"},
}


def device_type(pci_device_id: int) -> int:
    """The virtio device type of a modern (0x1040+) PCI device ID; 0 for others."""
    return pci_device_id - MODERN_DEVICE_BASE if 0x1041 <= pci_device_id <= 0x107F else 0


def feature_names(features: int, kind: int) -> list[str]:
    """Names of the set feature bits (``bit N`` for bits without a name)."""
    names = {**COMMON_FEATURES, **DEVICE_FEATURES.get(kind, {})}
    return [names.get(bit, f"bit {bit}") for bit in range(64) if features >> bit & 1]


def status_names(status: int) -> list[str]:
    """Names of the set device status bits."""
    return [name for bit, name in STATUS_NAMES.items() if status & bit]
