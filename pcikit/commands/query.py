"""``pcikit query``: SQL over an exported dataset with DuckDB embedded (no server).

    pcikit query DATASET "SQL" [--json]

Views ``devices``, ``capabilities``, ``links``, ``findings`` and ``errors`` read every part
file of the dataset. Prints an aligned table, or ``--json`` a list of objects. Exit status:
0 (rows or not), 2 for a bad dataset, a failing query or a missing DuckDB.
"""
from __future__ import annotations

import argparse
import datetime
import decimal
import json
import sys
from typing import Any, Sequence

from ..argparsing import CommandParser
from ..errors import PcikitError

EXIT_OK, EXIT_USAGE = 0, 2
_CELL_LIMIT = 60


def build_parser() -> argparse.ArgumentParser:
    """The ``pcikit query`` argument parser."""
    parser = CommandParser(prog="pcikit query", description="SQL over a pcikit dataset (DuckDB).")
    parser.add_argument("dataset", metavar="DATASET")
    parser.add_argument("sql", metavar="SQL")
    parser.add_argument("--json", action="store_true", help="print a JSON list of row objects")
    return parser


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _cell(value: Any) -> str:
    text = "NULL" if value is None else str(value)
    return text if len(text) <= _CELL_LIMIT else text[: _CELL_LIMIT - 3] + "..."


def format_table(columns: list[str], rows: list[tuple]) -> str:
    """An aligned text table with a header row and a row count."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    out = [line(columns), line(["-" * w for w in widths])] + [line(r) for r in cells]
    return "\n".join(out) + f"\n({len(rows)} row{'s' if len(rows) != 1 else ''})\n"


def run(args: argparse.Namespace) -> int:
    """Run the query and print its result."""
    try:
        from ..fleet.query import run_query
        import duckdb  # noqa: F401
    except ImportError:
        raise PcikitError("pcikit query needs DuckDB: pip install 'pcikit[fleet]'") from None
    columns, rows = run_query(args.dataset, args.sql)
    if args.json:
        sys.stdout.write(json.dumps([dict(zip(columns, map(_plain, row))) for row in rows], indent=2) + "\n")
    else:
        sys.stdout.write(format_table(columns, rows))
    return EXIT_OK


def main(argv: Sequence[str]) -> int:
    """Entry point for ``pcikit query``; returns the exit status."""
    from ..cli import run_subcommand

    return run_subcommand(build_parser(), run, argv, "pcikit query")
