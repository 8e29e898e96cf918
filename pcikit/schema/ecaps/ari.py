"""Alternative Routing-ID Interpretation extended capability (ID 0x000E)."""
from __future__ import annotations

from construct import Container, Int16ul, Struct

from ..attributes import RW, has
from ..bits import Bit, Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

ARI_CAPABILITY = Register(
    Int16ul,
    Bit("mfvc_function_groups_capability", 0),
    Bit("acs_function_groups_capability", 1),
    Bits("next_function_number", 8, 8),
)

# PCIe 7.8.7.3: each Function Groups enable is RW when its capability bit is Set (hardwired 0
# otherwise); Function Group is RW, reset 000b.
_CAP = "ari_capability."

ARI_CONTROL = Register(
    Int16ul,
    Bit("mfvc_function_groups_enable", 0, RW, when=has(_CAP + "mfvc_function_groups_capability")),
    Bit("acs_function_groups_enable", 1, RW, when=has(_CAP + "acs_function_groups_capability")),
    Bits("function_group", 4, 3, access=RW),
)

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "ari_capability" / ARI_CAPABILITY,
    "ari_control" / ARI_CONTROL,
)


def decode(ctx: DecodeContext) -> Container:
    """Decode the ARI Capability and Control registers."""
    return parse_fixed(ctx, SCHEMA)
