"""Running pcikit as a non-root user from a root test run (runuser), or skipping visibly.

The interpreter must be one that user can run with pcikit's dependencies: the first of
$PCIKIT_NONROOT_PYTHON, the running interpreter and /usr/bin/python3 that imports
``construct`` as the user ``nobody`` (or the current user when not root).
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from typing import Optional

import pytest

from .conftest import ROOT

USER = "nobody"


def _prefix() -> list[str]:
    return ["runuser", "-u", USER, "--"] if os.geteuid() == 0 else []


@functools.lru_cache(maxsize=1)
def _python() -> Optional[str]:
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return None
    for candidate in (os.environ.get("PCIKIT_NONROOT_PYTHON"), sys.executable, "/usr/bin/python3"):
        if not candidate:
            continue
        probe = [*_prefix(), "env", f"PYTHONPATH={ROOT}", candidate, "-c", "import construct, pcikit"]
        try:
            if subprocess.run(probe, capture_output=True, timeout=60, cwd="/").returncode == 0:
                return candidate
        except (OSError, subprocess.SubprocessError):
            continue
    return None


def run_nonroot(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """``python -m pcikit ARGS`` as a non-root user; skips when no usable interpreter exists."""
    python = _python()
    if python is None:
        pytest.skip(f"no interpreter the user {USER!r} can run with construct installed "
                    "(set PCIKIT_NONROOT_PYTHON, e.g. a venv made from /usr/bin/python3)")
    command = [*_prefix(), "env", f"PYTHONPATH={ROOT}", "PATH=/usr/bin:/bin", python, "-m", "pcikit", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd="/",
                          stdin=subprocess.DEVNULL)
