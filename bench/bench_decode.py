"""Decode and start-up speed as ratios against references measured in the same run.

1. ``pcikit show --format lspci -vvv -F big`` vs ``lspci -F big -vvv`` on a 2000-device dump built
   from the corpus (target: ratio <= 1.0).
2. ``pcikit list`` on this machine vs a bare ``python3 -c pass`` (target: within 1.5x).

Run: ``python3 bench/bench_decode.py [--devices N] [--runs N]``. Prints ratios; asserts nothing.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pcikit.access.dump import load_dump  # noqa: E402
from tests.oracle import corpus_files  # noqa: E402


def build_big_dump(count: int, path: Path) -> int:
    """Write ``count`` corpus devices (cycled, unique addresses) as one lspci -xxxx dump."""
    images = []
    for file in corpus_files():
        images.extend(e.config.read_block(0, e.config.size) for e in load_dump(file))
    if not images:
        raise SystemExit("no corpus found: nothing to build the big dump from")
    lines = []
    for index in range(count):
        data = images[index % len(images)]
        bus, slot = divmod(index, 32)
        lines.append(f"{bus // 256:04x}:{bus % 256:02x}:{slot:02x}.0 bench device")
        lines.extend(f"{b:03x}: " + " ".join(f"{x:02x}" for x in data[b : b + 16]) for b in range(0, len(data), 16))
        lines.append("")
    path.write_text("\n".join(lines) + "\n")
    return len(images)


def best_of(command: list[str], runs: int, env: dict | None = None) -> float:
    """Fastest wall time of ``runs`` executions (output discarded)."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    """Measure and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    pcikit = shutil.which("pcikit")
    ours = [pcikit] if pcikit else [sys.executable, "-m", "pcikit"]
    lspci = shutil.which("lspci")
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.txt"
        distinct = build_big_dump(args.devices, big)
        print(f"big dump: {args.devices} devices cycled from {distinct} corpus devices")
        if lspci:
            theirs = best_of([lspci, "-F", str(big), "-vvv"], args.runs)
            mine = best_of([*ours, "show", "--format", "lspci", "-vvv", "-F", str(big)], args.runs, env)
            print(f"decode -vvv: pcikit {mine * 1e3:.0f} ms, lspci {theirs * 1e3:.0f} ms, ratio {mine / theirs:.2f} (target <= 1.0)")
        else:
            print("decode: lspci not installed, no reference")
    bare = best_of([sys.executable, "-c", "pass"], args.runs * 4)
    listing = best_of([*ours, "list"], args.runs * 4, env)
    print(f"start-up: pcikit list {listing * 1e3:.1f} ms, bare python3 {bare * 1e3:.1f} ms, "
          f"ratio {listing / bare:.2f} (target <= 1.5; command: {' '.join(ours)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
