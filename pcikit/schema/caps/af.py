"""PCI Advanced Features capability (ID 0x13): Transactions Pending and Function Level Reset."""
from __future__ import annotations

from construct import Container, Int8ul, Struct

from ..bits import Bit, Register
from ..context import DecodeContext

AF_CAPABILITIES = Register(Int8ul, Bit("tp", 0), Bit("flr", 1))
AF_CONTROL = Register(Int8ul, Bit("initiate_flr", 0))
AF_STATUS = Register(Int8ul, Bit("tp", 0))

SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "length" / Int8ul,
    "af_capabilities" / AF_CAPABILITIES,
    "af_control" / AF_CONTROL,
    "af_status" / AF_STATUS,
)


def decode(ctx: DecodeContext) -> Container:
    """Decode the AF Capabilities, Control and Status registers."""
    return ctx.parse(SCHEMA)
