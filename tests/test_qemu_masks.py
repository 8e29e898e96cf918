"""Write masks probed on QEMU: capture -> spec -> MockDevice.from_spec reads back what QEMU reads back.

Every probed dword of every function of one machine (the device set of test_qemu) is
written with ones, then zeros, then restored, on QEMU and on the mock built from the
captured spec; the three readbacks must agree. The disagreements that masks cannot
express are named below (each a QEMU 7.2 behaviour, with its source), counted, and
nothing else may differ. Skipped visibly without qemu-system-x86_64.
"""
from __future__ import annotations

import json

import pytest

from pcikit.fixture.capture import capture_device
from pcikit.qemu.probe import _action_bits, probe, probe_dword, write_masks
from pcikit.testing import MockDevice

from .test_qemu import ARGS, qemu_source

CAP_ID_PM = 0x01
RESULTS: dict[str, int] = {}


def _pm_no_reset(dev, qemu_rb, mock_rb) -> bool:
    """QEMU does not reset a function on PMCSR D3hot -> D0 without No_Soft_Reset (hw/pci/pci.c
    keeps config space); the spec mock does, so registers probed after PMCSR start from reset values."""
    pm = dev.find_capability(CAP_ID_PM)
    return (pm is not None and not dev.image[pm.offset + 4] & 0x8 and qemu_rb.offset > pm.offset
            and qemu_rb[2:] == mock_rb[2:])


KNOWN = {"no reset on D3hot -> D0": _pm_no_reset}


@pytest.fixture(scope="module")
def source():
    yield from qemu_source(ARGS)


def test_mock_from_probed_spec_reads_back_what_qemu_reads_back(source, tmp_path):
    compared = agreed = 0
    explained = dict.fromkeys(KNOWN, 0)
    unexplained = []
    for dev in source.load():
        captured = capture_device(source.with_bar_sizes(dev))
        readbacks = probe(dev)
        captured.add_write_masks(write_masks(readbacks), "probed on QEMU")
        spec = tmp_path / f"{dev.address.short.replace(':', '-')}.toml"
        spec.write_text(captured.toml("QEMU"))
        mock = MockDevice.from_spec(spec)
        kept = _action_bits(dev)
        for theirs in readbacks:
            ours = probe_dword(mock.config, theirs.offset, kept.get(theirs.offset, 0))
            compared += 1
            if ours == theirs:
                agreed += 1
                continue
            reason = next((name for name, test in KNOWN.items() if test(dev, theirs, ours)), None)
            if reason is None:
                unexplained.append(f"{dev.address} 0x{theirs.offset:03x}: QEMU {theirs} mock {ours}")
            else:
                explained[reason] += 1
    RESULTS.update(compared=compared, agreed=agreed, **explained)
    print(f"probed dwords: {compared}, identical readbacks: {agreed}, explained: {explained}")
    assert compared > 5000 and len(source.load()) == 19
    assert not unexplained, "\n".join(unexplained[:20])


def test_masks_reach_the_spec_and_only_emulators_are_probed(source):
    from pcikit.fixture import build, loads_spec
    from pcikit.fixture.masks import register_masks
    from pcikit.fixture.outputs import render_c, render_json
    from pcikit.qemu.probe import ProbeError
    from pcikit.testing import DeviceBuilder

    nvme = next(d for d in source.load() if (d.vendor_id, d.device_id) == (0x1B36, 0x0010))
    captured = capture_device(source.with_bar_sizes(nvme))
    captured.add_write_masks(write_masks(probe(nvme)), "probed")
    spec = loads_spec(captured.toml())
    command = next(m for m in spec.write_masks if m.offset == 0x04)
    assert command.writable & 0xFFFF == 0x0507  # I/O, Memory, Bus Master, SERR#, Interrupt Disable (QEMU's)
    free = [m.writable for m in spec.write_masks if 0x4C <= m.offset < 0x60]  # after MSI-X: device-specific
    assert free and all(w == 0xFFFF_FFFF for w in free)  # QEMU leaves unused config bytes writable
    fixture = build(spec)
    masks = register_masks(fixture)
    assert masks.writable[0x4C // 4] == 0xFFFF_FFFF and masks.writable[0x04 // 4] & 0xFFFF == 0x0507
    assert json.loads(render_json(fixture))[0]["write_masks"]["writable"] == masks.writable
    assert "static const uint8_t" in render_c(fixture) and "_wmask[4096]" in render_c(fixture)
    with pytest.raises(ProbeError, match="only on an emulator"):
        probe(DeviceBuilder(0x1234, 0x5678).build().open())


def _msix_reads(region, table: int, pba: int) -> list[tuple[int, int, int]]:
    """(offset, width, value) of every aligned 1/2/4/8-byte read over two table entries and the PBA's first QWORD."""
    reads = []
    for base, length in ((table, 32), (pba, 8)):
        for width, name in ((1, "read8"), (2, "read16"), (4, "read32"), (8, "read64")):
            for offset in range(base, base + length, width):
                reads.append((offset, width, getattr(region, name)(offset)))
    return reads


def test_profile_qemu_answers_msix_and_decode_off_reads_as_qemu(source, tmp_path):
    compared = 0
    for dev in source.load():
        cap = dev.find_capability(0x11)
        if cap is None or cap.fields is None:
            continue
        fields = cap.fields
        captured = capture_device(source.with_bar_sizes(dev))
        spec = tmp_path / "msix.toml"
        spec.write_text(captured.toml("QEMU"))
        theirs_bar = source.machine.bar(dev.address, fields.table_bir)
        assert fields.pba_bir == fields.table_bir  # every QEMU device here keeps both in one BAR
        theirs = _msix_reads(theirs_bar, fields.table_offset, fields.pba_offset)
        for profile, agrees in (("qemu", True), ("spec", False)):
            mock = MockDevice.from_spec(spec, profile=profile)
            ours = _msix_reads(mock.bar(fields.table_bir), fields.table_offset, fields.pba_offset)
            assert (ours == theirs) is agrees, (dev.address, profile)
            compared += len(theirs)
            narrow = [(o, w, v) for (o, w, v), (_, _, t) in zip(ours, theirs) if v != t]
            assert all(w in (1, 2) for _, w, _ in narrow)  # the profiles differ in exactly these
        command = dev.config.read16(0x04)
        dev.config.write16(0x04, command & ~0x2)
        off_theirs = theirs_bar.read32(fields.table_offset + 12)
        dev.config.write16(0x04, command)
        mock = MockDevice.from_spec(spec, profile="qemu")
        mock.config.write16(0x04, command & ~0x2)
        assert mock.bar(fields.table_bir).read32(fields.table_offset + 12) == off_theirs == 0
    print(f"MSI-X table/PBA reads compared: {compared}")
    assert compared > 1000


def test_profile_qemu_without_probed_masks(source, tmp_path):
    """A spec with no write_masks (e.g. from a dump of a QEMU guest): the qemu profile's generic
    departures (free config bytes writable, Parity Error Response read-only) close most of the gap."""
    agreed = {"spec": 0, "qemu": 0}
    compared = 0
    for dev in source.load():
        spec = tmp_path / "plain.toml"
        spec.write_text(capture_device(source.with_bar_sizes(dev)).toml("QEMU"))
        readbacks = probe(dev)
        kept = _action_bits(dev)
        compared += len(readbacks)
        for profile in agreed:
            mock = MockDevice.from_spec(spec, profile=profile)
            agreed[profile] += sum(probe_dword(mock.config, r.offset, kept.get(r.offset, 0)) == r for r in readbacks)
    print(f"dwords {compared}: identical readbacks without probed masks: {agreed}")
    assert compared > 5000
    assert agreed["qemu"] > 0.95 * compared and agreed["spec"] < 0.2 * compared
