"""Decode and start-up speed as ratios against references measured in the same run.

pcikit is installed as a user installs it (``harness.user_install``: ``pip install .`` into a venv,
bytecode compiled); the start-up reference is that venv's own interpreter (what the console script
runs). Rows (issue targets in brackets):

1. ``show --format lspci -vvv`` of a 2000-device dump built from the corpus vs ``lspci -vvv``, for
   each lspci found (Debian's 3.9, and 3.14 from ``PCIKIT_LSPCI_3_14``) [<= 1.0x];
2. ``show --json`` of the same dump vs ``lspci -vvv`` [<= 1.0x], and its peak memory vs lspci's plus
   the bare interpreter's [<= 2x];
3. ``show --json`` of a 5x larger dump vs 5x the 2000-device time [linear: <= 5.2/5 = 1.04x];
4. ``pcikit list`` on this machine vs the bare interpreter [<= 1.5x];
5. ``pcikit show -s SLOT`` of one live device vs the bare interpreter [<= 2x], beside the floor any
   decode has while construct declares the schemas: the same interpreter doing ``import construct``
   and nothing else (reported, no target).

Run: ``python3 bench/bench_decode.py [--devices N] [--runs N]``. Prints the rows (and appends them to
``PCIKIT_BENCH_JSON`` when set); asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import corpus_images, interleaved, record, user_install, write_dump


def peak_kib(command: list[str], env: dict | None = None) -> int:
    """Peak resident memory (KiB) of one run of ``command``."""
    with open(os.devnull, "wb") as null:
        process = subprocess.Popen(command, stdout=null, stderr=null, env=env)
        _, _, usage = os.wait4(process.pid, 0)
    return usage.ru_maxrss


def lspcis() -> dict[str, str]:
    """The lspci binaries to compare with, by version label."""
    found = {}
    if shutil.which("lspci"):
        found["lspci 3.9"] = shutil.which("lspci")
    newer = os.environ.get("PCIKIT_LSPCI_3_14") or os.path.join(os.environ.get("TMPDIR", "/tmp"), "lspci-3.14", "lspci")
    if os.access(newer, os.X_OK):
        found["lspci 3.14"] = newer
    return found


def bench_dumps(bin_dir: Path, devices: int, runs: int) -> None:
    """Rows 1-3: whole-dump decoding against lspci."""
    images = corpus_images()
    if not images:
        print("decode: no corpus, nothing to build the big dump from")
        return
    pcikit = str(bin_dir / "pcikit")
    env = dict(os.environ, PCIKIT_HWDB="0")
    with tempfile.TemporaryDirectory() as tmp:
        big, huge = Path(tmp) / "big.txt", Path(tmp) / "huge.txt"
        write_dump(devices, big, images)
        write_dump(devices * 5, huge, images)
        oracles = lspcis()
        for label, lspci in oracles.items():
            version = label.split()[-1]
            times = interleaved({
                "lspci": [lspci, "-O", "hwdb.disable=1", "-F", str(big), "-vvv"],
                "pcikit": [pcikit, "show", "--format", "lspci", "--lspci-version", version, "-vvv", "-F", str(big)],
            }, runs, env)
            record(f"show --format lspci -vvv, {devices} devices ({label})", times["pcikit"] * 1e3,
                   times["lspci"] * 1e3, "ms", 1.0, f"{label} -vvv")
        json_cmd = [pcikit, "show", "--json", "-F", str(big)]
        reference = next(iter(oracles.values()), None)
        commands = {"json": json_cmd, "json5": [pcikit, "show", "--json", "-F", str(huge)]}
        if reference:
            commands["lspci"] = [reference, "-O", "hwdb.disable=1", "-F", str(big), "-vvv"]
        times = interleaved(commands, max(1, runs // 2), env)
        if reference:
            record(f"show --json, {devices} devices", times["json"] * 1e3, times["lspci"] * 1e3, "ms", 1.0, "lspci -vvv")
            bare = peak_kib([sys.executable, "-c", "pass"])
            record(f"show --json, {devices} devices, peak memory", peak_kib(json_cmd, env) / 1024,
                   (peak_kib(commands["lspci"], env) + bare) / 1024, "MiB", 2.0, "lspci -vvv + bare interpreter")
        record(f"show --json, {devices * 5} devices (linearity)", times["json5"] * 1e3, times["json"] * 5e3, "ms",
               1.04, f"5 x the {devices}-device time")


def bench_live(bin_dir: Path, runs: int) -> None:
    """Rows 4-5 and the construct floor: start-up on the live machine against the same interpreter's
    bare start-up."""
    if not os.path.isdir("/sys/bus/pci/devices") or not os.listdir("/sys/bus/pci/devices"):
        print("start-up: no live PCI bus here, skipped")
        return
    slot = sorted(os.listdir("/sys/bus/pci/devices"))[-1]
    python, pcikit = str(bin_dir / "python"), str(bin_dir / "pcikit")
    times = interleaved({
        "bare": [python, "-c", "pass"],
        "list": [pcikit, "list"],
        "show": [pcikit, "show", "-s", slot],
        "construct": [python, "-c", "import construct"],
    }, runs * 4)
    record("pcikit list, live", times["list"] * 1e3, times["bare"] * 1e3, "ms", 1.5, "bare interpreter start-up")
    record(f"pcikit show -s {slot}, live", times["show"] * 1e3, times["bare"] * 1e3, "ms", 2.0, "bare interpreter start-up")
    record("floor of a decode: the interpreter importing construct, nothing else", times["construct"] * 1e3,
           times["bare"] * 1e3, "ms", None, "bare interpreter start-up")


def main() -> int:
    """Install, measure and print the rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    start = time.perf_counter()
    bin_dir = user_install()
    print(f"pcikit installed into {bin_dir.parent} ({time.perf_counter() - start:.0f} s)")
    bench_dumps(bin_dir, args.devices, args.runs)
    bench_live(bin_dir, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
