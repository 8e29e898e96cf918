"""Vendor-Specific Extended Capability (ID 0x000B, PCIe base spec 7.9.5).

Only the Vendor-Specific Header is architected: VSEC ID, revision and the
length of the whole structure in bytes; the rest belongs to the vendor.
"""
from __future__ import annotations

from construct import Container, Int32ul, Struct

from ..bits import Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

# PCIe 7.9.5.2: the Vendor-Specific Header is RO.
VENDOR_SPECIFIC_HEADER = Register(
    Int32ul,
    Bits("vsec_id", 0, 16),
    Bits("vsec_rev", 16, 4),
    Bits("vsec_length", 20, 12),
)

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "vendor_specific_header" / VENDOR_SPECIFIC_HEADER,
)

HEADERS_SIZE = 8


def decode(ctx: DecodeContext) -> Container:
    """Decode the header; lift ``vsec_id``, ``vsec_rev`` and ``vsec_length``."""
    fields = parse_fixed(ctx, SCHEMA)
    header = fields.vendor_specific_header
    problems: list[str] = []
    if not ctx.readable(0, HEADERS_SIZE):
        problems.append("Vendor-Specific Header is not readable")
    elif header.vsec_length < HEADERS_SIZE:
        problems.append(f"VSEC Length {header.vsec_length} is shorter than the 8-byte headers")
    elif not ctx.readable(0, header.vsec_length):
        problems.append(f"VSEC Length {header.vsec_length} runs past the readable config space")
    fields["vsec_id"] = header.vsec_id
    fields["vsec_rev"] = header.vsec_rev
    fields["vsec_length"] = header.vsec_length
    fields["problems"] = problems
    return fields
