"""An MSI-X entry edited while unmasked, on QEMU 7.2 itself: which message its virtio-net delivers.

QEMU's userspace delivery (virtio-pci's notify -> hw/pci/msix.c msix_notify) reads the entry
when it delivers, so the edit takes effect at once; that is the ``qemu`` profile's
``msix_unmasked_edit`` fact, and the mock under ``qemu`` must deliver what QEMU delivers.
The interrupt is virtio-net's configuration change, raised by toggling the link over QMP;
the message lands in guest RAM (its address is RAM, not the APIC) and is read back over
qtest. ``qemu-vhost`` (the route latched at unmask) needs vhost-net and KVM's irqfd
(virtio_pci_set_guest_notifiers: with_irqfd = MSI-X enabled and kvm_msi_via_irqfd_enabled()),
so it cannot be run under qtest's TCG: its claim stays a reading of the source. Skipped
visibly without qemu-system-x86_64.
"""
from __future__ import annotations

import json
import socket

import pytest

from pcikit import qemu
from pcikit.testing import MockDevice

from .test_qemu import need_qemu

CAP_ID_MSIX, ENABLE, FUNCTION_MASK = 0x11, 0x8000, 0x4000
FIRST, EDITED = (0x10_0000, 0x1111), (0x10_0100, 0x2222)  # (RAM address, data) of vector 0


class Qmp:
    """Just enough QMP to toggle a link: one command at a time, every read with a deadline."""

    def __init__(self, path: str) -> None:
        self.socket = socket.socket(socket.AF_UNIX)
        self.socket.settimeout(10)
        self.socket.connect(path)
        self.stream = self.socket.makefile("rw")
        self.stream.readline()  # the greeting
        self.command("qmp_capabilities")

    def command(self, execute: str, **arguments: object) -> dict:
        self.stream.write(json.dumps({"execute": execute, "arguments": arguments}) + "\n")
        self.stream.flush()
        while True:  # skip events
            reply = json.loads(self.stream.readline())
            if "return" in reply or "error" in reply:
                return reply


@pytest.fixture(scope="module")
def vm(tmp_path_factory):
    need_qemu()
    path = str(tmp_path_factory.mktemp("qmp") / "qmp.sock")
    args = f"-netdev user,id=n0 -device virtio-net-pci,netdev=n0,disable-legacy=on,romfile= -qmp unix:{path},server=on,wait=off"
    with qemu.machine(args) as machine:
        yield machine, Qmp(path)


def _program(table, entry: int, message: tuple[int, int]) -> None:
    table.write32(entry, message[0])
    table.write32(entry + 4, 0)
    table.write32(entry + 8, message[1])


def _edit_while_unmasked(table, entry: int, fire) -> None:
    """Vector 0 masked, programmed, unmasked, fired; then reprogrammed without masking it, fired."""
    table.write32(entry + 12, 1)
    _program(table, entry, FIRST)
    table.write32(entry + 12, 0)
    fire()
    _program(table, entry, EDITED)  # the mistake: no mask/unmask around the edit
    fire()


def _on_qemu(machine, qmp: Qmp) -> list[tuple[int, int]]:
    from examples.virtio_driver import spec
    from examples.virtio_driver.__main__ import WANTED
    from examples.virtio_driver.transport import BumpAllocator, VirtioPciTransport

    dev = next(d for d in machine.devices if d.vendor_id == 0x1AF4)
    transport = VirtioPciTransport(dev, lambda index: machine.bar(dev.address, index))
    transport.initialize(WANTED[spec.NET], allocate=BumpAllocator(0x40_0000))  # config changes on vector 0
    cap = machine.reload(dev.address).find_capability(CAP_ID_MSIX).fields
    delivered: list[tuple[int, int]] = []
    link = [True]

    def fire() -> None:  # a link change is a configuration change: virtio_notify_config -> msix_notify
        for address, _ in (FIRST, EDITED):
            machine.qtest.exchange(f"writel {address:#x} 0x0")
        link[0] = not link[0]
        assert qmp.command("set_link", name="n0", up=link[0]) == {"return": {}}
        for address, _ in (FIRST, EDITED):
            data = int(machine.qtest.exchange(f"readl {address:#x}"), 16)
            if data:
                delivered.append((address, data))

    _edit_while_unmasked(machine.bar(dev.address, cap.table_bir), cap.table_offset, fire)
    return delivered


def _on_mock(image: bytes, sizes: dict[int, int], profile: str) -> MockDevice:
    dev = MockDevice.from_image(image, sizes, profile=profile)
    dev.config.write16(0x04, 0x0406)  # Memory Space, Bus Master, INTx off
    cap = dev.open().find_capability(CAP_ID_MSIX)
    table, entry = dev.bar(cap.fields.table_bir), cap.fields.table_offset
    dev.config.write16(cap.offset + 2, ENABLE | FUNCTION_MASK)  # as the example driver sets MSI-X up on QEMU
    _program(table, entry, (0xFEE0_0000, 0x40))
    table.write32(entry + 12, 0)
    dev.config.write16(cap.offset + 2, ENABLE)
    _edit_while_unmasked(table, entry, lambda: dev.msix.fire(0))
    return dev


def test_qemu_delivers_the_edited_entry_and_the_qemu_mock_agrees(vm):
    machine, qmp = vm
    dev = next(d for d in machine.devices if d.vendor_id == 0x1AF4)
    image = dev.config.read_block(0, 256)  # before the driver: as bring-up left it
    sizes = {index: r.end - r.start + 1 for index, r in enumerate(machine.resources(dev.address)) if r.flags}
    assert _on_qemu(machine, qmp) == [FIRST, EDITED]  # QEMU 7.2 (TCG, userspace msix_notify)
    mock = _on_mock(image, sizes, "qemu")
    assert [(m.address, m.data) for m in mock.interrupts] == [FIRST, EDITED]
    assert [v.kind for v in mock.violations] == ["msix-unmasked-edit"] * 3  # address, upper address, data
    vhost = _on_mock(image, sizes, "qemu-vhost")  # modelled from the source, not run: see the module doc
    assert [(m.address, m.data) for m in vhost.interrupts] == [FIRST, FIRST]
