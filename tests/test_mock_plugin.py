"""The pytest plugin: fixture, markers, strict mode — run in a child pytest like a user's suite."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from tests.conftest import ROOT

USER_TESTS = '''
import pytest
from pcikit.testing import DeviceBuilder

IMAGE = DeviceBuilder(0x1234, 0x5678).bar(0, 0x1000).msix(2, bar=0).build().config.image()


def test_from_bytes(pci_mock):
    dev = pci_mock(IMAGE, bar_sizes={0: 0x1000})
    assert dev.config.read16(0) == 0x1234


def test_from_builder(pci_mock):
    dev = pci_mock(DeviceBuilder(0xAAAA, 1), address="0000:05:00.0")
    assert str(dev.address) == "0000:05:00.0"


def test_from_dump(pci_mock, tmp_path):
    rows = [f"{b:02x}: " + " ".join(f"{x:02x}" for x in IMAGE[b:b + 16]) for b in range(0, 256, 16)]
    path = tmp_path / "dump.txt"
    path.write_text("00:07.0 Mock\\n" + "\\n".join(rows) + "\\n\\n")
    assert str(pci_mock(str(path)).address) == "0000:00:07.0"


@pytest.mark.pci_device(DeviceBuilder(0xBBBB, 2))
def test_marker_default(pci_mock):
    assert pci_mock().config.read16(0) == 0xBBBB


@pytest.mark.pci_strict
def test_strict_clean(pci_mock):
    dev = pci_mock(IMAGE, bar_sizes={0: 0x1000})
    dev.config.write16(4, 2)
    dev.bar(0).read32(0)


@pytest.mark.pci_strict
def test_strict_violation(pci_mock):
    dev = pci_mock(IMAGE, bar_sizes={0: 0x1000})
    dev.bar(0).read32(0)  # Memory Space is off: a master abort


@pytest.mark.pci_profile("qemu")
def test_profile_marker(pci_mock):
    dev = pci_mock(IMAGE, bar_sizes={0: 0x1000})
    assert dev.profile == "qemu" and pci_mock(IMAGE, bar_sizes={0: 0x1000}, profile="spec").profile == "spec"
    assert dev.bar(0).read32(0) == 0  # QEMU answers 0 with Memory Space off (the spec: all ones)


@pytest.mark.pci_live
def test_live_marker_registered():
    pass


def test_spec_files_go_to_the_fixture_generator(pci_mock):
    from pcikit.fixture import SpecError

    with pytest.raises(SpecError, match="device.toml"):
        pci_mock("device.toml")
'''


def _run_child(tmp_path) -> subprocess.CompletedProcess:
    (tmp_path / "test_user.py").write_text(textwrap.dedent(USER_TESTS))
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "pcikit.pytest_plugin", "--strict-markers", "-q",
         "-p", "no:cacheprovider", "-rA", str(tmp_path / "test_user.py")],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )


def test_plugin_in_a_user_suite(tmp_path):
    result = _run_child(tmp_path)
    out = result.stdout
    assert "PASSED test_user.py::test_from_bytes" in out, out
    for name in ("from_builder", "from_dump", "marker_default", "strict_clean", "spec_files_go_to_the_fixture_generator",
                 "profile_marker"):
        assert f"PASSED test_user.py::test_{name}" in out, out
    assert "ERROR test_user.py::test_strict_violation" in out, out
    assert "master abort" in out
    assert "test_live_marker_registered" in out and "not found in `markers`" not in out


def test_plugin_module_imports_nothing_heavy():
    code = ("import sys, pcikit.pytest_plugin; "
            "print(sorted(m for m in sys.modules if m.startswith(('pcikit.testing', 'construct', 'pyudev', 'textual'))))")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr
