"""The lspci oracles: run a real lspci and pcikit on the same dump, compare device by device.

Two oracles: Debian's lspci 3.9 (``$PCIKIT_LSPCI_3_9``, else ``/usr/bin/lspci``) and upstream
lspci 3.14 (``$PCIKIT_LSPCI_3_14``, else ``${TMPDIR:-/tmp}/lspci-3.14/lspci`` as build-lspci makes
it); releases 3.10 ... 3.13 join when ``$PCIKIT_LSPCI_3_10`` ... name a build of them. Each
oracle runs with ``-O hwdb.disable=1`` and pcikit with ``PCIKIT_HWDB=0``, so names come
from pci.ids on both sides; with ``hwdb=True`` neither turns the hwdb off and both read the
system's hwdb.bin (:func:`system_hwdb`). pcikit imitates the oracle's release (``--lspci-version``) and runs
in-process through its CLI entry point; lspci runs are parallel and cached by content.

By hand: ``python tests/oracle.py [--version 3.14] [--flags -vvv] [FILE ...]`` prints per-file
mismatches and the share of lspci's lines reproduced.
"""
from __future__ import annotations

import argparse
import contextlib
import difflib
import functools
import hashlib
import io
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("PCIKIT_CORPUS", ROOT.parent / "shared" / "corpus"))
_TMP = Path(os.environ.get("TMPDIR") or "/tmp")
CACHE = _TMP / "pcikit-oracle-cache"
HWDB_OFF = ("-O", "hwdb.disable=1")


@dataclass(frozen=True)
class Oracle:
    """One lspci binary and the release pcikit must imitate for it."""

    version: str
    path: Optional[str]
    missing: str = ""  # why the binary is unusable (empty when usable)


def _check(version: str, path: str, where: str) -> Oracle:
    if not os.access(path, os.X_OK):
        return Oracle(version, None, f"lspci {version} not found at {path} ({where})")
    try:
        banner = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return Oracle(version, None, f"lspci {version} at {path} does not run: {exc}")
    if f"version {version}." not in banner:
        return Oracle(version, None, f"{path} is not lspci {version}: {banner.strip()!r}")
    return Oracle(version, path)


@functools.lru_cache(maxsize=None)
def oracle(version: str) -> Oracle:
    """The lspci of this release (3.9 or 3.14), or the reason it is unavailable."""
    if version == "3.9":
        path = os.environ.get("PCIKIT_LSPCI_3_9")
        return _check(version, path or "/usr/bin/lspci", "$PCIKIT_LSPCI_3_9" if path else "Debian's pciutils")
    variable = "PCIKIT_LSPCI_" + version.replace(".", "_")
    path = os.environ.get(variable)
    if path:
        return _check(version, path, f"${variable}")
    if version != "3.14":
        return Oracle(version, None, f"lspci {version} is only used when ${variable} names it")
    return _check(version, str(_TMP / "lspci-3.14" / "lspci"),
                  "set $PCIKIT_LSPCI_3_14 or run ../shared/tools/build-lspci")


# Always compared: Debian 12's 3.9 and upstream 3.14. Releases in between when $PCIKIT_LSPCI_3_1N names one.
INTERMEDIATE = ("3.10", "3.11", "3.12", "3.13")
VERSIONS = ("3.9", *(v for v in INTERMEDIATE if os.environ.get("PCIKIT_LSPCI_" + v.replace(".", "_"))), "3.14")


def corpus_files() -> list[Path]:
    """Every dump lspci accepts (``odd/lspci-rejects`` excluded), sorted."""
    if not CORPUS.is_dir():
        return []
    files = [p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in ("", ".txt")]
    return sorted(p for p in files if "lspci-rejects" not in p.parts and p.name != "SOURCES.md")


def fixture_files() -> list[Path]:
    """The project's own lspci-format dumps under fixtures/."""
    folder = ROOT / "fixtures"
    return sorted(p for p in folder.rglob("*.txt") if p.is_file()) if folder.is_dir() else []


def system_hwdb() -> Optional[str]:
    """The hwdb.bin lspci (libudev) reads on this machine, if any (Debian: installed with udev)."""
    from pcikit.hwdb import find_hwdb_file

    return find_hwdb_file()


def _cache_key(lspci: str, path: Path, flags: tuple[str, ...], hwdb: bool = False) -> str:
    stat = os.stat(lspci)
    digest = hashlib.sha256(f"{lspci}\0{stat.st_size}\0{stat.st_mtime_ns}\0{flags}\0".encode())
    for ids in ("/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids"):  # names depend on pci.ids
        if os.path.exists(ids):
            info = os.stat(ids)
            digest.update(f"ids\0{ids}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    if hwdb:  # names then depend on the hwdb.bin too
        names = system_hwdb()
        info = os.stat(names) if names else None
        digest.update(f"hwdb\0{names}\0{info and info.st_size}\0{info and info.st_mtime_ns}\0".encode())
    digest.update(path.read_bytes())
    return digest.hexdigest()


def run_lspci(path: Path, *flags: str, version: str = "3.9", hwdb: bool = False) -> str:
    """lspci ``version``'s stdout for a dump (stderr discarded), cached on disk by binary, flags and content;
    ``hwdb``: names from the system's hwdb too."""
    target = oracle(version)
    if target.missing:
        raise RuntimeError(target.missing)
    lspci, path = target.path, Path(path)
    key = _cache_key(lspci, path, flags, hwdb)
    cached = CACHE / key[:2] / key
    if cached.is_file():
        return cached.read_bytes().decode("utf-8", "surrogateescape")
    env = dict(os.environ, LC_ALL="C")
    result = subprocess.run([lspci, *(() if hwdb else HWDB_OFF), "-F", str(path), *flags], capture_output=True,
                            env=env, timeout=60)
    # lspci itself gave up (a signal, or its "Internal bug" exit on a byte it never fetched): an input
    # lspci cannot show is no test of pcikit; say so rather than count a truncated listing.
    if result.returncode < 0 or b"Internal bug" in result.stderr:
        reason = f"signal {-result.returncode}" if result.returncode < 0 else result.stderr.decode(errors="replace")
        raise RuntimeError(f"lspci {version} gave up on {path} {' '.join(flags)}: {reason.strip()[:200]}")
    text = result.stdout.decode("utf-8", "surrogateescape")  # raw bytes (VPD) stay distinguishable
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        temp = cached.with_suffix(f".{os.getpid()}")
        temp.write_bytes(result.stdout)
        temp.replace(cached)
    except OSError:
        pass
    return text


LSPCI_FORMAT = ("show", "--format", "lspci")


def run_pcikit(path: Path, *flags: str, version: str = "3.9", hwdb: bool = False,
               command: tuple[str, ...] = LSPCI_FORMAT) -> str:
    """pcikit's output for a dump imitating ``version`` (``show --format lspci`` unless ``command``
    says otherwise, e.g. ``("tree",)``), through its CLI, in-process; ``hwdb``: names from the
    system's hwdb too."""
    from pcikit.cli import main

    out, err = io.StringIO(), io.StringIO()
    # No lspci to lean on: pcikit decodes alone.
    overrides = {"PCIKIT_HWDB": "1" if hwdb else "0", "PATH": "/nonexistent"}
    saved = {name: os.environ.get(name) for name in overrides}
    os.environ.update(overrides)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main([*command, "--lspci-version", version, "-F", str(path), *flags])
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    if status:
        return f"<pcikit exit {status}: {err.getvalue().strip()}>\n"
    return out.getvalue()


def split_devices(text: str) -> list[str]:
    """Device blocks (lspci -v output separates devices by blank lines)."""
    return [block for block in text.split("\n\n") if block.strip()]


@dataclass
class Comparison:
    """Per-file result: lines matched, devices exact and the first difference of each differing device."""

    path: Path
    flags: tuple[str, ...] = ()
    total_lines: int = 0
    matched_lines: int = 0
    devices: int = 0
    exact: int = 0
    mismatches: list[str] = field(default_factory=list)


def compare_text(path: Path, flags: tuple[str, ...], theirs_text: str, ours_text: str) -> Comparison:
    """Compare lspci's and pcikit's text of one dump."""
    theirs, ours = split_devices(theirs_text), split_devices(ours_text)
    result = Comparison(path, flags, devices=len(theirs))
    for index, expected in enumerate(theirs):
        got = ours[index] if index < len(ours) else ""
        exp_lines, got_lines = expected.split("\n"), got.split("\n")
        matcher = difflib.SequenceMatcher(a=exp_lines, b=got_lines, autojunk=False)
        result.total_lines += len(exp_lines)
        result.matched_lines += sum(block.size for block in matcher.get_matching_blocks())
        if expected == got:
            result.exact += 1
            continue
        first = next((i for i, (a, b) in enumerate(zip(exp_lines, got_lines)) if a != b),
                     min(len(exp_lines), len(got_lines)))
        slot = exp_lines[0].split(" ", 1)[0]
        want = exp_lines[first] if first < len(exp_lines) else "<end>"
        have = got_lines[first] if first < len(got_lines) else "<end>"
        result.mismatches.append(
            f"{path.name} {' '.join(flags)} {slot} line {first + 1}:\n  lspci:  {want!r}\n  pcikit: {have!r}")
    if len(ours) != len(theirs):
        result.mismatches.append(
            f"{path.name} {' '.join(flags)}: lspci shows {len(theirs)} devices, pcikit {len(ours)}")
    return result


def compare_many(target: Oracle, jobs: Iterable[tuple[Path, tuple[str, ...]]], hwdb: bool = False) -> list[Comparison]:
    """Compare every (dump, flags) job: lspci runs in parallel threads, pcikit in this process."""
    jobs = list(jobs)
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        theirs = list(pool.map(lambda job: run_lspci(job[0], *job[1], version=target.version, hwdb=hwdb), jobs))
    return [compare_text(path, flags, text, run_pcikit(path, *flags, version=target.version, hwdb=hwdb))
            for (path, flags), text in zip(jobs, theirs)]


def compare(target: Oracle, path: Path, *flags: str) -> Comparison:
    """Compare one dump at one set of flags."""
    return compare_many(target, [(path, flags)])[0]


def main(argv: list[str]) -> int:
    """Print mismatches and the overall share of lspci's lines reproduced."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--version", default="3.14", choices=("3.9", *INTERMEDIATE, "3.14"))
    parser.add_argument("--flags", default="-vvv", help="lspci flags, space separated")
    parser.add_argument("--quiet", action="store_true", help="only the summary")
    parser.add_argument("--hwdb", action="store_true", help="names from the system's hwdb too (both sides)")
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    target = oracle(args.version)
    if target.missing:
        print(target.missing, file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    files = args.files or corpus_files() + fixture_files()
    results = compare_many(target, [(path, tuple(args.flags.split())) for path in files], hwdb=args.hwdb)
    total = sum(r.total_lines for r in results)
    matched = sum(r.matched_lines for r in results)
    devices = sum(r.devices for r in results)
    exact = sum(r.exact for r in results)
    for result in results:
        for line in [] if args.quiet else result.mismatches:
            print(line)
    share = 100.0 * matched / total if total else 0.0
    print(f"lspci {args.version} {args.flags}{' with hwdb' if args.hwdb else ''}: {len(files)} files, {devices} devices, {exact} exact; "
          f"{matched}/{total} lspci lines reproduced ({share:.2f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
