"""``--qemu "ARGS"`` on every command that takes a source: each run starts (and stops) its own
short-lived QEMU machine. Skipped visibly when qemu-system-x86_64 is absent.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import ROOT, need_lspci, run_cli
from .test_qemu import _alive, need_qemu

MACHINE = ("-device nvme,serial=cli -device pcie-root-port,id=rp,chassis=1 "
           "-device virtio-net-pci,bus=rp,disable-legacy=on,netdev=n -netdev user,id=n")
NVME, VIRTIO = "00:01.0", "01:00.0"


@pytest.fixture(autouse=True)
def _qemu():
    need_qemu()


def _pcikit(*args: str) -> subprocess.CompletedProcess:
    return run_cli(*args, path_env=os.environ.get("PATH"))


def test_dump_read_back_by_lspci_matches_show_lspci(tmp_path):
    lspci = need_lspci()
    dump = _pcikit("dump", "-xxxx", "--qemu", MACHINE)
    assert dump.returncode == 0, dump.stderr
    (tmp_path / "qemu.txt").write_text(dump.stdout)
    theirs = subprocess.run([lspci, "-F", str(tmp_path / "qemu.txt"), "-vvv", "-n"], capture_output=True, text=True,
                            env=dict(os.environ, LC_ALL="C"), check=True).stdout
    ours = _pcikit("show", "--format", "lspci", "-vvv", "-n", "--lspci-version", "3.9", "--qemu", MACHINE)
    assert ours.returncode == 0, ours.stderr
    assert theirs.count("\n\n") == 7 and "Capabilities: [100 v2] Advanced Error Reporting" in theirs  # 7 functions, extended config
    assert ours.stdout == theirs


def test_list_tree_and_json(tmp_path):
    listing = _pcikit("list", "-n", "--qemu", MACHINE)
    assert f"{NVME} 0108: 1b36:0010" in listing.stdout and f"{VIRTIO} 0200: 1af4:1041" in listing.stdout
    tree = _pcikit("tree", "--qemu", MACHINE)
    assert "-[01]----00.0" in tree.stdout
    shown = _pcikit("show", "--json", "-s", NVME, "--qemu", MACHINE)
    (document,) = json.loads(shown.stdout)
    assert document["vendor_id"] == 0x1B36 and document["interrupts"]["msix"]["table_size"] == 65


def test_msix_reads_the_emulated_table():
    result = _pcikit("msix", "--json", "-s", VIRTIO, "--qemu", MACHINE)
    assert result.returncode == 0, result.stderr
    (state,) = json.loads(result.stdout)
    assert state["table_size"] == 4 and len(state["vectors"]) == 4
    assert all(v["masked"] and v["address"] == 0 for v in state["vectors"])  # QEMU's reset state


def test_diff_compares_two_functions_of_the_machine():
    result = _pcikit("diff", "--qemu", MACHINE + " -device nvme,serial=other", NVME, "00:03.0")
    assert result.returncode == 1
    assert "bars[0].address" in result.stdout and "vendor_id" not in result.stdout


def test_fixture_capture_rebuilds_the_emulated_device(tmp_path):
    spec = tmp_path / "nvme.toml"
    result = _pcikit("fixture", "capture", "--qemu", MACHINE, "-s", NVME, "-o", str(spec))
    assert result.returncode == 0, result.stderr
    text = spec.read_text()
    assert "Captured by pcikit from QEMU" in text and "size = 0x4000" in text  # BAR 0 size from the bring-up
    build = _pcikit("fixture", "build", str(spec), "-o", str(tmp_path / "out"), "--format", "bin")
    assert build.returncode == 0, build.stderr
    dump = _pcikit("dump", "--binary", str(tmp_path / "qemu"), "-s", NVME, "--qemu", MACHINE)
    assert dump.returncode == 0
    (image,) = (tmp_path / "qemu").iterdir()
    assert (tmp_path / "out" / "nvme.config.bin").read_bytes() == image.read_bytes()


def test_tui_lists_the_machine():
    from pcikit.qemu.source import QemuSource
    from pcikit.tui import create_app
    from pcikit.tui.widgets.device_list import DeviceList

    from .tui_support import run, screen_text

    source = QemuSource(MACHINE)
    try:
        app = create_app(source, poll_interval=None)

        async def scenario(pilot):
            assert app.query_one(DeviceList).row_count == 7
            assert "7 devices · qemu" in screen_text(app) and "Host bridge" in screen_text(app)

        run(app, scenario)
    finally:
        source.close()
    assert not _alive(source.machine.qtest.pid)


@pytest.mark.parametrize("command", [["list"], ["tree"], ["msix"], ["fixture", "capture", "-s", "0:1", "-o", "-"]])
def test_rejected_qemu_arguments_are_one_line_exit_2(command):
    result = _pcikit(*command, "--qemu", "-device no-such-device")
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.endswith(": QEMU refused to start: -device no-such-device: 'no-such-device' is not a valid device model name")
    assert line.startswith("pcikit")


def test_missing_qemu_is_one_line_exit_2():
    env = dict(os.environ, PCIKIT_QEMU="/nonexistent/qemu-system-x86_64")
    result = subprocess.run([sys.executable, "-m", "pcikit", "list", "--qemu", "-device nvme,serial=a"],
                            capture_output=True, text=True, env=dict(env, PYTHONPATH=str(ROOT)))
    assert result.returncode == 2
    assert result.stderr == ("pcikit: /nonexistent/qemu-system-x86_64 not found "
                             "(install qemu-system-x86, or set PCIKIT_QEMU)\n")

