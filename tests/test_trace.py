"""``pcikit trace check`` on hand-written QEMU trace lines (no QEMU needed): widths paired from the
config-port accesses, BAR accesses found at the addresses the replayed config writes gave, each
violation at its trace line, bad lines recorded, exit statuses."""
from __future__ import annotations

import io
import json

from pcikit.trace import read_trace

from .conftest import ROOT, dump_text, run_cli

SPEC = str(ROOT / "specs" / "virtio-net.toml")  # MSI-X table in BAR 1 (4 KiB), PBA at 0x800
MMCFG = "memory_region_ops_{kind} cpu 0 mr 0x1 addr 0x{addr:x} value 0x{value:x} size {size} name 'pcie-mmcfg-mmio'"
CFG = "pci_cfg_{kind} virtio-net-pci 00:03.0 @0x{offset:x} {arrow} 0x{value:x}"
MMIO = "memory_region_ops_{kind} cpu 0 mr 0x2 addr 0x{addr:x} value 0x{value:x} size {size} name 'msix-table'"


def _config_write(offset: int, value: int, size: int = 4) -> list[str]:
    return [MMCFG.format(kind="write", addr=0xB0018000 + offset, value=value, size=size),
            CFG.format(kind="write", offset=offset, arrow="<-", value=value)]


def _config_read(offset: int, value: int, size: int = 4) -> list[str]:
    return [CFG.format(kind="read", offset=offset, arrow="->", value=value),
            MMCFG.format(kind="read", addr=0xB0018000 + offset, value=value, size=size)]


def _trace(tmp_path, *mmio: str) -> str:
    lines = ["qemu booting", *_config_write(0x14, 0xFFFFFFFF), *_config_read(0x14, 0xFFFFF000),
             *_config_write(0x14, 0xFEBD1000), *_config_write(0x04, 0x0006, 2), *mmio]
    path = tmp_path / "trace.log"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_widths_come_from_the_config_port_accesses():
    text = "\n".join(_config_write(0x04, 6, 2) + _config_read(0x00, 0x1AF4, 2) + ["pci_cfg_read garbage"])
    trace = read_trace(io.StringIO(text))
    assert [(a.kind, a.offset, a.width) for a in trace.accesses] == [("write", 4, 2), ("read", 0, 2)]
    assert trace.problems == ["line 5: unreadable pci_cfg event: pci_cfg_read garbage"]


def test_a_2_byte_msix_table_write_is_named_with_its_line(tmp_path):
    path = _trace(tmp_path, MMIO.format(kind="write", addr=0xFEBD1000, value=0xFEE0, size=4),
                  MMIO.format(kind="write", addr=0xFEBD1004, value=0x1, size=2))
    result = run_cli("trace", "check", path, "-s", "00:03.0", "--spec", SPEC, "--profile", "cloud-hypervisor", "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["config_accesses"] == 4 and report["bar_accesses"] == 2
    (violation,) = report["violations"]
    assert violation["line"] == 11 and violation["message"].startswith("MSI-X table write of 2 byte(s) at 0x4")
    assert violation["kind"] == "msix-width"
    assert "panic" in violation["consequence"]


def test_cloud_hypervisor_ignores_a_1_byte_message_control_write(tmp_path):
    path = _trace(tmp_path, *_config_write(0x9B, 0x80, 1))  # MSI-X at 0x98: Enable through byte cap+3
    spec = run_cli("trace", "check", path, "-s", "00:03.0", "--spec", SPEC)
    assert spec.returncode == 0 and "0 violation(s)" in spec.stdout
    ch = run_cli("trace", "check", path, "-s", "00:03.0", "--spec", SPEC, "--profile", "cloud-hypervisor")
    assert ch.returncode == 1 and "updates MSI-X state only on a 2-byte write at cap+2" in ch.stdout


def test_errors_are_one_line_exit_2(tmp_path):
    missing = run_cli("trace", "check", str(tmp_path / "none.log"), "-s", "00:03.0", "--spec", SPEC)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "No such file" in missing.stderr
    bad_slot = run_cli("trace", "check", _trace(tmp_path), "-s", "zz", "--spec", SPEC)
    assert bad_slot.returncode == 2 and bad_slot.stderr.count("\n") == 1


def test_the_profile_table_is_complete_sourced_and_documented():
    from pcikit.testing.profiles import BEHAVIOURS, PROFILES, VARIANTS, behaviour

    doc = (ROOT / "docs" / "emulators.md").read_text()
    for item in BEHAVIOURS:
        assert set(item.facts) == set(PROFILES), item.name
        assert f"`{item.name}`" in doc
        for profile, fact in item.facts.items():
            assert fact.does and fact.source, (item.name, profile)
            assert f"| {profile} | {fact.does} | {fact.source} |" in doc, (item.name, profile)
    rows = 0
    for variant, (base, replaced) in VARIANTS.items():
        assert base in PROFILES and f"`{variant}`" in doc
        for name, fact in replaced.items():
            behaviour(name)  # a variant replaces only behaviours that exist
            rows += f"| {variant} | {fact.does} | {fact.source} |" in doc
    assert rows >= 1  # qemu-vhost's row in the msix_unmasked_edit table


def test_hostile_trace_lines_stay_bounded():
    from pcikit.trace.parse import MAX_PROBLEMS

    text = "x" * 1_000_000 + "\n" + "pci_cfg_read nonsense\n" * 500 + "\n".join(_config_write(0x04, 6, 2)) + "\n"
    trace = read_trace(io.StringIO(text))
    assert [(a.line, a.offset, a.width) for a in trace.accesses] == [(503, 4, 2)]
    assert len(trace.problems) == MAX_PROBLEMS + 1 and trace.problems[-1].startswith("more unreadable")


def test_an_old_cloud_hypervisor_panics_and_the_replay_stops_there(tmp_path):
    path = _trace(tmp_path, MMIO.format(kind="read", addr=0xFEBD1004, value=0, size=2),
                  MMIO.format(kind="write", addr=0xFEBD1008, value=0x1, size=2))
    result = run_cli("trace", "check", path, "-s", "00:03.0", "--spec", SPEC, "--profile", "cloud-hypervisor-v52", "--json")
    report = json.loads(result.stdout)
    assert result.returncode == 1 and [v["line"] for v in report["violations"]] == [10]
    assert report["skipped"] == ["line 10: cloud-hypervisor-v52 panics here; the rest of the trace is not replayed"]
    assert "panics the VMM" in report["violations"][0]["consequence"]


def test_an_entry_edited_while_unmasked_is_named_with_qemu_vhosts_consequence(tmp_path):
    program = [MMIO.format(kind="write", addr=0xFEBD1000 + offset, value=value, size=4)
               for offset, value in ((0x0, 0xFEE01000), (0x4, 0), (0x8, 0x41), (0xC, 0))]
    edit = MMIO.format(kind="write", addr=0xFEBD1000, value=0xFEE02000, size=4)
    path = _trace(tmp_path, *program, *_config_write(0x9A, 0x8000, 2), edit)  # MSI-X at 0x98: Enable
    reports = {}
    for profile in ("qemu", "qemu-vhost"):
        result = run_cli("trace", "check", path, "-s", "00:03.0", "--spec", SPEC, "--profile", profile, "--json")
        assert result.returncode == 1, result.stderr
        (reports[profile],) = json.loads(result.stdout)["violations"]
    assert {v["line"] for v in reports.values()} == {16} and {v["kind"] for v in reports.values()} == {"msix-unmasked-edit"}
    assert "latched at the last unmask" in reports["qemu-vhost"]["consequence"]
    assert "msix_notify" in reports["qemu"]["consequence"]


LEGACY = str(ROOT / "specs" / "legacy-pci.toml")  # I/O BAR 0 (256 ports) and memory BAR 1 (256 bytes)
# QEMU 7.2 traces a port access as it traces MMIO, at the port number ("addr 0x1040 ... name
# 'virtio-pci'", seen over qtest); an RTL-8139 names its I/O and memory BARs alike
REGION = "memory_region_ops_{kind} cpu 0 mr 0x3 addr 0x{addr:x} value 0x{value:x} size {size} name 'rtl8139'"


def _legacy_trace(tmp_path, command: int, *accesses: str) -> str:
    lines = [*_config_write(0x10, 0xFFFFFFFF), *_config_read(0x10, 0x0000FF01), *_config_write(0x10, 0xC001),
             *_config_write(0x14, 0xFFFFFFFF), *_config_read(0x14, 0xFFFFFF00), *_config_write(0x14, 0xFEBF0000),
             *_config_write(0x04, command, 2), *accesses]
    path = tmp_path / "legacy.log"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_io_bar_accesses_are_replayed_at_their_ports(tmp_path):
    accesses = [REGION.format(kind="read", addr=0xC000, value=0x52, size=1),
                REGION.format(kind="write", addr=0xC0FE, value=0x1, size=2),
                REGION.format(kind="read", addr=0xC100, value=0, size=4),  # past the 256 ports: not this device's
                REGION.format(kind="read", addr=0xFEBF0004, value=0, size=4)]
    path = _legacy_trace(tmp_path, 0x3, *accesses)  # I/O and Memory Space on
    report = json.loads(run_cli("trace", "check", path, "-s", "00:03.0", "--spec", LEGACY, "--json").stdout)
    assert (report["bar_accesses"], report["io_accesses"], report["violations"]) == (3, 2, [])
    off = _legacy_trace(tmp_path, 0x2, *accesses)  # Memory Space only: the port accesses master-abort
    result = run_cli("trace", "check", off, "-s", "00:03.0", "--spec", LEGACY, "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert [(v["line"], v["kind"]) for v in report["violations"]] == [(15, "decode-off"), (16, "decode-off")]
    assert report["violations"][1]["message"].startswith("bar0 write at 0xfe while the BAR does not decode")


def test_a_dump_takes_its_bar_sizes_from_the_trace(tmp_path):
    from pcikit.testing import MockDevice

    dump = tmp_path / "legacy.txt"  # a dump carries no BAR sizes
    dump.write_text(dump_text([("00:03.0", MockDevice.from_spec(LEGACY).config.read_block(0, 256))]))
    path = _legacy_trace(tmp_path, 0x3, REGION.format(kind="read", addr=0xC0FC, value=0, size=4),
                         REGION.format(kind="write", addr=0xFEBF00FC, value=1, size=4))
    result = run_cli("trace", "check", path, "-s", "00:03.0", "-F", str(dump), "--json")
    report = json.loads(result.stdout)
    assert (result.returncode, report["bar_accesses"], report["io_accesses"], report["violations"]) == (0, 2, 1, [])


def test_io_bar_sizes_come_from_the_trace_when_the_source_has_none():
    from pcikit.trace.check import sizes_from_trace

    lines = [*_config_write(0x10, 0xFFFFFFFF), *_config_read(0x10, 0x0000FFE1),  # 32 ports, upper 16 bits 0
             *_config_write(0x18, 0xFFFFFFFF), *_config_read(0x18, 0xFFFFFF01),  # 256 ports
             *_config_write(0x14, 0xFFFFFFFF), *_config_read(0x14, 0xFFFFF000)]  # 4 KiB of memory
    assert sizes_from_trace(read_trace(io.StringIO("\n".join(lines))), (0, 3, 0)) == {0: 0x20, 2: 0x100, 1: 0x1000}
