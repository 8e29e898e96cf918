"""Address Translation Services extended capability (ID 0x000F)."""
from __future__ import annotations

from construct import Container, Int16ul, Struct

from ..attributes import RW
from ..bits import Bit, Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

ATS_CAPABILITY = Register(
    Int16ul,
    Bits("invalidate_queue_depth_raw", 0, 5),
    Bit("page_aligned_request", 5),
    Bit("global_invalidate_supported", 6),
    Bit("relaxed_ordering_supported", 7),
)

# Smallest Translation Unit: 2^STU pages of 4096 bytes. Both fields RW, reset 0 (PCIe 10.5.1.3).
ATS_CONTROL = Register(
    Int16ul,
    Bits("smallest_translation_unit_raw", 0, 5, access=RW),
    Bit("enable", 15, RW),
)

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "ats_capability" / ATS_CAPABILITY,
    "ats_control" / ATS_CONTROL,
)


def decode(ctx: DecodeContext) -> Container:
    """Decode ATS; an Invalidate Queue Depth of 0 means 32 outstanding requests."""
    fields = parse_fixed(ctx, SCHEMA)
    depth = fields.ats_capability.invalidate_queue_depth_raw
    fields["invalidate_queue_depth"] = depth or 32
    fields["smallest_translation_unit"] = 4096 << fields.ats_control.smallest_translation_unit_raw
    return fields
