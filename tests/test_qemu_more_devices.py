"""More of QEMU 7.2's PCI device models, on one machine: lspci 3.9 and 3.14 agree with pcikit on
the machine's dump, and the mock built from each function's probed capture reads back what QEMU
reads back, dword for dword. Skipped visibly without qemu-system-x86_64.
"""
from __future__ import annotations

import pytest

from pcikit.fixture.capture import capture_device
from pcikit.qemu.probe import _action_bits, probe, probe_dword, write_masks
from pcikit.testing import MockDevice

from .test_qemu import LSPCI_RELEASES, _dump_and_render, qemu_source

MODELS = (  # bridges first: devices behind them name them
    "ioh3420,id=p1,chassis=9", "pcie-pci-bridge,id=ppb", "i82801b11-bridge,id=dmi",
    "ich9-usb-ehci1", "ich9-usb-uhci1", "nec-usb-xhci", "pci-ohci", "lsi53c895a", "megasas-gen2", "mptsas1068",
    "pvscsi", "sdhci-pci", "virtio-scsi-pci", "virtio-balloon-pci", "virtio-serial-pci", "vmxnet3", "rtl8139",
    "ne2k_pci", "i82559er", "e1000-82545em", "ich9-intel-hda", "AC97", "ES1370", "ivshmem-plain,memdev=m0",
    "pvpanic-pci", "virtio-mouse-pci", "virtio-keyboard-pci", "virtio-iommu-pci",
    "pci-testdev,bus=ppb", "edu,bus=ppb", "VGA,bus=ppb", "bochs-display,bus=ppb", "virtio-gpu-pci,bus=dmi", "qxl,bus=dmi",
    "pxb-pcie,id=pxb,bus_nr=0x80", "pcie-root-port,id=pr,bus=pxb,chassis=20",
    "nvme,serial=behind-pxb,bus=pr",  # a PCIe expander's own root bus (0x80), as SeaBIOS finds it
)
ARGS = "-object memory-backend-ram,id=m0,size=1M " + " ".join(f"-device {model}" for model in MODELS)


@pytest.fixture(scope="module")
def source():
    yield from qemu_source(ARGS)


@pytest.mark.parametrize("release", sorted(LSPCI_RELEASES))
@pytest.mark.parametrize("verbose", [1, 3])
def test_lspci_agrees(source, tmp_path, verbose, release):
    lspci, ours = _dump_and_render(source.machine, tmp_path, verbose, release)
    assert lspci.count("\n\n") == len(source.load()) >= len(MODELS) + 4
    assert ours == lspci


def test_an_expander_root_bus_is_numbered_and_assigned(source):
    nvme = source.machine.device("81:00.0")
    assert (nvme.vendor_id, nvme.device_id) == (0x1B36, 0x0010)
    assert source.machine.bar(nvme.address, 0).read32(0x08) >> 16 == 1  # NVMe 1.x, read through the expander


def test_mock_from_probed_capture_reads_back_as_qemu(source, tmp_path):
    compared = agreed = 0
    differing = []
    for dev in source.load():
        captured = capture_device(source.with_bar_sizes(dev))
        readbacks = probe(dev)
        captured.add_write_masks(write_masks(readbacks), "probed on QEMU")
        spec = tmp_path / "device.toml"
        spec.write_text(captured.toml("QEMU"))
        mock = MockDevice.from_spec(spec, profile="qemu")
        kept = _action_bits(dev)
        for theirs in readbacks:
            ours = probe_dword(mock.config, theirs.offset, kept.get(theirs.offset, 0))
            compared += 1
            agreed += ours == theirs
            if ours != theirs:
                differing.append(f"{dev.address} {dev.vendor_id:04x}:{dev.device_id:04x} 0x{theirs.offset:03x}: "
                                 f"QEMU {theirs} mock {ours}")
    print(f"{len(source.load())} functions, {compared} dwords probed, {agreed} identical readbacks")
    assert compared > 3000
    assert not differing, "\n".join(differing[:20])
