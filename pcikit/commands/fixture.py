"""``pcikit fixture``: build fixtures from device specs, capture devices into specs.

    pcikit fixture build SPEC... -o DIR [--format bin|lspci|c|json|all ...] [-i PCI_IDS]
    pcikit fixture check SPEC...
    pcikit fixture capture [-F DUMP | --qemu ARGS] [--sysfs-root DIR] -s SLOT -o FILE.toml [--anonymize]

Exit status: 0 ok, 1 no such device, 2 usage errors or specs that do not build
(every problem is printed, one line each, naming the file, the item and the field).
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Optional, Sequence

from ..argparsing import CommandParser
from ..errors import PcikitError

EXIT_OK, EXIT_USAGE = 0, 2


class _Usage(PcikitError):
    """Bad arguments."""


def build_parser() -> argparse.ArgumentParser:
    """The ``pcikit fixture`` argument parser."""
    from ..cli import _source_options
    from ..fixture.outputs import FORMATS

    parser = CommandParser(prog="pcikit fixture", description="Build fixtures from specs; capture devices into specs.")
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    build = sub.add_parser("build", help="build config images, BAR images, lspci dumps, C headers, JSON")
    build.add_argument("specs", nargs="+", metavar="SPEC", help="device spec files (TOML)")
    build.add_argument("-o", dest="out", required=True, metavar="DIR", help="output folder")
    build.add_argument("--format", dest="formats", action="append", metavar="FMT",
                       help=f"{', '.join(FORMATS)} or all (repeatable, comma-separated; default all)")
    build.add_argument("-i", dest="ids_file", metavar="FILE", help="name devices in the JSON with this pci.ids (default: no names)")
    check = sub.add_parser("check", help="check specs without writing anything")
    check.add_argument("specs", nargs="+", metavar="SPEC")
    capture = sub.add_parser("capture", help="write a spec that rebuilds a device byte for byte")
    _source_options(capture)
    capture.add_argument("-o", dest="out", required=True, metavar="FILE", help="spec file to write (- for stdout)")
    capture.add_argument("--anonymize", action="store_true", help="replace serial numbers (DSN, VPD data) by stable placeholders")
    capture.add_argument("--allow-partial", action="store_true",
                         help="capture a truncated view (e.g. the 64 bytes a non-root user sees) instead of refusing")
    return parser


def _formats(values: Optional[list[str]]) -> tuple[str, ...]:
    from ..fixture.outputs import FORMATS

    chosen: list[str] = []
    for value in values or ["all"]:
        for name in filter(None, value.split(",")):
            if name == "all":
                chosen.extend(FORMATS)
            elif name in FORMATS:
                chosen.append(name)
            else:
                raise _Usage(f"unknown format {name!r} (choose from {', '.join(FORMATS)}, all)")
    return tuple(dict.fromkeys(chosen))


def _load_all(paths: Sequence[str]) -> tuple[list, list[str]]:
    """(built fixtures, problem lines) for every spec."""
    from ..fixture import SpecError, build, load_spec

    fixtures, problems = [], []
    for path in paths:
        try:
            fixtures.append(build(load_spec(path)))
        except SpecError as exc:
            problems.extend(str(p) for p in exc.problems)
    stems: dict[str, str] = {}
    for fixture in fixtures:
        other = stems.setdefault(fixture.spec.stem, fixture.spec.path)
        if other != fixture.spec.path:
            problems.append(f"{fixture.spec.path}: its outputs would overwrite those of {other} (same file name)")
    return fixtures, problems


def _report(problems: list[str]) -> int:
    for line in problems:
        print(f"pcikit: {line}", file=sys.stderr)
    return EXIT_USAGE if problems else EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    """Build every spec; write nothing for a spec that does not build."""
    from ..fixture.outputs import write_outputs
    from ..ids import IdDatabase

    formats = _formats(args.formats)
    fixtures, problems = _load_all(args.specs)
    ids = IdDatabase.load(args.ids_file) if args.ids_file else None
    for fixture in fixtures:
        written = write_outputs(fixture, args.out, formats, ids)
        names = ", ".join(os.path.basename(path) for path in written)
        print(f"{fixture.spec.path}: wrote {len(written)} files to {args.out}: {names}")
    return _report(problems)


def cmd_check(args: argparse.Namespace) -> int:
    """Check specs only."""
    _, problems = _load_all(args.specs)
    return _report(problems)


def _truncated(device) -> Optional[str]:
    """Why the view of ``device`` is incomplete (fewer bytes than its config space has), or None."""
    size = device.config.size
    full = 4096 if device.port_type is not None else 256  # PCI Express functions have extended space
    if size >= full:
        return None
    why = " (a non-root user sees only 64 bytes; run as root)" if device.kernel is not None and size == 64 else ""
    return f"only {size} of its {full} config bytes are readable{why}"


def cmd_capture(args: argparse.Namespace) -> int:
    """Capture one device into a spec file."""
    from ..cli import _devices, open_args_source
    from ..fixture.capture import capture_device

    if not args.slot:
        raise _Usage("capture needs -s SLOT")
    args.ids = None
    source = open_args_source(args)
    devices, _ = _devices(args, source)
    if len(devices) != 1:
        found = ", ".join(str(d.address) for d in devices)
        raise _Usage(f"-s {args.slot} matches {len(devices)} devices ({found}); name one")
    device = devices[0]
    missing = _truncated(device)
    if missing and not args.allow_partial:
        raise _Usage(f"{device.address}: {missing}; the spec would not rebuild the device "
                     "(pass --allow-partial to capture what is readable)")
    if args.qemu is not None:
        device = source.with_bar_sizes(device)
        where = f"QEMU ({args.qemu}) {device.address}"
    else:
        where = f"{args.dump} {device.address}" if args.dump else f"the live device {device.address}"
    captured = capture_device(device, anonymize=args.anonymize)
    if args.qemu is not None:  # an emulator: the writable bits can be probed (never on hardware)
        from ..qemu.probe import probe, write_masks

        captured.add_write_masks(write_masks(probe(device)), "probed on QEMU (ones, zeros, restore per dword)")
    text = captured.toml(where)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        from ..access.files import make_folder, write_file

        folder = os.path.dirname(args.out)
        if folder:
            make_folder(folder)
        write_file(args.out, text.encode("utf-8"))
    return EXIT_OK


ACTIONS = {"build": cmd_build, "check": cmd_check, "capture": cmd_capture}


def main(argv: Sequence[str]) -> int:
    """Entry point; returns the exit status."""
    from ..cli import run_subcommand

    return run_subcommand(build_parser(), ACTIONS, argv, input_errors=(PcikitError, OSError))
