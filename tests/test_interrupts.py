"""Interrupt summary: legacy pin/line, MSI, MSI-X and the kernel's view."""
from __future__ import annotations

from pcikit.access import BytesConfig
from pcikit.access.base import KernelInfo
from pcikit.address import Address
from pcikit.interrupts import interrupt_summary
from pcikit.mmio import Region
from pcikit.model import Device

from .conftest import put
from .test_msix import bar_image
from .test_msix import config as msix_config


def msi_config(enable=True, pin=1, line=0xFF, command=0) -> bytes:
    """A header with one 64-bit MSI capability (4 vectors capable, 2 enabled) at 0x50."""
    img = bytearray(256)
    put(img, 0x00, 4, 0x56781234)
    put(img, 0x04, 2, command)
    put(img, 0x06, 2, 0x0010)
    put(img, 0x34, 1, 0x50)
    put(img, 0x3C, 1, line)
    put(img, 0x3D, 1, pin)
    put(img, 0x50, 1, 0x05)
    put(img, 0x52, 2, enable | (2 << 1) | (1 << 4) | (1 << 7))
    put(img, 0x54, 4, 0xFEE01000)
    put(img, 0x58, 4, 0x1)
    put(img, 0x5C, 2, 0x4023)
    return bytes(img)


def device(data: bytes, kernel=None) -> Device:
    return Device(Address.parse("0000:00:02.0"), BytesConfig(data), kernel)


def test_msi_summary():
    summary = interrupt_summary(device(msi_config()))
    assert summary.mode == "MSI"
    msi = summary.msi
    assert (msi.enable, msi.vectors_capable, msi.vectors_enabled) == (True, 4, 2)
    assert (msi.address, msi.data, msi.address_64bit, msi.per_vector_masking) == (0x1_FEE01000, 0x4023, True, False)
    assert summary.msix is None
    assert summary.lines()[:3] == [
        "Mode: MSI",
        "Legacy: pin A, unknown/not connected, INTx enabled, status clear",
        "MSI: Enable+ vectors 2/4 address 0x1fee01000 data 0x4023",
    ]


def test_legacy_modes():
    assert interrupt_summary(device(msi_config(enable=False, pin=2, line=10))).mode == "INTx"
    disabled = interrupt_summary(device(msi_config(enable=False, command=1 << 10)))
    assert disabled.mode == "none" and disabled.interrupt_disable is True
    nopin = interrupt_summary(device(msi_config(enable=False, pin=0)))
    assert nopin.mode == "none" and "Legacy: no legacy pin" in nopin.lines()[1]
    reserved = interrupt_summary(device(msi_config(enable=False, pin=7)))
    assert "reserved pin value 7" in reserved.lines()[1]


def test_msix_with_and_without_region():
    dev = device(msix_config(count=4))
    unread = interrupt_summary(dev)
    assert unread.mode == "MSI-X"
    assert "MSI-X: Enable+ Masked- Count=4; table not read: BAR 0 (table BIR) is not mapped" in unread.lines()
    read = interrupt_summary(dev, {0: Region(bar_image())})
    assert len(read.msix.vectors) == 4
    assert read.to_json()["msix"]["vectors"][1]["masked"] is True


def test_kernel_view_and_json():
    kernel = KernelInfo(irq=11, msi_irqs=[24, 25])
    summary = interrupt_summary(device(msi_config(line=11), kernel))
    assert summary.lines()[-1] == "Kernel: irq 11, msi_irqs 24,25"
    doc = summary.to_json()
    assert doc["kernel"] == {"irq": 11, "msi_irqs": [24, 25], "msi_mode": None}
    assert doc["legacy"]["pin"] == "INTA" and doc["legacy"]["line"] == 11
    assert doc["msi"]["vectors_enabled"] == 2 and doc["msix"] is None


def test_header_only_device():
    summary = interrupt_summary(device(bytes(msi_config()[:64])))
    # MSI/MSI-X enables live past byte 64: with INTx enabled the mode is still unknown
    assert summary.msi is None and summary.msix is None and summary.mode == "unknown"
    assert summary.to_json()["mode_source"] is None and "64 bytes" in summary.to_json()["unreadable"]
