"""QEMU's device models as a pcikit source: a paused q35 machine driven over qtest.

    from pcikit import qemu

    with qemu.machine("-device virtio-net-pci -device nvme,serial=a") as vm:
        for dev in vm.devices:                  # pcikit.Device over the emulated config space
            print(dev.address, [cap.name for cap in dev.capabilities])
        bar = vm.bar("00:02.0", 4)              # a BarRegion: one qtest access per call

No guest runs: :mod:`.firmware` numbers the buses, sizes and assigns BARs and
enables decode, as firmware would. QEMU always stops when the machine is closed
(and when this process dies). Set ``PCIKIT_QEMU`` to use another binary.
"""
from __future__ import annotations

from .machine import QemuMachine, machine
from .qtest import QemuError, available

__all__ = ["QemuError", "QemuMachine", "available", "machine"]
