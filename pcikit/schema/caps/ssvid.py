"""Bridge Subsystem Vendor ID capability (ID 0x0D)."""
from __future__ import annotations

from construct import Container, Int8ul, Int16ul, Struct

from ..attributes import HWINIT
from ..bits import whole
from ..context import DecodeContext

SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "reserved" / Int16ul,
    "subsystem_vendor_id" / whole(Int16ul, HWINIT),  # PCI Bridge 1.2 section 3.2.5.13; RsvdP before it
    "subsystem_id" / whole(Int16ul, HWINIT),
)


def decode(ctx: DecodeContext) -> Container:
    """Decode the subsystem IDs a bridge reports."""
    return ctx.parse(SCHEMA)
