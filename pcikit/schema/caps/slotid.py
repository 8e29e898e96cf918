"""Slot Identification capability (ID 0x04): expansion slots and chassis number."""
from __future__ import annotations

from construct import Container, Int8ul, Struct

from ..attributes import RW
from ..bits import Bit, Bits, Register, whole
from ..context import DecodeContext

EXPANSION_SLOT = Register(Int8ul, Bits("expansion_slots_provided", 0, 5), Bit("first_in_chassis", 5))

SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "expansion_slot" / EXPANSION_SLOT,
    "chassis_number" / whole(Int8ul, RW),  # write-once by firmware (PCI-to-PCI Bridge 1.2, 13.4)
)


def decode(ctx: DecodeContext) -> Container:
    """Decode the Expansion Slot register and the Chassis Number."""
    return ctx.parse(SCHEMA)
