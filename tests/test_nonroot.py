"""Non-root truth: what a user without CAP_SYS_ADMIN can see is said, and what it cannot is marked.

The kernel gives such a user the first 64 bytes of config space; the capability list
(MSI, MSI-X) lies beyond. A fake sysfs tree with a 64-byte ``config`` stands for that
view; the live checks run pcikit as a non-root user (runuser) and take their
expectations from the kernel's own files (``msi_irqs/N`` says ``msi`` or ``msix``).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .conftest import put, run_cli
from .nonroot import run_nonroot

SYS_DEVICES = Path("/sys/bus/pci/devices")


def _header64() -> bytes:
    data = bytearray(64)
    put(data, 0x00, 2, 0x1AF4)
    put(data, 0x02, 2, 0x1041)
    put(data, 0x04, 2, 0x0406)  # memory space, bus master, INTx disabled
    put(data, 0x06, 2, 0x0010)  # capabilities list
    put(data, 0x08, 4, 0x02000001)
    data[0x34] = 0x98  # Capabilities Pointer: the list starts past what this user may read
    return bytes(data)


def _fake_nonroot_sysfs(tmp_path: Path, msi_mode: str | None) -> Path:
    root = tmp_path / "sys"
    folder = root / "devices" / "pci0000:00" / "0000:00:03.0"
    folder.mkdir(parents=True)
    (folder / "config").write_bytes(_header64())
    (folder / "irq").write_text("0\n")
    if msi_mode:
        (folder / "msi_irqs").mkdir()
        for irq in (37, 38, 39):
            (folder / "msi_irqs" / str(irq)).write_text(msi_mode + "\n")
    links = root / "bus" / "pci" / "devices"
    links.mkdir(parents=True)
    (links / "0000:00:03.0").symlink_to("../../../devices/pci0000:00/0000:00:03.0")
    return root


def test_msix_says_needs_root_and_uses_the_kernels_view(tmp_path):
    root = _fake_nonroot_sysfs(tmp_path, "msix")
    result = run_cli("msix", "--sysfs-root", str(root))
    assert result.returncode == 0
    assert result.stdout == ("0000:00:03.0 MSI-X: in use per the kernel (3 vectors, irqs 37,38,39); "
                             "capability and table need root\n")
    doc = json.loads(run_cli("msix", "--json", "--sysfs-root", str(root)).stdout)[0]
    assert doc["unread"].startswith("needs root") and doc["enable"] is None
    assert doc["kernel"] == {"irq": 0, "msi_irqs": [37, 38, 39], "msi_mode": "msix"}


def test_msix_without_kernel_hint_still_says_needs_root(tmp_path):
    root = _fake_nonroot_sysfs(tmp_path, None)
    result = run_cli("msix", "--sysfs-root", str(root))
    assert "MSI-X: unknown (needs root" in result.stdout


@pytest.mark.parametrize("mode, text, json_mode, source", [
    ("msix", "Mode: MSI-X (from the kernel's msi_irqs; the capabilities need root)", "MSI-X", "kernel"),
    ("msi", "Mode: MSI (from the kernel's msi_irqs; the capabilities need root)", "MSI", "kernel"),
    (None, "Mode: unknown (needs root)", "unknown", None),
])
def test_interrupt_mode_is_unknown_or_the_kernels(tmp_path, mode, text, json_mode, source):
    root = _fake_nonroot_sysfs(tmp_path, mode)
    assert text in run_cli("show", "--sysfs-root", str(root)).stdout
    interrupts = json.loads(run_cli("show", "--json", "--sysfs-root", str(root)).stdout)[0]["interrupts"]
    assert interrupts["mode"] == json_mode and interrupts["mode_source"] == source
    assert interrupts["unreadable"].startswith("needs root")


def test_capture_of_a_truncated_view_refuses_unless_allowed(tmp_path):
    root = _fake_nonroot_sysfs(tmp_path, "msix")
    result = run_cli("fixture", "capture", "--sysfs-root", str(root), "-s", "00:03.0", "-o", "-")
    assert result.returncode == 2 and result.stdout == ""
    assert "only 64 of its 256 config bytes are readable" in result.stderr and "--allow-partial" in result.stderr
    result = run_cli("fixture", "capture", "--sysfs-root", str(root), "-s", "00:03.0", "-o", "-", "--allow-partial")
    assert result.returncode == 0 and "config_size = 0x40" in result.stdout


# -- the live machine, as a non-root user ----------------------------------------------------

def _kernel_msi_modes() -> dict[str, str]:
    """Slot -> the kernel's mode for functions with message interrupts (read straight from sysfs)."""
    modes = {}
    for folder in sorted(SYS_DEVICES.iterdir()) if SYS_DEVICES.is_dir() else []:
        irqs = folder / "msi_irqs"
        entries = sorted(irqs.iterdir()) if irqs.is_dir() else []
        if entries:
            modes[folder.name] = entries[0].read_text().strip()
    return modes


def test_live_msix_as_non_root_names_every_device_the_kernel_drives_with_msix():
    modes = _kernel_msi_modes()
    if not modes:
        pytest.skip("no live function uses MSI or MSI-X here")
    result = run_nonroot("msix")
    assert result.returncode == 0, result.stderr
    msix = [slot for slot, mode in modes.items() if mode == "msix"]
    lines = result.stdout.splitlines()
    for slot in msix:
        assert any(line.startswith(slot) and "need root" in line for line in lines), (slot, result.stdout)
    assert len(msix) > 0


def test_live_show_as_non_root_takes_the_mode_from_the_kernel():
    modes = _kernel_msi_modes()
    if not modes:
        pytest.skip("no live function uses MSI or MSI-X here")
    result = run_nonroot("show", "--json")
    assert result.returncode == 0, result.stderr
    documents = {doc["slot"]: doc for doc in json.loads(result.stdout)}
    if all(doc["config_size"] > 64 for doc in documents.values()):
        pytest.skip("this non-root user reads full config space")
    checked = 0
    for slot, mode in modes.items():
        interrupts = documents[slot]["interrupts"]
        assert interrupts["mode"] == {"msix": "MSI-X", "msi": "MSI"}[mode]
        assert interrupts["mode_source"] == "kernel" and interrupts["unreadable"].startswith("needs root")
        checked += 1
    assert checked == len(modes)


def test_live_capture_as_non_root_refuses():
    slots = sorted(p.name for p in SYS_DEVICES.iterdir()) if SYS_DEVICES.is_dir() else []
    if not slots:
        pytest.skip("no live PCI devices here")
    result = run_nonroot("fixture", "capture", "-s", slots[0], "-o", "-")
    if os.geteuid() != 0 and result.returncode == 0:
        pytest.skip("this user reads full config space")
    assert result.returncode == 2 and "--allow-partial" in result.stderr and result.stdout == ""


def test_health_says_which_devices_it_could_only_partly_check(tmp_path):
    root = _fake_nonroot_sysfs(tmp_path, "msix")
    result = run_cli("health", "--sysfs-root", str(root))
    assert "1 of them only partly: their capabilities are not readable (needs root" in result.stdout
