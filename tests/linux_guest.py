"""Boot a real Linux guest in QEMU with virtio-net and NVMe, recording a trace of its PCI accesses.

The initramfs is built here from the host's kernel modules and a static busybox:
``/init`` loads the drivers in dependency order (virtio_ring before virtio; nvme-core
after t10-pi and the CRC providers the crypto API would otherwise look up with
modprobe), waits for the devices to bind, and powers off. A second virtio-net is
legacy-only (``disable-modern=on``): Linux drives it through its I/O BAR.

KVM when it can run the guest (:func:`kvm_usable`), falling back to TCG if the KVM
boot does not finish; ``PCIKIT_GUEST_KVM=1`` tries KVM (then TCG) regardless,
``PCIKIT_GUEST_KVM=0`` boots with TCG only.
"""
from __future__ import annotations

import glob
import os
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Optional

MODULES = (  # paths under /lib/modules/VERSION/kernel, loaded in this order
    "crypto/crct10dif_common", "crypto/crct10dif_generic", "lib/crc-t10dif", "lib/crc64",
    "crypto/crc64_rocksoft_generic", "lib/crc64-rocksoft", "block/t10-pi", "drivers/nvme/host/nvme-core",
    "drivers/nvme/host/nvme", "drivers/virtio/virtio_ring", "drivers/virtio/virtio",
    "drivers/virtio/virtio_pci_legacy_dev", "drivers/virtio/virtio_pci_modern_dev", "drivers/virtio/virtio_pci",
    "net/core/failover", "drivers/net/net_failover", "drivers/net/virtio_net",
)
DEVICES = ("-netdev user,id=n0 -device virtio-net-pci,netdev=n0,romfile= -device nvme,serial=pcikit "
           "-netdev user,id=n1 -device virtio-net-pci,netdev=n1,disable-modern=on,romfile=")
SLOTS = {"virtio-net": (0, 1, 0), "nvme": (0, 2, 0), "virtio-net-legacy": (0, 3, 0)}
EVENTS = ("pci_cfg_read", "pci_cfg_write", "memory_region_ops_read", "memory_region_ops_write")
DONE = "PCIKIT-GUEST-DONE"


def find_kernel() -> Optional[tuple[Path, Path]]:
    """(vmlinuz, its modules folder) of an installed kernel with the drivers, or None."""
    for kernel in sorted(glob.glob("/boot/vmlinuz-*"), reverse=True):
        modules = Path("/lib/modules") / Path(kernel).name[len("vmlinuz-"):] / "kernel"
        if all((modules / f"{m}.ko").is_file() for m in MODULES):
            return Path(kernel), modules
    return None


def _entry(name: str, data: bytes, mode: int, inode: int) -> bytes:
    """One newc cpio member."""
    encoded = name.encode() + b"\0"
    fields = (inode, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(encoded), 0)
    head = b"070701" + "".join(f"{v:08x}" for v in fields).encode() + encoded
    head += b"\0" * (-len(head) % 4)
    return head + data + b"\0" * (-len(data) % 4)


def build_initramfs(modules: Path, busybox: str, target: Path) -> None:
    """A newc cpio: busybox, the driver modules, and an /init that loads them and powers off."""
    lines = ["#!/bin/busybox sh", "/bin/busybox mount -t proc proc /proc", "/bin/busybox mount -t sysfs sys /sys"]
    lines += [f"/bin/busybox insmod /m/{os.path.basename(m)}.ko" for m in MODULES]
    lines += ["/bin/busybox sleep 2", "/bin/busybox ls /sys/bus/pci/drivers/nvme /sys/bus/pci/drivers/virtio-pci",
              f"echo {DONE}", "/bin/busybox poweroff -f"]
    parts = [_entry(d, b"", stat.S_IFDIR | 0o755, i) for i, d in enumerate(("bin", "proc", "sys", "m"), 1)]
    parts.append(_entry("bin/busybox", Path(busybox).read_bytes(), stat.S_IFREG | 0o755, 5))
    parts.append(_entry("init", ("\n".join(lines) + "\n").encode(), stat.S_IFREG | 0o755, 6))
    for inode, module in enumerate(MODULES, 10):
        data = (modules / f"{module}.ko").read_bytes()
        parts.append(_entry(f"m/{os.path.basename(module)}.ko", data, stat.S_IFREG | 0o644, inode))
    parts.append(_entry("TRAILER!!!", b"", 0, 0))
    target.write_bytes(b"".join(parts))


def kvm_usable() -> bool:
    """/dev/kvm opens and the CPU has hardware virtualization (vmx or svm).

    Without vmx/svm a /dev/kvm may still exist: on the machine these tests were written
    on it is kvm_pvm (nested, no VMX), which runs an unmodified guest kernel so slowly
    that Debian's kernel was still in its decompressor after 150 s (TCG boots in ~20 s)."""
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR))
        flags = Path("/proc/cpuinfo").read_text().split()
    except OSError:
        return False
    return "vmx" in flags or "svm" in flags


def accelerators() -> list[str]:
    """The accelerators to try, in order."""
    forced = os.environ.get("PCIKIT_GUEST_KVM")
    if forced in ("0", "1"):
        return ["kvm", "tcg"] if forced == "1" else ["tcg"]
    return ["kvm", "tcg"] if kvm_usable() else ["tcg"]


def boot(folder: Path, timeout: float = 180.0, kvm_timeout: float = 60.0) -> tuple[Path, str, str]:
    """Boot once; return (trace log, serial console text, accelerator used)."""
    found = find_kernel()
    busybox = shutil.which("busybox")
    assert found is not None and busybox is not None
    kernel, modules = found
    initrd = folder / "initrd.cpio"
    build_initramfs(modules, busybox, initrd)
    (folder / "events").write_text("\n".join(EVENTS) + "\n")
    tried = accelerators()
    for accel in tried:
        trace, serial = folder / f"trace-{accel}.log", folder / f"serial-{accel}.txt"
        command = [
            "qemu-system-x86_64", "-machine", "q35", "-accel", accel, "-m", "256", "-display", "none",
            "-nodefaults", "-no-reboot", "-kernel", str(kernel), "-initrd", str(initrd),
            "-append", "console=ttyS0 panic=-1 quiet", "-serial", f"file:{serial}",
            "-trace", f"events={folder / 'events'},file={trace}", *DEVICES.split(),
        ] + (["-cpu", "host"] if accel == "kvm" else [])
        try:
            result = subprocess.run(command, capture_output=True, text=True,
                                    timeout=kvm_timeout if accel == "kvm" else timeout)
        except subprocess.TimeoutExpired:
            continue  # subprocess.run killed it; try the next accelerator
        console = serial.read_text(errors="replace") if serial.exists() else ""
        if result.returncode == 0 and DONE in console:
            return trace, console, accel
    raise AssertionError(f"the guest did not finish ({', '.join(tried)} tried)")
