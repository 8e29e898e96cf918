"""``pcikit show``: one device's details as pcikit's own text, as lspci prints them, or as JSON."""
from __future__ import annotations

from ..cli import EXIT_OK, UsageError, _devices, _lspci_text, _namer, _write, collect_as_python_does, open_args_source
from ..errors import NoSuchDeviceError

TYPE_CHECKING = False  # argparse is imported by the command line when it parses
if TYPE_CHECKING:
    import argparse


def run(args: argparse.Namespace) -> int:
    """``pcikit show``: native text, lspci-compatible text, or JSON."""
    lspci_only = [flag for flag, given in (("-m", args.machine), ("-P", args.path), ("-b", args.bus_centric)) if given]
    if lspci_only and args.format == "json":
        raise UsageError(f"show {lspci_only[0]} is an lspci format option; it does not apply to --json")
    if args.format == "lspci" or lspci_only:
        return _lspci_text(args, verbose=args.verbose, hex_level=args.hex_level)
    from contextlib import ExitStack

    source = open_args_source(args)
    try:
        devices, _ = _devices(args, source)
    except NoSuchDeviceError:
        if args.format == "json":
            _write("[]\n")  # the JSON contract: an array, empty when nothing matched (exit 1)
        raise
    if not devices and args.format == "json":
        _write("[]\n")
        raise NoSuchDeviceError(f"no device in {source.label or 'the source'}")
    with ExitStack() as stack:
        regions = _bar_regions(source, devices, stack, bool(args.bar))
        if args.format == "json":
            from ..render.json import iter_dumps

            collect_as_python_does()  # each device is freed once written: its cycles must not pile up
            for text in iter_dumps(_handed_over(devices), _namer(args).ids, regions):
                _write(text)  # streamed: one device's document at a time
            _write("\n")
            return EXIT_OK
        from ..render.text import render_text

        _write(render_text(devices, _namer(args).ids, args.verbose, regions))
    return EXIT_OK


def _handed_over(devices: list):
    """The devices in order, each dropped from ``devices`` as it is handed over, so a device
    (and everything decoded from it) is freed once its output is written."""
    devices.reverse()
    while devices:
        yield devices.pop()


def _bar_regions(source, devices: list, stack, bar_files: bool) -> dict:
    """Per device address: (regions, why-unmapped) of the MSI-X table/PBA BARs given by ``--bar``
    (``bar_files``: the source is the :class:`~pcikit.offline.BarFileSource` they make).

    ``show`` never maps live BARs (lspci never touches them): ``pcikit msix`` reads live tables.
    """
    if not source.live and not bar_files:
        return {}  # a dump or spec without --bar files: nothing to map or explain
    from ..msix import CAP_ID_MSIX

    if bar_files and len(devices) != 1:
        raise UsageError(f"--bar maps a BAR of one device, but {len(devices)} are selected (narrow with -s)")
    regions = {}
    for dev in devices:
        cap = dev.find_capability(CAP_ID_MSIX)
        if cap is None or cap.fields is None:
            continue
        if bar_files:
            from ..offline import BarFileSource
            from .msix import msix_regions

            regions[dev.address] = msix_regions(BarFileSource(source.inner, source.files, files_only=True), dev, stack)
        else:  # live: say why the table is not read
            from ..msix import MsixLayout

            layout = MsixLayout.from_fields(cap.fields)
            why = "show does not map live BARs (pcikit msix reads the table; --bar N=FILE reads an image)"
            regions[dev.address] = ({}, dict.fromkeys((layout.table_bir, layout.pba_bir), why))
    return regions
