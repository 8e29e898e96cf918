"""Writing the dataset: one part file per table per writer, rows flushed in bounded batches.

Layout::

    DATASET/
      devices/part-<name>.parquet        (or .jsonl with --format jsonl)
      capabilities/part-<name>.parquet
      links/  findings/  errors/

Every writer (one per worker process, or per distributed task) writes its own part of
every table, so workers never share a file and memory stays bounded by ``batch`` rows per
table whatever the number of hosts. Paths may be fsspec URLs (``s3://bucket/dataset``).
"""
from __future__ import annotations

import json
import os
from typing import Any, Optional

from .records import Rows
from .tables import TABLES, arrow_schema

FORMATS = ("parquet", "jsonl")
BATCH_ROWS = 4096


def _open(path: str, mode: str):
    if "://" in path:
        import fsspec

        return fsspec.open(path, mode).open()
    from ..access.files import check_output_path

    check_output_path(path)  # never under /sys, /proc or /dev
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return open(path, mode)


def part_path(dataset: str, table: str, name: str, fmt: str) -> str:
    """Where writer ``name`` puts its part of ``table``."""
    return f"{dataset.rstrip('/')}/{table}/part-{name}.{fmt}"


class PartWriter:
    """Streams rows of every table into this writer's part files."""

    def __init__(self, dataset: str, name: str, fmt: str = "parquet", batch: int = BATCH_ROWS) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
        self.dataset, self.name, self.fmt, self.batch = dataset, name, fmt, batch
        self._pending: dict[str, list[dict[str, Any]]] = {table: [] for table in TABLES}
        self._files: dict[str, Any] = {}
        self._writers: dict[str, Any] = {}
        self.counts = {table: 0 for table in TABLES}

    def add(self, rows: Rows) -> None:
        """Queue one host's rows; full batches are written out."""
        for table, batch in rows.items():
            pending = self._pending[table]
            pending.extend(batch)
            self.counts[table] += len(batch)
            if len(pending) >= self.batch:
                self._flush(table)

    def _flush(self, table: str) -> None:
        rows = self._pending[table]
        if table not in self._files:
            self._files[table] = _open(part_path(self.dataset, table, self.name, self.fmt), "wb")
        handle = self._files[table]
        if self.fmt == "jsonl":
            handle.write("".join(json.dumps(row) + "\n" for row in rows).encode())
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            schema = arrow_schema(table)
            writer: Optional[Any] = self._writers.get(table)
            if writer is None:
                writer = self._writers[table] = pq.ParquetWriter(handle, schema, compression="zstd")
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
        rows.clear()

    def close(self) -> dict[str, int]:
        """Write what is left (every table gets a part, even an empty one); row counts per table."""
        for table in TABLES:
            self._flush(table)
        for writer in self._writers.values():
            writer.close()
        for handle in self._files.values():
            handle.close()
        return dict(self.counts)
