"""``pcikit dump``: hex rows ``lspci -F`` reads back, or one raw config image per device."""
from __future__ import annotations

from ..cli import EXIT_OK, _devices, _dialect, _namer, _write

TYPE_CHECKING = False  # argparse is imported by the command line when it parses
if TYPE_CHECKING:
    import argparse


def run(args: argparse.Namespace) -> int:
    """``pcikit dump``: hex rows lspci -F reads back, or raw images with --binary."""
    dialect = _dialect(args)
    devices, any_domain = _devices(args)
    if args.binary:
        from ..render.hexdump import write_binary

        write_binary(devices, args.binary)
        return EXIT_OK
    from ..render.hexdump import render_dump

    _write(render_dump(devices, max(args.hex_level, 1), _namer(args), True if args.domains else any_domain, dialect))
    return EXIT_OK
