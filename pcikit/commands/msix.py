"""``pcikit msix``: MSI-X vector tables and pending bits, from live BARs or BAR image files.

    pcikit msix [-F DUMP] [--sysfs-root DIR] [-s SLOT] [-d IDS] [--bar N=FILE ...] [--json]

For every selected device with an MSI-X capability: a summary line, then one row
per vector (vector, address, data, masked, pending) and any layout problems. Live
BARs are mapped read-only from ``resourceN`` (root only); ``--bar N=FILE`` maps a
captured BAR image as BAR N of the one selected device instead. When no BAR can
be read the summary line says why. Exit status: 0 ok, 1 no such device, 2 usage
or input errors.
"""
from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from typing import Optional, Sequence

from ..argparsing import CommandParser
from ..errors import NoSuchDeviceError
from ..mmio import BarRegion
from ..msix import CAP_ID_MSIX, MsixLayout, MsixState, read_msix
from ..sources import Source

EXIT_OK, EXIT_USAGE = 0, 2


def build_parser() -> argparse.ArgumentParser:
    """The ``pcikit msix`` argument parser."""
    from ..cli import _source_options

    parser = CommandParser(prog="pcikit msix", description="Show MSI-X vector tables and pending bits.")
    _source_options(parser)
    parser.add_argument("--bar", metavar="N=FILE", action="append", default=[],
                        help="map FILE as BAR N of the selected device (repeatable)")
    parser.add_argument("--json", action="store_true", help="print a JSON array, one object per device")
    return parser


def msix_regions(source: Source, dev, stack: ExitStack) -> tuple[dict[int, BarRegion], dict[int, str]]:
    """Regions for the table and PBA BARs of ``dev`` from ``source`` (closed with ``stack``),
    and why each missing one is missing.

    A ``--bar`` file that cannot be mapped is an input error (raised); a BAR the
    source cannot give is reported per device.
    """
    layout = MsixLayout.from_fields(dev.find_capability(CAP_ID_MSIX).fields)
    regions, missing = source.bar_regions(dev, (layout.table_bir, layout.pba_bir))
    for region in regions.values():
        stack.callback(region.close)
    if not source.live:
        missing = {bir: f"{why} (pass --bar {bir}=FILE)" if bir < 6 else why for bir, why in missing.items()}
    return regions, missing


def _explain(state: MsixState, missing: dict[int, str]) -> Optional[str]:
    """Say why the table was not read (replacing the generic reason), return why the PBA was not."""
    layout = state.layout
    if layout.table_bir in missing:
        state.unread = missing[layout.table_bir]
    return missing.get(layout.pba_bir) if layout.pba_bir != layout.table_bir else None


def _text(slot: str, state: MsixState, pba_missing: Optional[str]) -> str:
    lines = [f"{slot} {state.summary()}"]
    if state.vectors:
        lines.append("  Vector  Address             Data        Masked  Pending")
        for v in state.vectors:
            pending = "?" if v.pending is None else ("yes" if v.pending else "no")
            lines.append(f"  {v.vector:6d}  {v.address:#018x}  {v.data:#010x}  "
                         f"{'yes' if v.masked else 'no':6s}  {pending}")
    if pba_missing and state.vectors:
        lines.append(f"  PBA not read: {pba_missing}")
    lines.extend(f"  problem: {p}" for p in state.problems)
    return "\n".join(lines) + "\n"


_LAYOUT_KEYS = ("enable", "function_mask", "table_size", "table_bir", "table_offset", "pba_bir", "pba_offset")


def _capabilities_hidden(dev) -> bool:
    """True when the capability list could not be read (a non-root reader sees 64 bytes)."""
    stop = dev.capability_stop
    return stop is not None and stop.reason == "access denied"


def _kernel(dev) -> Optional[dict]:
    """What the kernel says about the function's message interrupts (live sources), else None."""
    if dev.kernel is None:
        return None
    return {"irq": dev.kernel.irq, "msi_irqs": list(dev.kernel.msi_irqs), "msi_mode": dev.kernel.msi_mode}


def _hidden_document(dev) -> dict:
    """A device whose MSI-X capability cannot be read: layout unknown, the reason and the kernel's view."""
    from ..interrupts import NEEDS_ROOT

    return {"slot": str(dev.address), **dict.fromkeys(_LAYOUT_KEYS), "vectors": [], "problems": [],
            "unread": NEEDS_ROOT, "pba_unread": None, "kernel": _kernel(dev)}


def _hidden_text(dev) -> str:
    kernel = dev.kernel
    if kernel is not None and kernel.msi_mode == "msix":
        irqs = ",".join(map(str, kernel.msi_irqs))
        return (f"{dev.address} MSI-X: in use per the kernel ({len(kernel.msi_irqs)} vectors, irqs {irqs}); "
                "capability and table need root\n")
    return f"{dev.address} MSI-X: unknown (needs root: only 64 bytes of config space are readable)\n"


def run(args: argparse.Namespace) -> int:
    """Select devices, map their BARs, print tables; raises PcikitError on bad input.

    With ``--json``, nothing matched prints ``[]`` (exit 1), as ``show --json`` does.
    """
    try:
        return _run(args)
    except NoSuchDeviceError:
        if args.json:
            sys.stdout.write("[]\n")
        raise


def _run(args: argparse.Namespace) -> int:
    from ..cli import UsageError, _devices, open_args_source
    from ..offline import BarFileSource

    source = open_args_source(args)
    devices, _ = _devices(args, source)
    with_msix = [dev for dev in devices if getattr(dev.find_capability(CAP_ID_MSIX), "fields", None) is not None]
    if isinstance(source, BarFileSource) and len(devices) != 1:
        raise UsageError(f"--bar maps a BAR of one device, but {len(devices)} are selected (narrow with -s)")
    hidden = [dev for dev in devices if _capabilities_hidden(dev)]
    if args.slot and not with_msix and not hidden:
        raise NoSuchDeviceError(f"no device with an MSI-X capability matches {args.slot}")
    documents, texts = [], []
    for dev in with_msix:
        with ExitStack() as stack:
            regions, missing = msix_regions(source, dev, stack)
            state = read_msix(dev, regions)
            pba_missing = _explain(state, missing)
            slot = str(dev.address)
            documents.append({"slot": slot, **state.to_json(), "pba_unread": pba_missing, "kernel": _kernel(dev)})
            texts.append(_text(slot, state, pba_missing))
    for dev in hidden:
        documents.append(_hidden_document(dev))
        texts.append(_hidden_text(dev))
    if args.json:
        sys.stdout.write(json.dumps(documents, indent=2) + "\n")
    else:
        sys.stdout.write("".join(texts) or "no device with an MSI-X capability\n")
    return EXIT_OK


def main(argv: Sequence[str]) -> int:
    """Entry point for ``pcikit msix``; returns the exit status, never raises for bad input."""
    from ..cli import run_subcommand

    return run_subcommand(build_parser(), run, argv, "pcikit msix")
