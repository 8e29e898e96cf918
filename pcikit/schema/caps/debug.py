"""Debug Port capability (ID 0x0a, EHCI): which BAR holds the debug port, and where."""
from __future__ import annotations

from construct import Container, Int8ul, Int16ul, Struct

from ..attributes import HWINIT
from ..bits import Bits, Register
from ..context import DecodeContext

# EHCI 1.0 appendix C.3: the debug port's BAR and offset are fixed by the controller (HwInit).
DEBUG_PORT = Register(Int16ul, Bits("offset", 0, 13, access=HWINIT), Bits("bar_number", 13, 3, access=HWINIT))

SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "debug_port" / DEBUG_PORT,
)


def decode(ctx: DecodeContext) -> Container:
    """Decode the Debug Port register; ``bar_register`` is the BAR's config offset (1-6 valid)."""
    fields = ctx.parse(SCHEMA)
    number = fields.debug_port.bar_number
    fields["bar_register"] = 0x10 + 4 * (number - 1) if 1 <= number <= 6 else None
    return fields
