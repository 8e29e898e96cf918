"""DuckDB over a dataset: one view per table, reading every part file of it (no server)."""
from __future__ import annotations

import os
from typing import Any

from ..errors import PcikitError
from .tables import TABLES, duckdb_columns


def _format_of(dataset: str) -> str:
    folder = os.path.join(dataset, "devices")
    names = os.listdir(folder) if os.path.isdir(folder) else []
    if any(n.endswith(".parquet") for n in names):
        return "parquet"
    if any(n.endswith(".jsonl") for n in names):
        return "jsonl"
    raise PcikitError(f"{dataset}: not a pcikit dataset (no devices/part-*.parquet or .jsonl)")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def connect(dataset: str) -> Any:
    """An in-memory DuckDB connection with views ``devices``, ``capabilities``, ``links``, ``findings``, ``errors``."""
    import duckdb

    fmt = _format_of(dataset)
    con = duckdb.connect(":memory:")
    for table in TABLES:
        pattern = _quote(os.path.join(dataset, table, f"*.{fmt}"))
        if fmt == "parquet":
            source = f"read_parquet({pattern}, union_by_name=true)"
        else:
            columns = "{" + ", ".join(f"{_quote(k)}: {_quote(v)}" for k, v in duckdb_columns(table).items()) + "}"
            source = f"read_json({pattern}, format='newline_delimited', columns={columns})"
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM {source}")
    return con


def run_query(dataset: str, sql: str) -> tuple[list[str], list[tuple]]:
    """(column names, rows) of ``sql`` over ``dataset``; DuckDB errors as PcikitError."""
    import duckdb

    con = connect(dataset)
    try:
        cursor = con.execute(sql)
        if cursor.description is None:
            return [], []
        return [d[0] for d in cursor.description], cursor.fetchall()
    except duckdb.Error as exc:
        raise PcikitError(f"query failed: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()
