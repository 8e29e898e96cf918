"""``pcikit export``: many hosts' dumps into a Parquet (or JSON Lines) dataset.

    pcikit export INPUT... -o DATASET [--host NAME] [--format parquet|jsonl] [-j JOBS]

INPUT is a dump file (one host, named by ``--host`` or the file name) or a folder: its own
files are one host named after it, each sub-folder another host (``docs/fleet.md``). Files are
lspci ``-x``/``-xxx``/``-xxxx`` dumps, raw config images or pcikit JSON documents. Tables:
devices, capabilities, links, findings, errors. Bad inputs become rows of ``errors`` and never
stop the run. A progress line is drawn on stderr when it is a terminal. Exit status: 0 written
(even with error rows), 2 usage errors or an unwritable dataset.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from typing import Sequence

from ..argparsing import CommandParser
from ..errors import PcikitError

EXIT_OK, EXIT_USAGE = 0, 2


class _Usage(PcikitError):
    """Bad arguments."""


def build_parser() -> argparse.ArgumentParser:
    """The ``pcikit export`` argument parser."""
    from ..fleet.dataset import FORMATS

    parser = CommandParser(prog="pcikit export", description="Export many hosts' dumps to a dataset.")
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="dump file, host folder or folder of host folders")
    parser.add_argument("-o", "--output", required=True, metavar="DATASET", help="dataset folder (or fsspec URL)")
    parser.add_argument("--host", help="host name for a single INPUT (default: its file or folder name)")
    parser.add_argument("--format", choices=FORMATS, default="parquet")
    parser.add_argument("--append", action="store_true", help="add parts to an existing dataset")
    parser.add_argument("--dask", metavar="SCHEDULER", help="run on this Dask scheduler (tcp://host:8786) instead of local processes")
    parser.add_argument("-j", "--jobs", type=int, metavar="N", help="worker processes (default: CPUs available)")
    return parser


class _Bar:
    """``hosts N, devices M, errors E, R hosts/s`` redrawn in place on a terminal."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.last = 0.0

    def __call__(self, hosts: int, devices: int, errors: int, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last < 0.1:
            return
        self.last = now
        rate = hosts / max(now - self.start, 1e-9)
        sys.stderr.write(f"\rexport: {hosts} hosts, {devices} devices, {errors} errors, {rate:.0f} hosts/s"
                         + ("\n" if final else ""))
        sys.stderr.flush()


def _on_dask(args: argparse.Namespace) -> dict:
    try:
        from distributed import Client
    except ImportError:
        raise PcikitError("--dask needs Dask: pip install 'pcikit[dask]'") from None
    from ..fleet.distributed import export_dask

    with Client(args.dask, timeout=30) as client:
        return export_dask(client, args.inputs, args.output, args.format, args.host)


def run(args: argparse.Namespace) -> int:
    """Discover hosts, run the workers, print a summary line."""
    from ..fleet.inputs import discover
    from ..fleet.local import default_jobs, export

    if args.host and len(args.inputs) != 1:
        raise _Usage("--host names the host of a single INPUT")
    missing = [path for path in args.inputs if "://" not in path and not os.path.exists(path)]
    if missing:
        raise _Usage(f"{missing[0]}: no such file or folder")
    if "://" not in args.output:
        from ..access.files import check_output_path

        check_output_path(args.output)  # never under /sys, /proc or /dev
    if not args.append and "://" not in args.output and os.path.isdir(args.output) and os.listdir(args.output):
        raise _Usage(f"{args.output} is not empty (use --append to add to it)")
    jobs = args.jobs or default_jobs()
    if jobs < 1:
        raise _Usage("--jobs must be at least 1")
    if args.format == "parquet" and importlib.util.find_spec("pyarrow") is None:  # not imported: workers fork
        raise PcikitError("Parquet output needs pyarrow: pip install 'pcikit[fleet]' (or --format jsonl)")
    bar = _Bar() if sys.stderr.isatty() else None
    try:
        if args.dask:
            rows = _on_dask(args)
        else:
            rows = export(discover(args.inputs, args.host), args.output, args.format, jobs, bar)
    except (OSError, RuntimeError) as exc:
        raise PcikitError(f"{args.output}: {getattr(exc, 'strerror', None) or exc}") from None
    if bar is not None:
        sys.stderr.write("\n")
    summary = ", ".join(f"{rows.get(table, 0)} {table}" for table in ("devices", "capabilities", "links", "findings", "errors"))
    print(f"{args.output}: {summary}")
    return EXIT_OK


def main(argv: Sequence[str]) -> int:
    """Entry point for ``pcikit export``; returns the exit status."""
    from ..cli import run_subcommand

    return run_subcommand(build_parser(), run, argv, "pcikit export")
