"""Health verdicts from the spec's side: hand-built topologies whose right answer the bytes fix.

Link rule (PCIe 7.5.3.6/7.5.3.8/7.5.3.18): a link can train no wider than the narrower
end's Maximum Link Width and no faster than the fastest speed both ends support.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import pcikit
from pcikit.health import check_devices

from .conftest import dump_text, run_cli
from .health_images import DOWNSTREAM_PORT, ENDPOINT, ROOT_PORT, UPSTREAM_PORT, add_aer, add_dpc, function

PORT = "00:01.0"
EP = "01:00.0"
GEN3, GEN4, GEN2 = 3, 4, 2


def _devices(tmp_path: Path, functions: list[tuple[str, bytes]]) -> list:
    path = tmp_path / "dump.txt"
    path.write_text(dump_text(functions))
    return pcikit.load_dump(str(path))


def _findings(tmp_path, functions, check=None):
    found = check_devices(_devices(tmp_path, functions))
    return [f for f in found if check is None or f.check == check]


def _port(width=8, speed=GEN3, **kw):
    return function(ROOT_PORT, width, speed, width, speed, bus=(1, 1), **kw)


def _ep(max_width=16, max_speed=GEN4, width=8, speed=GEN3, **kw):
    return function(ENDPOINT, max_width, max_speed, width, speed, **kw)


def test_x16_endpoint_at_x8_behind_an_x8_port_is_healthy(tmp_path):
    assert _findings(tmp_path, [(PORT, _port(8)), (EP, _ep(16, width=8, speed=GEN3))]) == []


def test_x16_endpoint_at_x4_behind_an_x8_port_is_not(tmp_path):
    found = _findings(tmp_path, [(PORT, _port(8)), (EP, _ep(16, width=4, speed=GEN3))])
    assert [(f.slot, f.check, f.severity, f.expected, f.actual, f.upstream) for f in found] == [
        ("0000:01:00.0", "link-width", "warning", "x8", "x4", "0000:00:01.0")]


def test_speed_is_judged_against_the_slower_end(tmp_path):
    # Gen4 endpoint behind a Gen3 port at 8 GT/s: healthy (a self-only check would false-fail it).
    assert _findings(tmp_path, [(PORT, _port(8, GEN3)), (EP, _ep(8, GEN4, 8, GEN3))], "link-speed") == []
    found = _findings(tmp_path, [(PORT, _port(8, GEN3)), (EP, _ep(8, GEN4, 8, GEN2))], "link-speed")
    assert [(f.severity, f.expected, f.actual, f.upstream) for f in found] == [
        ("warning", "8 GT/s", "5 GT/s", "0000:00:01.0")]


def test_supported_speed_vectors_are_intersected(tmp_path):
    # Port supports 2.5 and 8 GT/s only (vector 0b101), endpoint up to 5 GT/s: common is 2.5 GT/s.
    port = _port(8, GEN3, speeds_vector=0b101)
    assert _findings(tmp_path, [(PORT, port), (EP, _ep(8, GEN2, 8, 1))], "link-speed") == []


def test_version_1_capability_uses_max_link_speed(tmp_path):
    port = function(ROOT_PORT, 4, GEN2, 4, GEN2, bus=(1, 1), version=1)
    found = _findings(tmp_path, [(PORT, port), (EP, _ep(4, GEN2, 4, 1, version=1))], "link-speed")
    assert [(f.expected, f.actual) for f in found] == [("5 GT/s", "2.5 GT/s")]


def test_target_link_speed_cap_is_info(tmp_path):
    port = _port(8, GEN4, target_speed=GEN3)
    found = _findings(tmp_path, [(PORT, port), (EP, _ep(8, GEN4, 8, GEN3))], "link-speed")
    assert [(f.severity, f.expected, f.actual) for f in found] == [("info", "16 GT/s", "8 GT/s")]


def test_endpoint_without_its_port_is_judged_alone_at_info(tmp_path):
    found = _findings(tmp_path, [(EP, _ep(16, GEN4, 4, GEN2))])
    assert sorted((f.check, f.severity, f.expected, f.actual, f.upstream) for f in found) == [
        ("link-speed", "info", "16 GT/s", "5 GT/s", None), ("link-width", "info", "x16", "x4", None)]


def test_switch_hops_are_judged_each_against_their_own_port(tmp_path):
    up = function(UPSTREAM_PORT, 16, GEN4, 16, GEN4, bus=(2, 3))
    down = function(DOWNSTREAM_PORT, 4, GEN4, 4, GEN4, bus=(3, 3))
    ep = _ep(16, GEN4, 4, GEN4)  # x16 card in an x4 slot of the switch: healthy
    port = function(ROOT_PORT, 16, GEN4, 16, GEN4, bus=(1, 3))
    devices = [("00:01.0", port), ("01:00.0", up), ("02:00.0", down), ("03:00.0", ep)]
    assert _findings(tmp_path, devices) == []
    devices[1] = ("01:00.0", function(UPSTREAM_PORT, 16, GEN4, 8, GEN4, bus=(2, 3)))
    found = _findings(tmp_path, devices)
    assert [(f.slot, f.check, f.expected, f.actual, f.upstream) for f in found] == [
        ("0000:01:00.0", "link-width", "x16", "x8", "0000:00:01.0")]


@pytest.mark.parametrize("port_kw, behind, state, severity", [
    ({"dll_active": False}, "dead", "DL_Down", "error"),
    ({"training": True}, "dead", "training", "error"),
    ({"dll_active": False, "slot_presence": True}, None, "DL_Down", "error"),
    # A function that answers below a link that is not up: the snapshot caught a transition.
    ({"dll_active": False}, "alive", "DL_Down", "warning"),
    ({"training": True}, "alive", "training", "warning"),
])
def test_link_down_with_a_device_or_presence(tmp_path, port_kw, behind, state, severity):
    below = {"dead": [(EP, bytes([0xFF]) * 4096)], "alive": [(EP, _ep())], None: []}[behind]
    found = _findings(tmp_path, [(PORT, _port(8, **port_kw))] + below, "link-down")
    assert [(f.slot, f.severity, f.actual) for f in found] == [("0000:00:01.0", severity, state)]


@pytest.mark.parametrize("port_kw", [
    {"dll_active": False},  # empty port: nothing to link to
    {"dll_active": False, "slot_presence": False},
    {"dll_active": False, "dll_reporting": False},  # bit hardwired to 0 without the capability
])
def test_link_down_not_reported(tmp_path, port_kw):
    functions = [(PORT, _port(8, **port_kw))] + ([(EP, _ep())] if "dll_reporting" in port_kw else [])
    assert _findings(tmp_path, functions, "link-down") == []


def test_aer_by_severity_with_header_log(tmp_path):
    # Uncorrectable: bit 4 Data Link Protocol (severity fatal), bit 20 UR (non-fatal); correctable bit 0.
    ep = add_aer(_ep(), uncorrectable=1 << 4 | 1 << 20, severity=1 << 4, correctable=1,
                 header_log=(0x04000001, 0x0000000F, 0xFEC30000, 0))
    found = _findings(tmp_path, [(PORT, _port()), (EP, ep)], "aer")
    assert [(f.severity, f.actual) for f in found] == [
        ("error", "data_link_protocol_error"), ("warning", "unsupported_request_error"), ("info", "receiver_error")]
    assert "header log 04000001 0000000f fec30000 00000000" in found[0].message


def test_device_status_errors_without_aer(tmp_path):
    ep = _ep()
    ep[0x40 + 0x0A] = 0x04  # Device Status: Fatal Error Detected
    found = _findings(tmp_path, [(EP, ep)], "aer")
    assert [(f.severity, f.actual) for f in found] == [("error", "fatal_error_detected")]


def test_all_ones_function_is_unreachable_and_never_healthy(tmp_path):
    found = _findings(tmp_path, [(PORT, _port()), (EP, bytes([0xFF]) * 4096)])
    assert [(f.slot, f.check, f.severity) for f in found] == [("0000:01:00.0", "unreachable", "error")]


def test_truncated_header_with_a_valid_vendor_is_not_all_ones(tmp_path):
    found = _findings(tmp_path, [(PORT, _port()), (EP, _ep()[:32])], "unreachable")
    assert [(f.slot, f.severity, f.actual) for f in found] == [("0000:01:00.0", "warning", "32 bytes")]
    assert "all ones" not in found[0].message


def test_dpc_trigger(tmp_path):
    # DPC Status: Trigger Status (bit 0), reason 2 = ERR_FATAL received; source 01:00.0.
    port = add_dpc(_port(), status=1 | 2 << 1, source=0x0100)
    found = _findings(tmp_path, [(PORT, port), (EP, _ep())], "dpc")
    assert [(f.slot, f.severity) for f in found] == [("0000:00:01.0", "error")]
    assert "ERR_FATAL received" in found[0].message and "01:00.0" in found[0].message


@pytest.mark.parametrize("port_ctl, ep_ctl, ep_support, bad", [
    (0x2, 0x2, 0x3, False),  # L1 both ends
    (0x0, 0x2, 0x3, True),   # L1 on the endpoint only
    (0x1, 0x0, 0x2, True),   # port sends L0s, endpoint does not support L0s
    (0x1, 0x0, 0x3, False),  # L0s per direction is allowed
])
def test_aspm_consistency(tmp_path, port_ctl, ep_ctl, ep_support, bad):
    found = _findings(tmp_path, [(PORT, _port(aspm_control=port_ctl)),
                                 (EP, _ep(aspm_control=ep_ctl, aspm_support=ep_support))], "aspm")
    assert bool(found) == bad


def _cli(tmp_path, functions, *extra):
    path = tmp_path / "dump.txt"
    path.write_text(dump_text(functions))
    return run_cli("health", "-F", str(path), *extra)


def test_cli_json_and_exit_status(tmp_path):
    bad = _cli(tmp_path, [(PORT, _port(8)), (EP, _ep(16, width=4))], "--json")
    assert bad.returncode == 1, bad.stderr
    rows = json.loads(bad.stdout)
    assert rows == [{"slot": "0000:01:00.0", "check": "link-width", "severity": "warning",
                     "message": rows[0]["message"], "expected": "x8", "actual": "x4", "upstream": "0000:00:01.0"}]
    good = _cli(tmp_path, [(PORT, _port(8)), (EP, _ep(16, width=8))])
    assert good.returncode == 0 and "2 device(s) checked: 0 error(s), 0 warning(s), 0 info" in good.stdout
    alone = _cli(tmp_path, [(EP, _ep(16, width=4))])
    assert alone.returncode == 0 and " info " in alone.stdout  # info never fails the run


def test_cli_selection_keeps_the_topology(tmp_path):
    result = _cli(tmp_path, [(PORT, _port(8)), (EP, _ep(16, width=4))], "-s", "01:00.0", "--json")
    assert [r["upstream"] for r in json.loads(result.stdout)] == ["0000:00:01.0"]


def test_cli_errors_are_one_line(tmp_path):
    missing = run_cli("health", "-F", str(tmp_path / "absent.txt"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "Traceback" not in missing.stderr
    watch = _cli(tmp_path, [(EP, _ep())], "--watch", "1")
    assert watch.returncode == 2 and "live" in watch.stderr
    assert run_cli("health", "--check", "nonsense").returncode == 2


def test_qemu_root_port_wider_than_its_endpoint_is_healthy():
    """QEMU: a x16 16 GT/s root port with an e1000e (x1 2.5 GT/s) trains at x1 2.5 GT/s: no link finding."""
    from .test_qemu import need_qemu

    need_qemu()
    machine = "-device pcie-root-port,id=rp,bus=pcie.0,chassis=1,x-speed=16,x-width=16 -device e1000e,bus=rp"
    result = run_cli("health", "--qemu", machine, "--json", "--check", "link-speed", "--check", "link-width",
                     "--check", "unreachable", path_env=None)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    lspci = run_cli("show", "--qemu", machine, "--format", "lspci", "-vv", "-s", "00:01.0", path_env=None).stdout
    assert "Speed 16GT/s, Width x16" in lspci and "LnkSta:\tSpeed 2.5GT/s, Width x1" in lspci  # what was judged
