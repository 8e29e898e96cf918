"""``pcikit diff``: field-by-field differences between two devices, as ``diff`` reports files.

    pcikit diff [--sysfs-root DIR | --qemu ARGS] [--json] [--ignore-layout] A B

A and B are each a live slot (``00:03.0``; with ``--qemu``, a function of
the QEMU machine those arguments start), a dump (``FILE`` holding one
device, or ``FILE@SLOT``), or a spec file (``*.toml``). Fields are named as
``pcikit show --json`` names them and grouped by capability. The device's own
state is compared (config space, BARs); what the kernel reports about it (driver,
IRQ numbers) only with ``--kernel``. Exit status: 0 identical, 1 different, 2 errors.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Sequence

from ..argparsing import CommandParser
from ..errors import PcikitError

EXIT_SAME, EXIT_DIFFERENT, EXIT_TROUBLE = 0, 1, 2


class SourceError(PcikitError):
    """A source argument that names no single device."""


def build_parser() -> argparse.ArgumentParser:
    """The ``pcikit diff`` argument parser."""
    parser = CommandParser(prog="pcikit diff", description="Compare two devices field by field.")
    parser.add_argument("a", metavar="A", help="live slot, DUMP[@SLOT] or SPEC.toml")
    parser.add_argument("b", metavar="B", help="live slot, DUMP[@SLOT] or SPEC.toml")
    parser.add_argument("--sysfs-root", metavar="DIR", default=os.environ.get("PCIKIT_SYSFS_ROOT", "/sys"),
                        help="where live slots are read (default /sys)")
    parser.add_argument("--qemu", metavar="ARGS", help="read slots from a paused QEMU q35 machine started with these arguments")
    parser.add_argument("--json", action="store_true", help="print the differences as JSON")
    parser.add_argument("--ignore-layout", action="store_true", help="ignore capability offsets and next pointers")
    parser.add_argument("--kernel", action="store_true",
                        help="also compare what the kernel reports (driver, IRQ numbers, msi_irqs); "
                             "by default only the device's own state is compared")
    return parser


def _from_spec(path: str):
    from ..fixture import build, load_spec

    return build(load_spec(path)).device()


def _from_dump(path: str, slot: str = ""):
    from ..filters import SlotFilter
    from ..offline import dump_devices

    devices = dump_devices(path)
    if slot:
        try:
            chosen = SlotFilter.parse(slot)
        except ValueError as exc:
            raise SourceError(f"{path}@{slot}: {exc}") from None
        devices = [dev for dev in devices if chosen.matches(dev.address)]
    if len(devices) != 1:
        found = ", ".join(str(d.address) for d in devices) or "none"
        hint = "" if slot else "; name one as FILE@SLOT"
        raise SourceError(f"{path}{'@' + slot if slot else ''}: {len(devices)} devices match ({found}){hint}")
    return devices[0]


def _from_live(text: str, root: str, machine=None):
    from ..address import Address
    from ..sources import live_device

    try:
        address = Address.parse(text)
    except ValueError:
        raise SourceError(f"{text}: neither a file nor a PCI address ([DDDD:]BB:DD.F)") from None
    return machine.device(address) if machine is not None else live_device(address, root)


def load_source(text: str, sysfs_root: str, machine=None):
    """The device a source argument names (spec, dump, dump@slot, or a slot: live, or of ``machine``)."""
    if text.endswith(".toml") and os.path.isfile(text):
        return _from_spec(text)
    if os.path.exists(text):
        return _from_dump(text)
    if "@" in text:
        path, slot = text.rsplit("@", 1)
        if os.path.exists(path):
            return _from_dump(path, slot)
    return _from_live(text, sysfs_root, machine)


def _nothing():
    from contextlib import nullcontext

    return nullcontext()


def _document(device) -> dict:
    from ..ids import IdDatabase
    from ..render.json import dumps

    return json.loads(dumps([device], IdDatabase(b"")))[0]


def main(argv: Sequence[str]) -> int:
    """Entry point: 0 identical, 1 different, 2 errors."""
    from ..compare import compare_documents, render_text, to_json

    try:
        args = build_parser().parse_args(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0) and EXIT_TROUBLE
    try:
        machine = None
        if args.qemu is not None:
            from ..qemu import machine as start_machine

            machine = start_machine(args.qemu)
        with machine or _nothing():
            doc_a = _document(load_source(args.a, args.sysfs_root, machine))
            doc_b = _document(load_source(args.b, args.sysfs_root, machine))
    except (PcikitError, OSError) as exc:
        print(f"pcikit: {exc}", file=sys.stderr)
        return EXIT_TROUBLE
    result = compare_documents(doc_a, doc_b, ignore_layout=args.ignore_layout, kernel=args.kernel)
    if args.json:
        sys.stdout.write(json.dumps(to_json(result, args.a, args.b), indent=2) + "\n")
    else:
        sys.stdout.write(render_text(result, args.a, args.b))
    return EXIT_SAME if result.identical else EXIT_DIFFERENT
