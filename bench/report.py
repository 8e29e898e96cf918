"""Run every benchmark and write the README's performance table from their output.

``python3 bench/report.py`` runs the bench scripts (each prints its rows and appends them as JSON
lines to one file), then replaces the table between the ``perf:begin`` / ``perf:end`` markers in
README.md with those rows, the machine and the date. ``--rows FILE`` rewrites the table from rows
already measured; ``--only NAME`` runs one script (e.g. ``--only bench_mmio``). Nothing in the
table is typed by hand.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import user_install

HERE = Path(__file__).resolve().parent
README = HERE.parent / "README.md"
SCRIPTS = ["bench_decode", "bench_mmio", "bench_mock", "bench_tui", "bench_fleet"]
BEGIN, END = "<!-- perf:begin -->", "<!-- perf:end -->"


def run_all(rows_file: Path, only: list[str]) -> None:
    """Run each bench script present with the user-installed pcikit, collecting rows into ``rows_file``."""
    python = str(user_install() / "python")
    env = dict(os.environ, PCIKIT_BENCH_JSON=str(rows_file))
    env.pop("PYTHONPATH", None)
    for name in only or SCRIPTS:
        script = HERE / f"{name}.py"
        if script.exists():
            print(f"== {name}", flush=True)
            subprocess.run([python, str(script)], env=env, check=False)


def _cpu() -> str:
    """The CPU model name, as /proc/cpuinfo gives it."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:.3g} {unit}" if value < 100 else f"{value:.0f} {unit}"


def table(rows: list[dict]) -> str:
    """The markdown table of ``rows`` with the machine and date."""
    stamp = datetime.date.today().isoformat()
    lines = [
        f"Measured {stamp} by `python3 bench/report.py` on {os.cpu_count()} cores ({_cpu()}), "
        f"Python {platform.python_version()}, pcikit installed with `pip install .` into a venv:",
        "",
        "| benchmark | pcikit | reference | ratio | target |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        reference = f"{row['reference_name']} {_figure(row['reference'], row['unit'])}" if row["reference"] else "—"
        ratio = f"{row['ratio']:.2f}x" if row["ratio"] is not None else "—"
        if row["target"] is None:
            target = "report"
        else:
            bound = ">=" if row.get("at_least") else "<="
            target = f"{bound} {row['target']:g}x ({'met' if row['met'] else 'not met'})"
        lines.append(f"| {row['benchmark']} | {_figure(row['pcikit'], row['unit'])} | {reference} | {ratio} | {target} |")
    return "\n".join(lines)


def rewrite_readme(rows: list[dict]) -> None:
    """Replace the table between the markers (which must exist) in README.md."""
    text = README.read_text()
    if BEGIN not in text or END not in text:
        raise SystemExit(f"README.md has no {BEGIN} ... {END} markers")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{BEGIN}\n{table(rows)}\n{END}{tail}")


def main() -> int:
    """Measure (or read rows) and rewrite the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=Path, help="rows already measured (JSON lines)")
    parser.add_argument("--only", action="append", default=[], help="run only this bench script")
    args = parser.parse_args()
    if args.rows:
        rows_file = args.rows
    else:
        rows_file = Path(tempfile.mkstemp(prefix="pcikit-bench-", suffix=".jsonl")[1])
        run_all(rows_file, args.only)
    rows = [json.loads(line) for line in rows_file.read_text().splitlines() if line.strip()]
    if not rows:
        raise SystemExit("no benchmark rows were produced")
    rewrite_readme(rows)
    print(f"README.md: {len(rows)} rows written (rows kept in {rows_file})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
