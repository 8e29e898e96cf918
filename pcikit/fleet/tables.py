"""The fleet dataset's tables: one declaration of every column, read by the Parquet, JSON Lines
and DuckDB layers alike.

Types are a small vocabulary (``str``, ``int``, ``float``, ``bool``, ``list<str>``) mapped to
pyarrow and DuckDB types where they are used, so pyarrow is imported only by the writer.
"""
from __future__ import annotations

TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "devices": (
        ("host", "str"), ("source", "str"), ("slot", "str"),
        ("vendor_id", "int"), ("device_id", "int"), ("subsystem_vendor_id", "int"), ("subsystem_id", "int"),
        ("revision", "int"), ("class_code", "int"),
        ("vendor_name", "str"), ("device_name", "str"), ("class_name", "str"), ("driver", "str"),
        ("port_type", "str"),
        ("link_speed_gts", "float"), ("link_width", "int"),
        ("max_link_speed_gts", "float"), ("max_link_width", "int"),
        ("interrupt_mode", "str"), ("config_size", "int"), ("problems", "list<str>"),
    ),
    "capabilities": (
        ("host", "str"), ("slot", "str"), ("offset", "int"), ("cap_id", "int"), ("extended", "bool"),
        ("version", "int"), ("name", "str"),
    ),
    "links": (
        ("host", "str"), ("slot", "str"), ("upstream", "str"),
        ("speed_gts", "float"), ("width", "int"),
        ("device_max_speed_gts", "float"), ("device_max_width", "int"),
        ("upstream_max_speed_gts", "float"), ("upstream_max_width", "int"),
        ("capable_speed_gts", "float"), ("capable_width", "int"),
    ),
    "findings": (
        ("host", "str"), ("slot", "str"), ("check_name", "str"), ("severity", "str"), ("message", "str"),
        ("expected", "str"), ("actual", "str"), ("upstream", "str"),
    ),
    "errors": (
        ("host", "str"), ("source", "str"), ("slot", "str"), ("error", "str"),
    ),
}

_DUCKDB_TYPES = {"str": "VARCHAR", "int": "BIGINT", "float": "DOUBLE", "bool": "BOOLEAN", "list<str>": "VARCHAR[]"}


def arrow_schema(table: str):
    """The pyarrow schema of ``table``."""
    import pyarrow as pa

    types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
             "list<str>": pa.list_(pa.string())}
    return pa.schema([(name, types[kind]) for name, kind in TABLES[table]])


def duckdb_columns(table: str) -> dict[str, str]:
    """Column name -> DuckDB type of ``table`` (for reading JSON Lines with a fixed schema)."""
    return {name: _DUCKDB_TYPES[kind] for name, kind in TABLES[table]}
