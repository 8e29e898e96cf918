"""The live machine: pcikit against lspci on the same /sys/bus/pci (skipped where there is none)."""
from __future__ import annotations

import os
import subprocess

import pytest

from . import oracle
from .conftest import need_lspci, need_oracle, run_cli

pytestmark = pytest.mark.live


def _need_bus() -> None:
    if not os.path.isdir("/sys/bus/pci/devices") or not os.listdir("/sys/bus/pci/devices"):
        pytest.skip("no /sys/bus/pci on this machine")


def _lspci(*flags: str, lspci: str = "") -> str:
    return subprocess.run([lspci or need_lspci(), *flags], capture_output=True, text=True,
                          env=dict(os.environ, LC_ALL="C")).stdout


@pytest.mark.parametrize(
    "command, flags",
    [
        (["list"], []),
        (["list", "-n"], ["-n"]),
        (["list", "-nn"], ["-nn"]),
        (["list", "-D"], ["-D"]),
        (["list", "-k"], ["-k"]),
        (["list", "-v"], ["-v"]),
        (["show", "--format", "lspci", "-v"], ["-v"]),
        (["show", "--format", "lspci", "-vv"], ["-vv"]),
        (["show", "--format", "lspci", "-vvv"], ["-vvv"]),
        (["show", "--format", "lspci", "-vvv", "-nn"], ["-vvv", "-nn"]),
        (["tree"], ["-t"]),
        (["tree", "-v"], ["-tv"]),
        (["dump", "-x"], ["-x"]),
        (["dump", "-xxx"], ["-xxx"]),
        (["dump", "-xxxx"], ["-xxxx"]),
    ],
)
@pytest.mark.parametrize("version", oracle.VERSIONS)
def test_same_text_as_lspci(command, flags, version):
    _need_bus()
    expected = _lspci(*flags, lspci=need_oracle(version))
    result = run_cli(*command, "--lspci-version", version)
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected


def test_json_agrees_with_sysfs():
    _need_bus()
    import json

    docs = json.loads(run_cli("show", "--json").stdout)
    names = sorted(os.listdir("/sys/bus/pci/devices"))
    assert [d["slot"] for d in docs] == names
    for doc in docs:
        folder = f"/sys/bus/pci/devices/{doc['slot']}"
        assert doc["vendor_id"] == int(open(f"{folder}/vendor").read(), 16)
        assert doc["device_id"] == int(open(f"{folder}/device").read(), 16)
        assert doc["class_code"] == int(open(f"{folder}/class").read(), 16)


def test_non_root_reader_sees_64_bytes_and_is_told(tmp_path):
    """A copied sysfs tree whose config holds 64 bytes stands in for a non-root read."""
    _need_bus()
    name = next(n for n in sorted(os.listdir("/sys/bus/pci/devices"))
                if open(f"/sys/bus/pci/devices/{n}/config", "rb").read()[6] & 0x10)
    folder = tmp_path / "bus" / "pci" / "devices" / name
    folder.mkdir(parents=True)
    (folder / "config").write_bytes(open(f"/sys/bus/pci/devices/{name}/config", "rb").read(64))
    text = run_cli("show", "--sysfs-root", str(tmp_path)).stdout
    assert "capabilities need root" in text
    lspci_like = run_cli("show", "--format", "lspci", "-vv", "--sysfs-root", str(tmp_path)).stdout
    assert "Capabilities: <access denied>" in lspci_like
