"""PCI Advanced Features capability (ID 0x13): Transactions Pending and Function Level Reset."""
from __future__ import annotations

from construct import Container, Int8ul, Struct

from ..attributes import HWINIT, RW, has
from ..bits import Bit, Register
from ..context import DecodeContext

# PCI Advanced Features ECN (2006): the capabilities are HwInit; Initiate FLR is RW where FLR is
# supported and always reads 0 (a write of 1 starts the Function Level Reset, a mock behaviour);
# Transactions Pending is RO, set by the function.
AF_CAPABILITIES = Register(Int8ul, Bit("tp", 0, HWINIT), Bit("flr", 1, HWINIT))
AF_CONTROL = Register(Int8ul, Bit("initiate_flr", 0, RW, when=has("af_capabilities.flr")))
AF_STATUS = Register(Int8ul, Bit("tp", 0))

SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "length" / Int8ul,  # HwInit: 0x06
    "af_capabilities" / AF_CAPABILITIES,
    "af_control" / AF_CONTROL,
    "af_status" / AF_STATUS,
)


def decode(ctx: DecodeContext) -> Container:
    """Decode the AF Capabilities, Control and Status registers."""
    return ctx.parse(SCHEMA)
