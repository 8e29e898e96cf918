"""Bridge Subsystem Vendor ID capability (ID 0x0D)."""
from __future__ import annotations

from construct import Container, Int8ul, Int16ul, Struct

from ..context import DecodeContext

SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "reserved" / Int16ul,
    "subsystem_vendor_id" / Int16ul,
    "subsystem_id" / Int16ul,
)


def decode(ctx: DecodeContext) -> Container:
    """Decode the subsystem IDs a bridge reports."""
    return ctx.parse(SCHEMA)
