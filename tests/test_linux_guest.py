"""A real Linux guest's PCI accesses, checked: one boot per run (virtio-net, NVMe, and a
legacy-only virtio-net Linux drives through its I/O BAR), then ``pcikit trace check`` over its trace. Linux's drivers must give no violation under the
spec and qemu profiles; the same trace with one MSI-X table write made 2 bytes wide must give
exactly that violation under cloud-hypervisor.

Skipped visibly without qemu-system-x86_64, a kernel with the modules (linux-image-amd64)
or busybox (busybox-static).
"""
from __future__ import annotations

import json
import os
import re
import shutil

import pytest

from . import linux_guest
from .conftest import run_cli
from .test_qemu import need_qemu

QEMU_ARGS = linux_guest.DEVICES


@pytest.fixture(scope="module")
def guest(tmp_path_factory):
    need_qemu()
    if linux_guest.find_kernel() is None:
        pytest.skip("no /boot/vmlinuz-* with virtio-net and nvme modules (apt-get install linux-image-amd64)")
    if shutil.which("busybox") is None:
        pytest.skip("busybox is not installed (apt-get install busybox-static)")
    trace, console, accel = linux_guest.boot(tmp_path_factory.mktemp("guest"))
    assert all(f"0000:00:0{device}.0" in console for device in (1, 2, 3))  # every driver bound
    return trace, accel


def _check(trace, slot: str, *options: str) -> dict:
    result = run_cli("trace", "check", str(trace), "-s", slot, "--qemu", QEMU_ARGS, "--json", *options,
                     path_env=os.environ.get("PATH"))
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("profile", ["spec", "qemu"])
@pytest.mark.parametrize("driver", list(linux_guest.SLOTS))
def test_linux_drivers_make_no_mistake(guest, driver, profile):
    trace, _ = guest
    bus, device, function = linux_guest.SLOTS[driver]
    report = _check(trace, f"{bus:02x}:{device:02x}.{function}", "--profile", profile)
    assert report["violations"] == []
    assert report["config_accesses"] > 100 and report["bar_accesses"] > 50  # the driver really ran
    # only the legacy device is driven through ports (the modern virtio-net's I/O BAR stays unused)
    assert (report["io_accesses"] > 20) == (driver == "virtio-net-legacy"), report["io_accesses"]
    assert report["trace_problems"] == [] and report["skipped"] == []


def _virtio_msix_bar(text: str) -> int:
    """The address Linux gave virtio-net's BAR 1 (its MSI-X table): the last config write to 0x14."""
    writes = re.findall(r"pci_cfg_write virtio-net-pci 00:01\.0 @0x14 <- 0x([0-9a-f]+)", text)
    return int([w for w in writes if w != "ffffffff"][-1], 16) & ~0xF


def test_a_2_byte_msix_write_is_exactly_one_violation_under_cloud_hypervisor(guest, tmp_path):
    trace, _ = guest
    lines = trace.read_text().splitlines(keepends=True)
    base = _virtio_msix_bar("".join(lines))
    pattern = re.compile(r"memory_region_ops_write .* addr 0x([0-9a-f]+) value 0x([0-9a-f]+) size 4 name 'msix-table'")
    number = next(i for i, line in enumerate(lines)
                  if (m := pattern.search(line)) and base <= int(m.group(1), 16) < base + 0x1000)
    lines[number] = re.sub(r"value 0x([0-9a-f]+) size 4", lambda m: f"value {int(m.group(1), 16) & 0xFFFF:#x} size 2",
                           lines[number])
    altered = tmp_path / "altered.log"
    altered.write_text("".join(lines))
    report = _check(altered, "00:01.0", "--profile", "cloud-hypervisor")
    assert [v["line"] for v in report["violations"]] == [number + 1]
    (violation,) = report["violations"]
    assert violation["message"].startswith("MSI-X table write of 2 byte(s)")
    assert "cloud-hypervisor" in violation["consequence"] and "panic" in violation["consequence"]
    assert _check(trace, "00:01.0", "--profile", "cloud-hypervisor")["violations"] == []
