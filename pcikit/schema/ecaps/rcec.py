"""Root Complex Event Collector Endpoint Association (ID 0x0007, PCIe base spec 7.9.10).

Bit n of the Association Bitmap for RCiEPs names device n on the RCEC's bus.
Version 2 adds the Associated Bus Numbers register (Next Bus .. Last Bus).
"""
from __future__ import annotations

from construct import Container, If, Int32ul, Struct, this

from ..attributes import HWINIT
from ..bits import Bits, Register, whole
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

# PCIe 7.9.10.2-7.9.10.3: the bitmap and the bus range are HwInit.
ASSOCIATED_BUS_NUMBERS = Register(Int32ul, Bits("next_bus", 8, 8, access=HWINIT),
                                  Bits("last_bus", 16, 8, access=HWINIT))
ASSOCIATION_BITMAP_FOR_RCIEPS = whole(Int32ul, HWINIT)

BUS_NUMBERS_VERSION = 2

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "association_bitmap_for_rcieps" / ASSOCIATION_BITMAP_FOR_RCIEPS,
    "associated_bus_numbers" / If(this.header.version >= BUS_NUMBERS_VERSION, ASSOCIATED_BUS_NUMBERS),
)

BASE = Struct("header" / EXTENDED_HEADER, "association_bitmap_for_rcieps" / ASSOCIATION_BITMAP_FOR_RCIEPS)


def decode(ctx: DecodeContext) -> Container:
    """Decode the bitmap (and the devices it names) and, from version 2, the bus range."""
    fields = parse_fixed(ctx, BASE)
    problems: list[str] = []
    bitmap = fields.association_bitmap_for_rcieps
    fields["associated_devices"] = [device for device in range(32) if bitmap >> device & 1]
    size = 12 if fields.header.version >= BUS_NUMBERS_VERSION else 8
    if not ctx.readable(0, size):
        problems.append(f"registers run past the readable config space ({size} bytes expected)")
    fields["associated_bus_numbers"] = (
        parse_fixed(ctx, ASSOCIATED_BUS_NUMBERS, 8) if size == 12 else None
    )
    fields["problems"] = problems
    return fields
