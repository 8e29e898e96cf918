"""Help texts and messages say what happens: flags, written files, no terminal, a PCIKIT_IDS that
names nothing, virtio capabilities named as lspci names them."""
from __future__ import annotations

import os
import re
import subprocess
import sys

from .conftest import ROOT, need_lspci, run_cli


def test_show_help_names_the_hex_levels_and_list_help_says_v_is_lspci_verbose():
    show = run_cli("show", "--help").stdout
    assert "-xxx 256" in show and "-xxxx 4096" in show
    listing = re.sub(r"\s+", " ", run_cli("list", "--help").stdout)
    assert "lspci's verbose output" in listing


def test_tui_without_a_terminal_says_so_and_exits_2():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "pcikit", "tui", "-F", str(ROOT / "fixtures" / "virtio-net.lspci.txt")],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == ("pcikit tui: needs a terminal (standard input and output are not one); "
                                     "use pcikit list / show for text")


def test_pcikit_ids_pointing_nowhere_warns(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), PCIKIT_IDS=str(tmp_path / "absent.ids"))
    result = subprocess.run([sys.executable, "-m", "pcikit", "list", "-F", str(ROOT / "fixtures" / "virtio-net.lspci.txt")],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0
    assert f"PCIKIT_IDS={tmp_path / 'absent.ids'} is not a file" in result.stderr


def test_fixture_build_says_what_it_wrote(tmp_path):
    spec = ROOT / "specs" / "legacy-pci.toml"
    result = run_cli("fixture", "build", str(spec), "-o", str(tmp_path), "--format", "bin,json")
    assert result.returncode == 0
    assert result.stdout == f"{spec}: wrote 2 files to {tmp_path}: legacy-pci.config.bin, legacy-pci.json\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["legacy-pci.config.bin", "legacy-pci.json"]


def test_text_view_names_virtio_structures_as_lspci_does():
    lspci = need_lspci()
    dump = ROOT / "fixtures" / "virtio-net.lspci.txt"
    oracle = subprocess.run([lspci, "-F", str(dump), "-v"], capture_output=True, text=True).stdout
    expected = re.findall(r"Capabilities: \[([0-9a-f]{2})\] Vendor Specific Information: (VirtIO: \S+)", oracle)
    assert expected, "lspci names no virtio structure in the fixture"
    text = run_cli("show", "-F", str(dump)).stdout
    found = re.findall(r"\[([0-9a-f]{2})\] Vendor Specific: (VirtIO: \S+)", text)
    assert found == expected
