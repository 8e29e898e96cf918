"""``pcikit trace check``: replay a guest's recorded accesses to one device and name its mistakes.

    pcikit trace check TRACE -s SLOT (--spec FILE | -F DUMP | --qemu ARGS) [--profile P] [--json]

TRACE is a QEMU trace log (``-trace`` events pci_cfg_read, pci_cfg_write,
memory_region_ops_read, memory_region_ops_write; log backend). The device comes
from a spec, a dump, or a QEMU machine (captured with its probed write masks); memory
and I/O BAR accesses are replayed at the addresses the replayed config writes gave; BAR
sizes from the spec or the capture, else from the sizing the trace itself shows.
Exit status: 0 no violation, 1 violations, 2 errors.
"""
from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager
from typing import IO, Iterator, Sequence

from ..argparsing import CommandParser
from ..errors import NoSuchDeviceError, PcikitError
from ..testing.profiles import ALL_PROFILES

EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_TROUBLE = 0, 1, 2


class TraceUsageError(PcikitError):
    """Bad arguments or an unreadable trace."""


def build_parser() -> argparse.ArgumentParser:
    """The ``pcikit trace`` argument parser."""
    parser = CommandParser(prog="pcikit trace", description="Check a driver's recorded accesses.")
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    check = sub.add_parser("check", help="replay a QEMU trace log into a mock and list the violations")
    check.add_argument("trace", metavar="TRACE", help="QEMU trace log (log backend)")
    check.add_argument("-s", dest="slot", required=True, metavar="BB:DD.F", help="the device whose accesses to check")
    source = check.add_mutually_exclusive_group(required=True)
    source.add_argument("--spec", metavar="FILE", help="the device as a spec (TOML)")
    source.add_argument("-F", dest="dump", metavar="DUMP", help="the device from an lspci dump")
    source.add_argument("--qemu", metavar="ARGS", help="the device from a paused QEMU machine started with ARGS")
    check.add_argument("--profile", choices=ALL_PROFILES, default="spec", help="whose rules and consequences (default spec)")
    check.add_argument("--json", action="store_true", help="print the violations as JSON")
    return parser


def _slot(text: str) -> tuple[int, int, int]:
    from ..address import Address

    try:
        address = Address.parse(text)
    except ValueError as exc:
        raise TraceUsageError(str(exc)) from None
    return address.bus, address.device, address.function


def _device(args: argparse.Namespace, traced: dict[int, int]):
    """(mock device, BAR sizes) for the source the arguments name; ``traced`` are the sizes the
    trace's own sizing shows (a dump has none of its own)."""
    from ..fixture import build, load_spec, parse_spec
    from ..testing import MockDevice

    if args.spec:
        fixture = build(load_spec(args.spec))
    elif args.dump:
        return MockDevice.from_dump(args.dump, args.slot, traced, profile=args.profile), traced
    else:
        from ..fixture.capture import capture_device
        from ..qemu.probe import probe, write_masks
        from ..qemu.source import QemuSource

        source = QemuSource(args.qemu)
        try:
            device = source.machine.device(args.slot)
            captured = capture_device(source.with_bar_sizes(device))
            captured.add_write_masks(write_masks(probe(device)), "probed on QEMU")
        finally:
            source.close()
        fixture = build(parse_spec(captured.document, f"<QEMU {args.slot}>"))
    mock = MockDevice.from_fixture(fixture, profile=args.profile)  # it answers as the profile's emulator
    return mock, {**traced, **{bar.index: bar.size for bar in fixture.spec.bars if bar.size}}


@contextmanager
def _opened(path: str) -> Iterator[IO[str]]:
    """The trace file for reading; an error opening or reading it names the file."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            yield handle
    except OSError as exc:
        raise TraceUsageError(f"{path}: {exc.strerror}") from None


def cmd_check(args: argparse.Namespace) -> int:
    """Check one device's accesses; print the violations."""
    from ..trace import check
    from ..trace.check import sizes_from_trace
    from ..trace.parse import iter_trace

    slot = _slot(args.slot)
    problems: list[str] = []
    # two streaming passes over the trace (memory stays bounded): the BAR sizes it shows, then the replay
    with _opened(args.trace) as handle:
        traced = sizes_from_trace(iter_trace(handle, []), slot)
    try:
        dev, sizes = _device(args, traced)
    except NoSuchDeviceError as exc:  # exit 1 means violations here
        raise TraceUsageError(str(exc)) from None
    with _opened(args.trace) as handle:
        report = check(iter_trace(handle, problems), slot, dev, sizes, args.profile)
    if args.json:
        document = {
            "slot": args.slot, "profile": args.profile, "config_accesses": report.config_accesses,
            "bar_accesses": report.bar_accesses, "io_accesses": report.io_accesses, "violations": [v.to_json() for v in report.violations],
            "skipped": report.skipped, "trace_problems": problems,
        }
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        for v in report.violations:
            consequence = f" [{v.consequence}]" if v.consequence else ""
            sys.stdout.write(f"{args.trace}:{v.line}: {v.access}: {v.message}{consequence}\n")
        for note in problems + report.skipped:
            sys.stdout.write(f"{args.trace}: {note}\n")
        io = f" ({report.io_accesses} to I/O BARs)" if report.io_accesses else ""
        sys.stdout.write(f"{args.slot}: {report.config_accesses} config and {report.bar_accesses} BAR accesses{io} "
                         f"replayed under {args.profile}; {len(report.violations)} violation(s)\n")
    return EXIT_VIOLATIONS if report.violations else EXIT_CLEAN


ACTIONS = {"check": cmd_check}


def main(argv: Sequence[str]) -> int:
    """Entry point: 0 clean, 1 violations, 2 errors."""
    from ..cli import run_subcommand

    return run_subcommand(build_parser(), ACTIONS, argv, "pcikit trace", (PcikitError, OSError))
