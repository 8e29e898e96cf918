"""QEMU as a source: lspci agrees with pcikit on a QEMU machine, the bring-up obeys the PCI rules,
driver code runs unchanged against QEMU's virtio-net, and QEMU always stops.

One machine (every device kind below) is shared by the module. Skipped visibly
when qemu-system-x86_64 is absent (CI installs qemu-system-x86).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from pcikit import qemu
from pcikit.address import Address
from pcikit.errors import MisalignedAccessError
from pcikit.qemu.qtest import QtestProcess
from pcikit.render.hexdump import render_dump

from .conftest import ROOT, need_lspci, run_cli
from .oracle import oracle

DEVICES = {  # what the machine holds: name -> (vendor, device) lspci must list
    "virtio-net-pci": (0x1AF4, 0x1000),
    "virtio-net-pci modern, behind a root port": (0x1AF4, 0x1041),
    "virtio-blk-pci": (0x1AF4, 0x1001),
    "nvme": (0x1B36, 0x0010),
    "e1000e": (0x8086, 0x10D3),
    "qemu-xhci": (0x1B36, 0x000D),
    "ich9-ahci": (0x8086, 0x2922),
    "pcie-root-port": (0x1B36, 0x000C),
    "x3130-upstream": (0x104C, 0x8232),
    "xio3130-downstream": (0x104C, 0x8233),
    "pci-bridge": (0x1B36, 0x0001),
    "e1000 behind the PCI bridge": (0x8086, 0x100E),
}
ARGS = (
    "-netdev user,id=n0 -device virtio-net-pci,netdev=n0 "
    "-drive if=none,id=d0,file=null-co://,format=raw -device virtio-blk-pci,drive=d0 "
    "-device nvme,serial=pcikit0 -device e1000e -device qemu-xhci -device ich9-ahci "
    "-device pcie-root-port,id=rp1,chassis=1 -device virtio-net-pci,bus=rp1,disable-legacy=on "
    "-device pcie-root-port,id=rp2,chassis=2 -device x3130-upstream,id=up,bus=rp2 "
    "-device xio3130-downstream,id=dn1,bus=up,chassis=3 -device nvme,serial=pcikit1,bus=dn1 "
    "-device pci-bridge,id=pb,chassis_nr=4 -device virtio-rng-pci,bus=pb -device e1000,bus=pb"
)
STARTED: dict[str, float] = {}


def need_qemu() -> None:
    """Skip visibly when QEMU is not installed."""
    if not qemu.available():
        pytest.skip("qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)")


def qemu_source(args: str):
    """A QemuSource started with ``args`` for a module-scoped fixture to yield, closed after (skips without QEMU)."""
    need_qemu()
    from pcikit.qemu.source import QemuSource

    src = QemuSource(args)
    yield src
    src.close()


@pytest.fixture(scope="module")
def vm():
    need_qemu()
    began = time.monotonic()
    with qemu.machine(ARGS) as machine:
        STARTED["start"] = time.monotonic() - began
        yield machine


LSPCI_RELEASES = ("3.9", "3.14")


def _lspci(release: str) -> str:
    """The release's lspci where the differential test finds it (tests/oracle.py), else a visible skip."""
    found = oracle(release)
    if found.path is None:
        pytest.skip(found.missing)
    return found.path


def _dump_and_render(vm, tmp_path, verbose: int, release: str) -> tuple[str, str]:
    """(lspci -F on pcikit's -xxxx dump of the machine, pcikit's own lspci text), one state."""
    from pcikit.ids import default_database
    from pcikit.render.lspci import LspciOptions, parse_version, render_devices
    from pcikit.render.lspci.names import Namer

    dialect = parse_version(release)
    namer = Namer(default_database(), 1)  # -n: numbers (prog-if names still come from pci.ids)
    dump = tmp_path / "qemu.txt"
    dump.write_text(render_dump(vm.devices, 4, namer, False, dialect))
    flags = ["-n"] + ([f"-{'v' * verbose}"] if verbose else [])
    lspci = subprocess.run([_lspci(release), "-F", str(dump), *flags], capture_output=True, text=True,
                           env=dict(os.environ, LC_ALL="C"), check=True).stdout
    ours = "".join(render_devices(vm.devices, LspciOptions(verbose, 1, False, False, 0, dialect), namer))
    return lspci, ours


@pytest.mark.parametrize("release", sorted(LSPCI_RELEASES))
@pytest.mark.parametrize("verbose", [0, 1, 2, 3])
def test_lspci_agrees_on_the_qemu_machine(vm, tmp_path, verbose, release):
    lspci, ours = _dump_and_render(vm, tmp_path, verbose, release)
    blocks = [b for b in lspci.split("\n\n") if b.strip()]
    listed = {line.split()[0] for line in lspci.splitlines() if line and not line[0].isspace()}
    assert len(listed) == len(vm.devices) >= len(DEVICES) + 4  # + host bridge, LPC, SATA, SMBus
    for name, (vendor, device) in DEVICES.items():
        assert f"{vendor:04x}:{device:04x}" in lspci, f"{name} missing from the machine"
    assert len(blocks) == (len(vm.devices) if verbose else 1)
    assert ours == lspci


def test_extended_config_space_through_ecam(vm):
    e1000e = next(d for d in vm.devices if (d.vendor_id, d.device_id) == DEVICES["e1000e"])
    assert e1000e.config.size == 4096
    assert 0x3 in [cap.cap_id for cap in e1000e.extended_capabilities]  # Device Serial Number
    host = vm.device("00:00.0")
    assert host.config.size == 256  # no PCI Express capability: no extended space (as Linux decides)


def test_bus_numbers_are_depth_first(vm):
    by_bus: dict[int, list] = {}
    for dev in vm.devices:
        by_bus.setdefault(dev.address.bus, []).append(dev)
    numbered, stack = 0, list(reversed(by_bus[0]))
    while stack:  # visit depth first: each bridge must have taken the next bus number
        dev = stack.pop()
        if dev.header_type != 1:
            continue
        primary, secondary, subordinate = (dev.config.read8(o) for o in (0x18, 0x19, 0x1A))
        numbered += 1
        assert (primary, secondary) == (dev.address.bus, numbered), dev.address
        below = [d for d in vm.devices if d.address.bus > secondary and d.address.bus <= subordinate]
        assert subordinate == max([secondary] + [d.address.bus for d in below])
        stack.extend(reversed(by_bus.get(secondary, [])))
    assert numbered == max(by_bus) == 5


def _windows(dev) -> dict[str, tuple[int, int]]:
    read = dev.config.read
    io = ((read(0x1C, 1) & 0xF0) << 8, (read(0x1D, 1) & 0xF0) << 8 | 0xFFF)
    mem = ((read(0x20, 2) & 0xFFF0) << 16, (read(0x22, 2) & 0xFFF0) << 16 | 0xFFFFF)
    pref = ((read(0x24, 2) & 0xFFF0) << 16 | read(0x28, 4) << 32, (read(0x26, 2) & 0xFFF0) << 16 | 0xFFFFF | read(0x2C, 4) << 32)
    return {"io": io, "memory": mem, "prefetchable": pref}


def test_bars_are_assigned_inside_bridge_windows_without_overlap(vm):
    placed = []
    for function in vm.functions:
        for bar in function.bars:
            placed.append((bar.space, bar.address, bar.address + bar.size - 1))
            assert bar.address % bar.size == 0  # naturally aligned
    for (space, start, end), (space2, start2, end2) in zip(sorted(placed), sorted(placed)[1:]):
        assert space != space2 or end < start2, "two BARs overlap"
    sizes = {(Address(0, *f.bdf), b.index): b.size for f in vm.functions for b in f.bars}
    checked = 0
    for dev in vm.devices:
        if dev.header_type != 1:
            continue
        windows = _windows(dev)
        behind = [d for d in vm.devices if dev.config.read8(0x19) <= d.address.bus <= dev.config.read8(0x1A)]
        for child in behind:
            for bar in child.bars:
                kind = "io" if bar.space == "io" else ("prefetchable" if bar.prefetchable and bar.bits == 64 else "memory")
                low, high = windows[kind]
                size = sizes[child.address, bar.index]
                inside = low <= bar.address and bar.address + size - 1 <= high
                if kind == "prefetchable" and not inside:  # a prefetchable BAR may sit in the memory window
                    low, high = windows["memory"]
                    inside = low <= bar.address and bar.address + size - 1 <= high
                assert inside, f"{child.address} BAR {bar.index} at {bar.address:#x} is outside {dev.address}'s window"
                checked += 1
    assert checked >= 8


def test_decode_and_interrupt_line_are_set(vm):
    for dev in vm.devices:
        command = dev.config.read16(0x04)
        kinds = {bar.space for bar in dev.bars}
        assert bool(command & 0x1) == ("io" in kinds or dev.header_type == 1)
        assert bool(command & 0x2) == ("memory" in kinds or dev.header_type == 1)
        if dev.interrupt.pin is not None:
            assert dev.interrupt.line in (10, 11)


def test_bar_region_widths_reach_the_device(vm):
    nvme = next(d for d in vm.devices if (d.vendor_id, d.device_id) == DEVICES["nvme"])
    bar = vm.bar(nvme.address, 0)
    cap = bar.read64(0x00)  # NVMe CAP: MQES (bits 15:0) is at least 1
    version = bar.read32(0x08)
    assert cap & 0xFFFF and version >> 16 == 1  # NVMe 1.x
    assert bar.read16(0x08) == version & 0xFFFF and bar.read8(0x0A) == version >> 16 & 0xFF
    with pytest.raises(MisalignedAccessError):  # refused before any access
        bar.read32(0x02)


def test_virtio_driver_runs_unchanged_against_qemu(vm):
    from examples.virtio_driver import spec
    from examples.virtio_driver.__main__ import WANTED
    from examples.virtio_driver.transport import VirtioPciTransport
    from pcikit.msix import read_msix

    dev = next(d for d in vm.devices if (d.vendor_id, d.device_id) == DEVICES["virtio-net-pci modern, behind a root port"])
    transport = VirtioPciTransport(dev, lambda index: vm.bar(dev.address, index))
    features = transport.initialize(WANTED[spec.NET])
    assert transport.status == spec.ACKNOWLEDGE | spec.DRIVER | spec.FEATURES_OK | spec.DRIVER_OK
    assert features >> spec.F_VERSION_1 & 1 and features >> spec.NET_F_MAC & 1
    assert [q.vector for q in transport.queues] == list(range(1, len(transport.queues) + 1))
    assert len(transport.queues) == 3  # rx, tx, control
    fresh = vm.reload(dev.address)
    table_bar = fresh.find_capability(0x11).fields.table_bir
    state = read_msix(fresh, {table_bar: vm.bar(dev.address, table_bar)})
    assert state.layout.enable and not state.layout.function_mask and state.unread is None
    assert [(v.address, v.data, v.masked) for v in state.vectors[:4]] == [(0xFEE00000, 0x40 + i, False) for i in range(4)]


def test_start_and_stop_time(vm):
    assert STARTED["start"] < 10.0
    print(f"QEMU machine with {len(vm.devices)} functions up in {STARTED['start']:.3f} s")


# -- errors and shutdown ------------------------------------------------------------------------------
def test_missing_qemu_is_one_line(monkeypatch):
    monkeypatch.setenv("PCIKIT_QEMU", "/nonexistent/qemu-system-x86_64")
    with pytest.raises(qemu.QemuError, match="not found"):
        qemu.machine("-device nvme,serial=a")


def test_rejected_argument_is_one_line():
    need_qemu()
    with pytest.raises(qemu.QemuError) as info:
        qemu.machine("-device no-such-device")
    assert str(info.value) == "QEMU refused to start: -device no-such-device: 'no-such-device' is not a valid device model name"


def test_silent_qemu_times_out_and_is_stopped(tmp_path, monkeypatch):
    fake = tmp_path / "silent-qemu"
    fake.write_text("#!/bin/sh\nexec sleep 60\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PCIKIT_QEMU", str(fake))
    began = time.monotonic()
    with pytest.raises(qemu.QemuError, match="did not answer"):
        QtestProcess([], timeout=0.3, start_timeout=0.3)
    assert time.monotonic() - began < 5


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie nobody reaped yet counts as dead)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_qemu_dies_with_its_parent():
    need_qemu()
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from pcikit import qemu; "
            "vm = qemu.machine('-device nvme,serial=a'); print(vm.qtest.pid, flush=True); "
            "import time; time.sleep(60)")
    parent = subprocess.Popen([sys.executable, "-c", code, str(ROOT)], stdout=subprocess.PIPE, text=True)
    pid = int(parent.stdout.readline())
    assert _alive(pid)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    for _ in range(100):
        if not _alive(pid):
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    pytest.fail("QEMU outlived the process that started it")


def test_io_ports_run_out_before_bridges_do():
    """16 root ports each wanting a 4 KiB I/O window cannot fit in 64 KiB of ports: as firmware does,
    I/O BARs behind the bridges stay unassigned (decode off), memory is still assigned."""
    need_qemu()
    ports = " ".join(f"-device pcie-root-port,id=rp{i},chassis={i},addr={i + 1:#x} -device e1000e,bus=rp{i}"
                     for i in range(1, 17))
    with qemu.machine(ports) as many:
        nics = [d for d in many.devices if (d.vendor_id, d.device_id) == DEVICES["e1000e"]]
        assert len(nics) == 16
        for nic in nics:
            io = [b for b in nic.bars if b.space == "io"]
            assert io and all(b.address == 0 for b in io)
            assert nic.config.read16(0x04) & 0x3 == 0x2  # Memory Space on, I/O Space off
            assert all(b.address for b in nic.bars if b.space == "memory")


def test_a_long_batch_does_not_fill_the_pipe(vm):
    answers = vm.qtest.exchange_many(["inl 0xcfc"] * 5000)  # about 100 KiB of answers
    assert len(answers) == 5000 and len(set(answers)) == 1
