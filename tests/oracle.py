"""The lspci oracle: run the real lspci and pcikit on the same dump, compare device by device.

Used by the differential tests and runnable by hand:
``python tests/oracle.py [FILE ...]`` prints per-file mismatches and the overall share.
"""
from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("PCIKIT_CORPUS", ROOT.parent / "shared" / "corpus"))
LSPCI = shutil.which("lspci") or "/usr/bin/lspci"


def corpus_files() -> list[Path]:
    """Every dump lspci accepts (``odd/lspci-rejects`` excluded), sorted."""
    if not CORPUS.is_dir():
        return []
    files = [p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in ("", ".txt")]
    return sorted(p for p in files if "lspci-rejects" not in p.parts and p.name != "SOURCES.md")


def run_lspci(path: Path, *flags: str) -> str:
    """lspci's output for a dump (stderr discarded)."""
    env = dict(os.environ, LC_ALL="C")
    result = subprocess.run([LSPCI, "-F", str(path), *flags], capture_output=True, text=True, env=env)
    return result.stdout


def run_pcikit(path: Path, *flags: str) -> str:
    """pcikit's lspci-format output for a dump, with no lspci on PATH."""
    env = dict(os.environ, PATH="/nonexistent", PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-m", "pcikit", "show", "--format", "lspci", "-F", str(path), *flags],
        capture_output=True, text=True, env=env,
    )
    if result.returncode:
        return f"<pcikit exit {result.returncode}: {result.stderr.strip()}>\n"
    return result.stdout


def split_devices(text: str) -> list[str]:
    """Device blocks (lspci -v output separates devices by blank lines)."""
    return [block for block in text.split("\n\n") if block.strip()]


@dataclass
class Comparison:
    """Per-file result: lines matched and the first difference of each differing device."""

    path: Path
    total_lines: int = 0
    matched_lines: int = 0
    devices: int = 0
    mismatches: list[str] = field(default_factory=list)


def compare(path: Path, *flags: str) -> Comparison:
    """Compare lspci and pcikit on one dump."""
    theirs = split_devices(run_lspci(path, *flags))
    ours = split_devices(run_pcikit(path, *flags))
    result = Comparison(path, devices=len(theirs))
    for index, expected in enumerate(theirs):
        got = ours[index] if index < len(ours) else ""
        exp_lines, got_lines = expected.split("\n"), got.split("\n")
        matcher = difflib.SequenceMatcher(a=exp_lines, b=got_lines, autojunk=False)
        result.total_lines += len(exp_lines)
        result.matched_lines += sum(block.size for block in matcher.get_matching_blocks())
        if expected != got:
            first = next(
                (i for i, (a, b) in enumerate(zip(exp_lines, got_lines)) if a != b),
                min(len(exp_lines), len(got_lines)),
            )
            slot = exp_lines[0].split(" ", 1)[0]
            want = exp_lines[first] if first < len(exp_lines) else "<end>"
            have = got_lines[first] if first < len(got_lines) else "<end>"
            result.mismatches.append(f"{path.name} {slot} line {first + 1}:\n  lspci:  {want!r}\n  pcikit: {have!r}")
    if len(ours) != len(theirs):
        result.mismatches.append(f"{path.name}: lspci shows {len(theirs)} devices, pcikit {len(ours)}")
    return result


def main(argv: list[str]) -> int:
    """Print mismatches and the overall share of lspci's lines reproduced."""
    files = [Path(a) for a in argv] or corpus_files()
    total = matched = devices = bad = 0
    for path in files:
        result = compare(path, "-vvv")
        total += result.total_lines
        matched += result.matched_lines
        devices += result.devices
        bad += len(result.mismatches)
        for line in result.mismatches:
            print(line)
    share = 100.0 * matched / total if total else 0.0
    print(f"{len(files)} files, {devices} devices, {bad} mismatching; {matched}/{total} lspci lines reproduced ({share:.2f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
