"""``pcikit tree``: the bus topology as ``lspci -t`` draws it."""
from __future__ import annotations

from ..cli import EXIT_OK, _dialect, _filters, _namer, _write, open_args_source
from ..errors import NoSuchDeviceError

TYPE_CHECKING = False  # argparse is imported by the command line when it parses
if TYPE_CHECKING:
    import argparse


def run(args: argparse.Namespace) -> int:
    """``pcikit tree``: topology like ``lspci -t``."""
    from ..render.tree import render_tree
    from ..sources import select

    dialect = _dialect(args)
    slot, ids = _filters(args)
    devices = open_args_source(args).load()
    match = None
    if slot is not None or ids is not None:
        chosen = {id(dev) for dev in select(devices, slot, ids)}
        if not chosen:
            raise NoSuchDeviceError(f"no device matches {' '.join(filter(None, (args.slot, args.ids)))}")
        match = lambda dev: id(dev) in chosen  # noqa: E731
    namer = _namer(args)
    name = (lambda dev: namer.vendor_device(dev.vendor_id, dev.device_id, 256)) if args.verbose else (lambda dev: None)
    _write(render_tree(devices, name, match, dialect))
    return EXIT_OK
