"""The ``pcikit`` command line: lspci's habits, pcikit's views.

Every failure becomes one line on stderr and an exit status: 0 success, 1 no such
device / nothing matched / differences (``diff``), 2 usage or input errors.
"""
from __future__ import annotations

import os
import sys

from .errors import NoSuchDeviceError, PcikitError

TYPE_CHECKING = False  # typing and argparse are imported when needed: start-up cost
if TYPE_CHECKING:
    import argparse
    from typing import Callable, Optional, Sequence

EXIT_OK, EXIT_NOMATCH, EXIT_USAGE = 0, 1, 2


class UsageError(PcikitError):
    """Bad arguments (exit 2)."""


def _source_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("source and selection")
    group.add_argument("-F", dest="dump", metavar="FILE", help="read an lspci dump, raw config image or folder of them")
    group.add_argument("--sysfs-root", metavar="DIR", default=os.environ.get("PCIKIT_SYSFS_ROOT", "/sys"),
                       help="read live devices from another sysfs tree (default /sys)")
    group.add_argument("--qemu", metavar="ARGS", help="read a paused QEMU q35 machine started with these arguments "
                       "(e.g. \"-device nvme,serial=a\")")
    group.add_argument("-s", dest="slot", metavar="[[[[DOMAIN]:]BUS]:][SLOT][.[FUNC]]", help="select devices by address")
    group.add_argument("-d", dest="ids", metavar="[VENDOR]:[DEVICE][:CLASS]", help="select devices by ID")
    group.add_argument("-i", dest="ids_file", metavar="FILE", help="use this pci.ids")
    group.add_argument("-O", dest="params", metavar="NAME=VALUE", action="append", default=[],
                       help="lspci's parameter hwdb.disable=1: names from pci.ids only (also PCIKIT_HWDB=0)")


def _name_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", dest="numeric", action="count", default=0,
                        help="numeric IDs instead of names (-nn: names and numbers)")
    parser.add_argument("-D", dest="domains", action="store_true", default=None, help="always show PCI domains")
    parser.add_argument("-k", dest="kernel", action="store_true", help="show kernel drivers")


def _lspci_format_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("lspci formats", "as lspci prints them (show: implies --format lspci)")
    group.add_argument("-m", dest="machine", action="count", default=0,
                       help="machine-readable: -mm one quoted line per device, -vmm tagged records, -m the old format")
    group.add_argument("-P", dest="path", action="count", default=0,
                       help="prefix each slot with its bridge path (-PP: bus path)")
    group.add_argument("-b", dest="bus_centric", action="store_true",
                       help="bus-centric: IRQ and addresses as the card sees them, not the kernel")


def _dialect_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lspci-version", dest="lspci_version", metavar="3.9..3.14",
                        help="imitate this lspci release (default: $PCIKIT_LSPCI_VERSION, else the newest, 3.14)")


def _dialect(args: argparse.Namespace):
    """The lspci release to imitate (one-line usage error when unsupported)."""
    from .render.lspci.dialect import choose_version

    try:
        return choose_version(getattr(args, "lspci_version", None))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _list_parser(p: argparse.ArgumentParser) -> None:
    _source_options(p)
    _dialect_option(p)
    _name_options(p)
    p.add_argument("-v", dest="verbose", action="count", default=0,
                   help="lspci's verbose output, as lspci -v: the full details (-vv, -vvv more); with -mm tagged records")
    _lspci_format_options(p)


def _show_parser(p: argparse.ArgumentParser) -> None:
    _source_options(p)
    _dialect_option(p)
    _name_options(p)
    p.add_argument("-v", dest="verbose", action="count", default=0,
                   help="more detail: -v register fields, -vv and -vvv every capability field (lspci format: lspci -v/-vv/-vvv)")
    p.add_argument("--format", choices=("text", "lspci", "json"), default="text",
                   help="text: pcikit's own view (default); lspci: what lspci prints; json: docs/json-schema.md")
    p.add_argument("--json", dest="format", action="store_const", const="json", help="same as --format json")
    p.add_argument("-x", dest="hex_level", action="count", default=0,
                   help="lspci format: add a hex dump, -x 64 bytes, -xxx 256, -xxxx 4096 (as lspci -x/-xxx/-xxxx)")
    _lspci_format_options(p)
    p.add_argument("--bar", metavar="N=FILE", action="append", default=[],
                   help="read FILE as BAR N of the selected device, to show its MSI-X vectors "
                        "(show never reads live BARs; pcikit msix does)")


def _tree_parser(p: argparse.ArgumentParser) -> None:
    _source_options(p)
    _dialect_option(p)
    _name_options(p)
    p.add_argument("-v", dest="verbose", action="count", default=0, help="add device names")


def _dump_parser(p: argparse.ArgumentParser) -> None:
    _source_options(p)
    _dialect_option(p)
    p.add_argument("-D", dest="domains", action="store_true", default=None, help="always show PCI domains")
    p.add_argument("-x", dest="hex_level", action="count", default=0, help="-x 64 bytes, -xxx 256, -xxxx 4096")
    p.add_argument("--binary", metavar="DIR", help="write one raw config image per device into DIR")


def _delegated_parser(p: argparse.ArgumentParser) -> None:
    import argparse

    p.add_argument("rest", nargs=argparse.REMAINDER)


# name -> (help, options builder, add_help); subcommands in --help order
_SUBCOMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], bool]] = {
    "list": ("one line per device, like lspci", _list_parser, True),
    "show": ("device details (-v/-vv/-vvv; --format text|lspci|json)", _show_parser, True),
    "tree": ("bus topology like lspci -tv", _tree_parser, True),
    "dump": ("hex dumps that lspci -F reads back, or raw images", _dump_parser, True),
    "msix": ("MSI-X vector tables and pending bits", _delegated_parser, False),
    "diff": ("field-by-field differences between two devices", _delegated_parser, False),
    "fixture": ("build fixtures from specs, capture devices into specs", _delegated_parser, False),
    "tui": ("interactive inspector (Textual)", _delegated_parser, False),
    "health": ("PCIe health verdicts (link speed/width, AER, DPC, ...)", _delegated_parser, False),
    "export": ("many hosts' dumps into a Parquet dataset", _delegated_parser, False),
    "query": ("SQL over an exported dataset (DuckDB)", _delegated_parser, False),
    "trace": ("check a driver's recorded accesses (QEMU trace logs) against a device", _delegated_parser, False),
}


def build_parser(command: Optional[str] = None) -> argparse.ArgumentParser:
    """The argparse tree (also used for ``--help`` output).

    ``command``: build only that subcommand's parser (start-up time: each one costs argparse
    work); None or an unknown name builds them all, so help and "invalid choice" errors list
    every subcommand.
    """
    from .argparsing import CommandParser

    parser = CommandParser(prog="pcikit", description="Inspect, test and emulate PCI/PCIe devices.")
    parser.add_argument("--version", action="version", version="pcikit 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    names = [command] if command in _SUBCOMMANDS else list(_SUBCOMMANDS)
    for name in names:
        helptext, add_options, add_help = _SUBCOMMANDS[name]
        add_options(sub.add_parser(name, help=helptext, add_help=add_help))
    return parser


def _filters(args: argparse.Namespace) -> tuple:
    """(``-s`` filter or None, ``-d`` filter or None)."""
    if not (args.slot or args.ids):
        return None, None
    from .filters import IdFilter, SlotFilter

    try:
        slot = SlotFilter.parse(args.slot) if args.slot else None
        ids = IdFilter.parse(args.ids) if args.ids else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return slot, ids


def _bar_files(specs: Sequence[str]) -> dict[int, str]:
    """``--bar N=FILE`` options as {BAR index: file}."""
    files: dict[int, str] = {}
    if not specs:
        return files
    from .barmap import parse_bar_option

    for spec in specs:
        try:
            index, path = parse_bar_option(spec)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        files[index] = path
    return files


def open_args_source(args: argparse.Namespace):
    """The :class:`~pcikit.sources.Source` that ``-F``/``--sysfs-root`` (and ``--bar`` files) name."""
    from .sources import open_source

    _hwdb_choice(args)  # a bad -O is a usage error before anything is read
    source = open_source(dump=args.dump, sysfs_root=args.sysfs_root, qemu=getattr(args, "qemu", None))
    files = _bar_files(getattr(args, "bar", ()))
    if not files:
        return source
    from .offline import BarFileSource

    return BarFileSource(source, files)


def _devices(args: argparse.Namespace, source=None) -> tuple[list, bool]:
    """(selected devices, whether domains must show) for the source and filters in ``args``.

    With ``-s`` the source is asked for those addresses only: a live bus then reads no other
    function's config space (each read is a hardware access).
    """
    source = source or open_args_source(args)
    slot, _ = _filters(args)
    if slot is None:
        return _select(args, source.load())
    devices, any_domain = source.load_slots(slot)
    return _select(args, devices, any_domain)


def _select(args: argparse.Namespace, devices: list, any_domain: Optional[bool] = None) -> tuple[list, bool]:
    """(the devices ``-s``/``-d`` select, whether domains must show: ``any_domain``, else whether
    any of ``devices`` has one)."""
    from .sources import lspci_order, select

    slot, ids = _filters(args)
    if any_domain is None:
        any_domain = any(dev.address.domain for dev in devices)
    chosen = lspci_order(select(devices, slot, ids))
    if not chosen and (args.slot or args.ids):
        raise NoSuchDeviceError(f"no device matches {' '.join(filter(None, (args.slot, args.ids)))}")
    return chosen, any_domain


def _namer(args: argparse.Namespace):
    """Names from pci.ids (``-i``), then the hwdb unless disabled, as the chosen lspci release does."""
    from .ids import default_database
    from .names import NameLookup
    from .render.lspci.dialect import V3_12
    from .render.lspci.names import Namer

    names = NameLookup(default_database(args.ids_file), _hwdb_choice(args), hwdb_subsystems=_dialect(args) < V3_12)
    return Namer(names, getattr(args, "numeric", 0))


def _hwdb_choice(args: argparse.Namespace):
    """Whether (and which) hwdb names come from: ``-O hwdb.disable=N``, then $PCIKIT_HWDB."""
    from .names import choose_hwdb, parse_params

    try:
        return choose_hwdb(parse_params(getattr(args, "params", [])))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _raw_bytes(text: str) -> bool:
    """True when ``text`` carries raw bytes as surrogate escapes (only non-ASCII text can)."""
    if text.isascii():
        return False
    import re

    return re.search("[\udc80-\udcff]", text) is not None


def _write(text: str) -> None:
    """Write to stdout. Text carrying raw bytes (surrogate escapes: lspci prints such bytes
    unchanged) goes out as UTF-8 with those bytes as they are, whatever the locale."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None and _raw_bytes(text):
        sys.stdout.flush()
        buffer.write(text.encode("utf-8", "surrogateescape"))
        return
    sys.stdout.write(text)


def cmd_list(args: argparse.Namespace) -> int:
    """``pcikit list``: lspci's terse listing."""
    return _lspci_text(args, verbose=args.verbose, hex_level=0)


def _lspci_text(args: argparse.Namespace, verbose: int, hex_level: int) -> int:
    from .render.lspci import LspciOptions, render_devices

    dialect = _dialect(args)
    if args.path:  # -P: paths are drawn through every bridge, so every device is read
        scanned = open_args_source(args).load()
        devices, any_domain = _select(args, scanned)
    else:
        scanned = None
        devices, any_domain = _devices(args)
    options = LspciOptions(verbose, args.numeric, True if args.domains else any_domain, args.kernel, hex_level,
                           dialect, args.machine, args.path, args.bus_centric, bool(args.domains))
    for text in render_devices(devices, options, _namer(args), scanned):
        _write(text)
    return EXIT_OK


def _delegate(module: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        import importlib

        try:
            target = importlib.import_module(f"pcikit.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"pcikit.{module}":
                raise
            raise PcikitError(f"'{args.command}' is not available in this build") from None
        return int(target.main(args.rest))

    return run


def _parsed_here(module: str) -> Callable[[argparse.Namespace], int]:
    """A command whose options are parsed here and whose code (``pcikit.commands.<module>.run``)
    is imported when it runs: a listing loads none of it."""
    def run(args: argparse.Namespace) -> int:
        return int(__import__(f"pcikit.commands.{module}", fromlist=["run"]).run(args))

    return run


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "list": cmd_list,
    "show": _parsed_here("show"),
    "tree": _parsed_here("tree"),
    "dump": _parsed_here("dump"),
    "msix": _delegate("commands.msix"),
    "diff": _delegate("commands.diff"),
    "fixture": _delegate("commands.fixture"),
    "tui": _delegate("commands.tui"),
    "health": _delegate("commands.health"),
    "export": _delegate("commands.export"),
    "query": _delegate("commands.query"),
    "trace": _delegate("commands.trace"),
}


_DELEGATED = ("msix", "diff", "fixture", "tui", "health", "export", "query", "trace")


_VALUES_LIKE_OPTIONS = ("--qemu",)  # their values start with "-" (QEMU options)


def _glue_option_values(argv: list[str]) -> list[str]:
    """``--qemu "-device x"`` -> ``--qemu=-device x``: argparse would take the value for an option."""
    glued: list[str] = []
    values = iter(argv)
    for arg in values:
        if arg in _VALUES_LIKE_OPTIONS:
            arg = f"{arg}={next(values, '')}"
        glued.append(arg)
    return glued


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point; returns the exit status."""
    argv = _glue_option_values(list(sys.argv[1:] if argv is None else argv))
    _tolerant_stdout()
    if not argv:
        argv = ["tui"] if sys.stdout.isatty() and sys.stdin.isatty() else ["list"]
    args = _quick_args(argv)
    if args is None:
        import argparse

        parser = build_parser(argv[0])
        try:
            if argv[0] in _DELEGATED:  # argparse's REMAINDER drops leading options: hand over everything
                args = argparse.Namespace(command=argv[0], rest=argv[1:])
            else:
                args = parser.parse_args(argv)
        except SystemExit as exc:
            return int(exc.code or 0) and EXIT_USAGE
        if args.command is None:
            parser.print_help(sys.stderr)
            return EXIT_USAGE
    try:
        return run_reporting(COMMANDS[args.command], args)
    except KeyboardInterrupt:
        return 130


def _quick_args(argv: list[str]):
    """The namespace of an everyday ``list``/``show`` command line, parsed without argparse
    (start-up time); None when argparse must parse it (see :mod:`pcikit.quickargs`)."""
    if argv[0] not in ("list", "show"):
        return None
    from .quickargs import quick_parse

    values = quick_parse(_SUBCOMMANDS[argv[0]][1], argv[1:])
    namespace = type(sys.implementation)  # types.SimpleNamespace, without importing types
    return None if values is None else namespace(command=argv[0], **values)


def _tolerant_stdout() -> None:
    """Characters the terminal's encoding lacks (LC_ALL=C, PYTHONIOENCODING=ascii) print escaped."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # a stream already written to in another mode
                pass


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def run_reporting(
    command: Callable[[argparse.Namespace], int],
    args: argparse.Namespace,
    prog: str = "pcikit",
    input_errors: tuple[type[BaseException], ...] = (PcikitError,),
) -> int:
    """Run a command and turn its errors into one line on stderr and an exit status.

    No such device: 1; ``input_errors`` (usage and input problems): 2; a closed pipe: 0.
    """
    try:
        return command(args)
    except NoSuchDeviceError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return EXIT_NOMATCH
    except input_errors as exc:
        print(f"{prog}: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        sys.stderr.close()
        return EXIT_OK
    except OSError as exc:
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"{prog}: {where}{(exc.strerror or _one_line(exc)).lower()}", file=sys.stderr)
        return EXIT_USAGE
    except RecursionError:
        print(f"{prog}: input nested too deeply to process", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:
        print(f"{prog}: out of memory", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        print(f"{prog}: internal error ({type(exc).__name__}: {_one_line(exc)}); please report it",
              file=sys.stderr)
        return EXIT_USAGE


def run_subcommand(parser: argparse.ArgumentParser, command, argv: Sequence[str], prog: str = "pcikit",
                   input_errors: tuple[type[BaseException], ...] = (PcikitError,)) -> int:
    """Parse ``argv`` and run ``command`` (a callable, or a table keyed by ``args.action``: no action
    prints the usage, exit 2); errors become one line and an exit status as in :func:`run_reporting`."""
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0) and EXIT_USAGE
    if not callable(command):
        if args.action is None:
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        command = command[args.action]
    return run_reporting(command, args, prog, input_errors)


def run() -> None:
    """Console-script wrapper: exit with :func:`main`'s status, the cyclic collector tuned for a command.

    The objects the interpreter's start-up made (site, encodings, the import system: ~5,000)
    live until exit, so they are frozen first (:func:`gc.freeze`): the collections a command's
    allocations trigger, and the one at exit, no longer rescan them (a listing spent ~1 ms in
    the collector, more than half of it on those objects). A one-shot command (``list``, ``show``,
    ``tree``, ``dump``) also keeps nearly all it allocates (the devices' decoded model) until it
    exits, so the default pass every 700 allocations finds next to nothing and walks the live
    objects again and again (about a tenth of ``show -vvv`` of 2000 devices): it collects every
    100,000 allocations. ``show --json`` is the exception: it hands each device over to be freed
    once written, and at that rate the cycles it leaves pile up (10,000 devices: 178 MiB peak
    instead of 72), so it goes back to Python's own thresholds (:func:`collect_as_python_does`).
    Only the command line is tuned; the library and an in-process :func:`main` keep Python's defaults.
    """
    import gc

    gc.freeze()
    if sys.argv[1:2] and sys.argv[1] in _ONE_SHOT:
        _PYTHON_THRESHOLDS.extend(gc.get_threshold())
        gc.set_threshold(100_000)
    sys.exit(main())


_PYTHON_THRESHOLDS: list[int] = []  # the collector's thresholds before run() tuned them, if it did


def collect_as_python_does() -> None:
    """Undo :func:`run`'s rare collections, for a command that frees what it decodes as it goes."""
    if _PYTHON_THRESHOLDS:
        import gc

        gc.set_threshold(*_PYTHON_THRESHOLDS)


# The commands that read devices, print what they show and exit (the delegated ones include the
# TUI and watch loops, which go on running).
_ONE_SHOT = ("list", "show", "tree", "dump")


if __name__ == "__main__":
    run()
