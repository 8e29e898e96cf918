"""What every benchmark shares: pcikit installed as a user installs it, timing, and result rows.

- :func:`user_install` puts pcikit into a virtual environment of its own with ``pip install .``
  (not editable; pip compiles the bytecode), so start-up is measured as users meet it. The venv's
  ``python`` is the interpreter its ``pcikit`` console script runs, so the bare start-up reference is
  that same binary (never a version-manager shim, which is a shell script).
- :func:`record` prints one result line and, when ``PCIKIT_BENCH_JSON`` names a file, appends the row
  as one JSON line there; ``bench/report.py`` turns those rows into the README's table.
- :func:`best_of` times whole processes.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("PCIKIT_CORPUS", ROOT.parent / "shared" / "corpus"))


def corpus_files() -> list[Path]:
    """Every dump file of the shared corpus (empty when it is absent)."""
    if not CORPUS.is_dir():
        return []
    files = [p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in ("", ".txt")]
    return sorted(p for p in files if "lspci-rejects" not in p.parts and p.name != "SOURCES.md")


def corpus_images() -> list[bytes]:
    """Config images of every corpus device (as many bytes as each dump holds), else of the TUI's
    bundled examples, so the benchmarks have real variety to cycle through."""
    from pcikit.access.dump import load_dump

    files = corpus_files() or [ROOT / "pcikit" / "tui" / "data" / "examples.txt"]
    return [e.config.read_block(0, e.config.size) for file in files for e in load_dump(file)]


def write_dump(count: int, path: Path, images: list[bytes], limit: int = 4096) -> None:
    """``count`` devices as one lspci dump: ``images`` cycled (at most ``limit`` bytes each), 32 per
    bus, unique addresses (a domain only once the buses run out)."""
    from pcikit.access.dump import iter_hex_rows

    domains = count > 32 * 256
    with path.open("w") as out:
        for index in range(count):
            bus, slot = divmod(index, 32)
            domain = f"{bus >> 8:04x}:" if domains else ""
            out.write(f"{domain}{bus & 0xFF:02x}:{slot:02x}.0 bench device\n")
            out.writelines(row + "\n" for row in iter_hex_rows(images[index % len(images)][:limit]))
            out.write("\n")


def _venv_dir() -> Path:
    """The benchmark venv: ``PCIKIT_BENCH_VENV``, else a cache folder keyed by interpreter and pyproject."""
    if os.environ.get("PCIKIT_BENCH_VENV"):
        return Path(os.environ["PCIKIT_BENCH_VENV"])
    key = hashlib.sha256(sys.version.encode() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()[:12]
    return Path.home() / ".cache" / "pcikit-bench" / key


def user_install() -> Path:
    """Install the checkout into the benchmark venv (deps once, pcikit every time); its ``bin`` folder."""
    venv = _venv_dir()
    python = venv / "bin" / "python"
    if not python.exists():
        _quiet([sys.executable, "-m", "venv", str(venv)])
        _quiet([str(python), "-m", "pip", "install", "-q", f"{ROOT}[fleet]"])  # bench_fleet needs the extra
    _quiet([str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(ROOT)])
    return venv / "bin"


def _quiet(command: list[str]) -> None:
    """Run an install step; its output is shown only when it fails."""
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"{' '.join(command[:4])} failed:\n{result.stdout}{result.stderr}")


def best_of(command: list[str], runs: int, env: dict | None = None) -> float:
    """Fastest wall time in seconds of ``runs`` executions (output discarded)."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
        best = min(best, time.perf_counter() - start)
    return best


def interleaved(commands: dict[str, list[str]], runs: int, env: dict | None = None) -> dict[str, float]:
    """Best wall time of each command, runs interleaved so machine load hits every side alike."""
    best = dict.fromkeys(commands, float("inf"))
    for _ in range(runs):
        for name, command in commands.items():
            best[name] = min(best[name], best_of(command, 1, env))
    return best


def record(benchmark: str, pcikit: float, reference: float | None, unit: str, target: float | None,
           reference_name: str = "", note: str = "", at_least: bool = False) -> dict:
    """Print one result and append it to ``PCIKIT_BENCH_JSON`` when set; returns the row.

    ``pcikit`` and ``reference`` are in ``unit``; the ratio is pcikit / reference and ``met`` says
    whether it is within ``target`` (None: reported, no target): at most ``target``, or at least
    it when ``at_least`` (a speed-up).
    """
    ratio = pcikit / reference if reference else None
    met = None if ratio is None or target is None else (ratio >= target if at_least else ratio <= target)
    row = {"benchmark": benchmark, "pcikit": pcikit, "reference": reference, "reference_name": reference_name,
           "unit": unit, "ratio": ratio, "target": target, "met": met, "note": note, "at_least": at_least}
    shown = f"{benchmark}: pcikit {pcikit:.4g} {unit}"
    if reference:
        shown += f", {reference_name} {reference:.4g} {unit}, ratio {ratio:.2f}"
    if target is not None:
        shown += f" (target {'>=' if at_least else '<='} {target:g}: {'met' if met else 'NOT met'})"
    print(shown + (f"; {note}" if note else ""), flush=True)
    out = os.environ.get("PCIKIT_BENCH_JSON")
    if out:
        with open(out, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(row) + "\n")
    return row
