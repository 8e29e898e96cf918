"""Latency Tolerance Reporting extended capability (ID 0x0018).

Each latency register is a 10-bit value times 2^(5 * scale) ns; scales 6 and 7
are not permitted, so their ``latency_ns`` is None.
"""
from __future__ import annotations

from construct import Container, Int16ul, Struct

from ..attributes import RW
from ..bits import Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Optional

# Max Snoop / No-Snoop Latency: value and scale RW, reset 0 (PCIe 7.8.2.2, 7.8.2.3).
MAX_LATENCY = Register(Int16ul, Bits("value", 0, 10, access=RW), Bits("scale", 10, 3, access=RW))

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "max_snoop_latency" / MAX_LATENCY,
    "max_no_snoop_latency" / MAX_LATENCY,
)

LARGEST_SCALE = 5


def latency_ns(value: int, scale: int) -> Optional[int]:
    """value * 2^(5 * scale) ns, or None for the reserved scales."""
    return value << (5 * scale) if scale <= LARGEST_SCALE else None


def decode(ctx: DecodeContext) -> Container:
    """Decode both latency registers and their values in ns."""
    fields = parse_fixed(ctx, SCHEMA)
    for name in ("max_snoop_latency", "max_no_snoop_latency"):
        register = fields[name]
        register["latency_ns"] = latency_ns(register.value, register.scale)
    return fields
