"""Process Address Space ID extended capability (ID 0x001B)."""
from __future__ import annotations

from construct import Container, Int16ul, Struct

from ..attributes import RW, has
from ..bits import Bit, Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

PASID_CAPABILITY = Register(
    Int16ul,
    Bit("execute_permission_supported", 1),
    Bit("privileged_mode_supported", 2),
    Bits("max_pasid_width", 8, 5),
)

# PCIe 7.8.9.3: RW, reset 0; the Execute and Privileged enables are hardwired 0 unless supported.
_CAP = "pasid_capability."

PASID_CONTROL = Register(
    Int16ul,
    Bit("pasid_enable", 0, RW),
    Bit("execute_permission_enable", 1, RW, when=has(_CAP + "execute_permission_supported")),
    Bit("privileged_mode_enable", 2, RW, when=has(_CAP + "privileged_mode_supported")),
)

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "pasid_capability" / PASID_CAPABILITY,
    "pasid_control" / PASID_CONTROL,
)


def decode(ctx: DecodeContext) -> Container:
    """Decode the PASID Capability and Control registers."""
    return parse_fixed(ctx, SCHEMA)
