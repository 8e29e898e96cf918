"""Device Serial Number extended capability (ID 0x0003): a 64-bit IEEE EUI-64."""
from __future__ import annotations

from construct import Container, Int32ul, Struct

from ..attributes import RO
from ..bits import whole
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "serial_number_lower" / whole(Int32ul, RO),  # PCIe 7.9.3.2-7.9.3.3: RO
    "serial_number_upper" / whole(Int32ul, RO),
)


def decode(ctx: DecodeContext) -> Container:
    """Decode both dwords and the whole ``serial_number``."""
    fields = parse_fixed(ctx, SCHEMA)
    fields["serial_number"] = (fields.serial_number_upper << 32) | fields.serial_number_lower
    return fields
