"""Alternative Routing-ID Interpretation extended capability (ID 0x000E)."""
from __future__ import annotations

from construct import Container, Int16ul, Struct

from ..bits import Bit, Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

ARI_CAPABILITY = Register(
    Int16ul,
    Bit("mfvc_function_groups_capability", 0),
    Bit("acs_function_groups_capability", 1),
    Bits("next_function_number", 8, 8),
)

ARI_CONTROL = Register(
    Int16ul,
    Bit("mfvc_function_groups_enable", 0),
    Bit("acs_function_groups_enable", 1),
    Bits("function_group", 4, 3),
)

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "ari_capability" / ARI_CAPABILITY,
    "ari_control" / ARI_CONTROL,
)


def decode(ctx: DecodeContext) -> Container:
    """Decode the ARI Capability and Control registers."""
    return parse_fixed(ctx, SCHEMA)
