"""Device Serial Number extended capability (ID 0x0003): a 64-bit IEEE EUI-64."""
from __future__ import annotations

from construct import Container, Int32ul, Struct

from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "serial_number_lower" / Int32ul,
    "serial_number_upper" / Int32ul,
)


def decode(ctx: DecodeContext) -> Container:
    """Decode both dwords and the whole ``serial_number``."""
    fields = parse_fixed(ctx, SCHEMA)
    fields["serial_number"] = (fields.serial_number_upper << 32) | fields.serial_number_lower
    return fields
