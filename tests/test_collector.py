"""The console entry's collector tuning: rare passes for a command that keeps its devices, Python's
own thresholds again for ``show --json``, which frees each device once written (its cycles would
otherwise pile up: memory would grow with the number of devices instead of staying flat)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import ROOT, image, put

# Run the installed command's entry (cli.run) and report the collector's thresholds at exit.
ENTRY = ("import atexit, gc, sys\n"
         "atexit.register(lambda: print('thresholds', *gc.get_threshold(), file=sys.stderr))\n"
         "sys.argv = ['pcikit', *sys.argv[1:]]\n"
         "from pcikit.cli import run\n"
         "run()\n")


def _thresholds(*argv: str) -> tuple[int, ...]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PCIKIT_HWDB="0")
    result = subprocess.run([sys.executable, "-c", ENTRY, *argv], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    line = [text for text in result.stderr.splitlines() if text.startswith("thresholds ")][-1]
    return tuple(int(word) for word in line.split()[1:])


def _python_default() -> tuple[int, ...]:
    code = "import gc; print(*gc.get_threshold())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    return tuple(int(word) for word in out.split())


@pytest.fixture
def dump(tmp_path):
    config = image(64)
    put(config, 0x00, 2, 0x1AF4)
    put(config, 0x02, 2, 0x1041)
    rows = [f"{row:02x}: " + " ".join(f"{b:02x}" for b in config[row:row + 16]) for row in range(0, 64, 16)]
    path = tmp_path / "one.txt"
    path.write_text("00:03.0 Ethernet controller: dump\n" + "\n".join(rows) + "\n\n")
    return str(path)


def test_a_kept_model_collects_rarely(dump):
    assert _thresholds("show", "--format", "lspci", "-vvv", "-F", dump)[0] > _python_default()[0]


@pytest.mark.parametrize("flag", [["--json"], ["--format", "json"]])
def test_a_streamed_json_collects_as_python_does(dump, flag):
    assert _thresholds("show", *flag, "-F", dump) == _python_default()
