"""``pcikit tui``: open the interactive inspector (live machine, a dump, or a spec)."""
from __future__ import annotations

import argparse
import os
import sys
from typing import Optional, Sequence

from ..argparsing import CommandParser
from ..errors import PcikitError


def build_parser() -> argparse.ArgumentParser:
    """Options of ``pcikit tui``."""
    parser = CommandParser(
        prog="pcikit tui",
        description="Inspect PCI devices interactively (read-only). Without a source, the live "
        "machine; when no PCI bus is visible, the bundled example devices.",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-F", dest="dump", metavar="DUMP", help="an lspci dump, raw config image or folder of them")
    group.add_argument("--spec", metavar="FILE", help="a pcikit fixture spec (TOML)")
    group.add_argument("--qemu", metavar="ARGS", help="a paused QEMU q35 machine started with these arguments")
    parser.add_argument("--sysfs-root", metavar="DIR", default=os.environ.get("PCIKIT_SYSFS_ROOT", "/sys"),
                        help="read live devices from another sysfs tree (default /sys)")
    parser.add_argument("-i", dest="ids_file", metavar="FILE", help="use this pci.ids")
    parser.add_argument("--bar", metavar="N=FILE", action="append", default=[],
                        help="use FILE as BAR N of the device (a dump or spec of one device, or the one -s names)")
    parser.add_argument("-s", dest="slot", metavar="SLOT", help="the device --bar files belong to")
    parser.add_argument("--poll", type=float, default=2.0, metavar="SECONDS",
                        help="how often to look for added/removed devices without udev (0: never)")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the inspector; 0 on a normal quit, 2 for bad arguments or an unreadable source."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) and 2
    try:
        from ..cli import _bar_files
        from ..tui import create_app

        bars = _bar_files(args.bar)
        source = None
        if args.qemu is not None:
            from ..sources import open_source

            source = open_source(qemu=args.qemu)
        app = create_app(
            source=source, dump=args.dump, spec=args.spec, sysfs_root=args.sysfs_root,
            ids_file=args.ids_file, poll_interval=args.poll or None, bars=bars, bar_slot=args.slot,
        )
    except PcikitError as exc:
        print(f"pcikit: {exc}", file=sys.stderr)
        return 2
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print("pcikit tui: needs a terminal (standard input and output are not one); "
              "use pcikit list / show for text", file=sys.stderr)
        return 2
    app.run()
    return int(app.return_code or 0)
