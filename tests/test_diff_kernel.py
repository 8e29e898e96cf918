"""``pcikit diff`` compares device state; kernel-side facts (driver, IRQ numbers) only with --kernel."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import dump_text, put, run_cli

SYS_DEVICES = Path("/sys/bus/pci/devices")


def _config() -> bytes:
    data = bytearray(256)
    put(data, 0x00, 4, 0x10411AF4)
    put(data, 0x08, 4, 0x02000001)
    data[0x3C], data[0x3D] = 11, 1
    return bytes(data)


def _sysfs_and_dump(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "sys"
    folder = root / "devices" / "pci0000:00" / "0000:00:03.0"
    folder.mkdir(parents=True)
    (folder / "config").write_bytes(_config())
    (folder / "irq").write_text("11\n")
    (folder / "msi_irqs").mkdir()
    (folder / "msi_irqs" / "40").write_text("msix\n")
    (folder / "driver").symlink_to(tmp_path)  # any link: only its name is read
    links = root / "bus" / "pci" / "devices"
    links.mkdir(parents=True)
    (links / "0000:00:03.0").symlink_to("../../../devices/pci0000:00/0000:00:03.0")
    dump = tmp_path / "same.txt"
    dump.write_text(dump_text([("00:03.0", _config())]))
    return root, dump


def test_same_bytes_with_and_without_kernel_facts_are_identical(tmp_path):
    root, dump = _sysfs_and_dump(tmp_path)
    result = run_cli("diff", "--sysfs-root", str(root), str(dump), "00:03.0")
    assert result.returncode == 0, result.stdout + result.stderr


def test_kernel_flag_compares_irqs_and_driver(tmp_path):
    root, dump = _sysfs_and_dump(tmp_path)
    result = run_cli("diff", "--kernel", "--sysfs-root", str(root), str(dump), "00:03.0")
    assert result.returncode == 1
    for field in ("interrupts.kernel.irq", "interrupts.kernel.msi_irqs", "driver"):
        assert field in result.stdout


def test_live_device_against_its_own_capture_is_identical(tmp_path):
    if os.geteuid() != 0 or not SYS_DEVICES.is_dir():
        pytest.skip("needs root and live PCI devices")
    slots = sorted(p.name for p in SYS_DEVICES.iterdir())
    if not slots:
        pytest.skip("no live PCI devices here")
    compared = 0
    for slot in slots:
        spec = tmp_path / f"{slot.replace(':', '_')}.toml"
        captured = run_cli("fixture", "capture", "-s", slot, "-o", str(spec))
        assert captured.returncode == 0, captured.stderr
        result = run_cli("diff", str(spec), slot)
        assert result.returncode == 0, result.stdout + result.stderr
        compared += 1
    assert compared == len(slots)
