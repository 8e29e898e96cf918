"""``pcikit health``: PCIe health verdicts over any source.

    pcikit health [-F DUMP|DIR] [--sysfs-root DIR] [-s SLOT] [-d IDS] [--check NAME ...] [--json]
    pcikit health --watch SECONDS --count N      (live: report link state transitions)

Text: one line per finding (slot, severity, check, message, upstream port), then a
summary. ``--json``: a list of findings, each with ``slot``, ``check``, ``severity``,
``message``, ``expected``, ``actual`` and ``upstream``. The topology is built from every
device of the source; ``-s``/``-d`` only choose whose findings are shown. Exit status:
0 nothing at warning or above, 1 findings at warning or above, 2 usage or input errors.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Sequence

from ..argparsing import CommandParser
from ..errors import PcikitError
from ..health import CHECKS, INFO, SEVERITIES, check_devices, worst

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Usage(PcikitError):
    """Bad arguments."""


def build_parser() -> argparse.ArgumentParser:
    """The ``pcikit health`` argument parser."""
    from ..cli import _source_options

    parser = CommandParser(prog="pcikit health", description="PCIe health verdicts (docs/health.md).")
    _source_options(parser)
    parser.add_argument("--check", action="append", choices=CHECKS, metavar="NAME",
                        help=f"run only this check (repeatable): {', '.join(CHECKS)}")
    parser.add_argument("--json", action="store_true", help="print a JSON list of findings")
    parser.add_argument("--watch", type=float, metavar="SECONDS", help="live: sample link state every SECONDS")
    parser.add_argument("--count", type=int, default=10, metavar="N", help="samples taken with --watch (default 10)")
    return parser


def format_finding(finding) -> str:
    """One text line for a finding."""
    extra = f" [upstream {finding.upstream}]" if finding.upstream else ""
    return f"{finding.slot}  {finding.severity:<7}  {finding.check:<11}  {finding.message}{extra}"


def _capabilities_hidden(dev) -> bool:
    stop = dev.capability_stop
    return stop is not None and stop.reason == "access denied"


def _summary(devices: int, findings: list) -> str:
    counts = {severity: sum(f.severity == severity for f in findings) for severity in SEVERITIES}
    return (f"{devices} device(s) checked: {counts['error']} error(s), {counts['warning']} warning(s), "
            f"{counts['info']} info")


def _watch(args: argparse.Namespace, source) -> list:
    from ..health.live import counter_increase_findings, counter_totals
    from ..health.watch import transition_findings, watch

    if not source.live:
        raise _Usage("--watch samples a live bus; it cannot watch a dump (-F)")
    if args.watch <= 0 or args.count < 2:
        raise _Usage("--watch needs SECONDS > 0 and --count of at least 2")

    def report(change) -> None:
        if not args.json:
            stamp = time.strftime("%H:%M:%S", time.localtime(change.when))
            print(f"{stamp} {change.slot} link {change.before.text()} -> {change.after.text()}", flush=True)

    from ..sources import LiveSource

    root = args.sysfs_root if isinstance(source, LiveSource) else None
    before = counter_totals(source.load(), root) if root else {}
    seen = watch(source.load, args.watch, args.count, report)
    seconds = args.watch * (args.count - 1)
    found = transition_findings(seen, seconds)
    if root:
        found += counter_increase_findings(before, counter_totals(source.load(), root), seconds)
    return found


def run(args: argparse.Namespace) -> int:
    """Build the topology, run the checks, print; raises PcikitError on bad input."""
    from ..cli import _filters, open_args_source
    from ..sources import LiveSource, select

    slot, ids = _filters(args)
    source = open_args_source(args)
    extra = _watch(args, source) if args.watch is not None else []
    devices = source.load()
    shown = {dev.address for dev in select(devices, slot, ids)}
    if (slot or ids) and not shown:
        from ..errors import NoSuchDeviceError

        raise NoSuchDeviceError(f"no device matches {' '.join(filter(None, (args.slot, args.ids)))}")
    try:
        findings = check_devices(devices, args.sysfs_root if isinstance(source, LiveSource) else None, args.check)
    except ValueError as exc:
        raise _Usage(str(exc)) from None
    findings = [f for f in extra + findings if f.address in shown]
    if args.json:
        sys.stdout.write(json.dumps([f.to_json() for f in findings], indent=2) + "\n")
    else:
        sys.stdout.write("".join(format_finding(f) + "\n" for f in findings))
        sys.stdout.write(_summary(len(shown), findings) + "\n")
        hidden = [dev for dev in devices if dev.address in shown and _capabilities_hidden(dev)]
        if hidden:
            sys.stdout.write(f"{len(hidden)} of them only partly: their capabilities are not readable "
                             "(needs root: only 64 bytes of config space are visible)\n")
    return EXIT_OK if worst(findings) in (None, INFO) else EXIT_FINDINGS


def main(argv: Sequence[str]) -> int:
    """Entry point for ``pcikit health``; returns the exit status."""
    from ..cli import run_subcommand

    return run_subcommand(build_parser(), run, argv, "pcikit health")
