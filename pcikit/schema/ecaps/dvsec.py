"""Designated Vendor-Specific Extended Capability (ID 0x0023, PCIe base spec 7.9.6).

Header 1 names the vendor that defined the structure, its revision and length;
Header 2 the DVSEC ID. Structures defined by CXL (vendor 0x1E98) are decoded
further by :mod:`.cxl` into ``cxl``.
"""
from __future__ import annotations

from functools import lru_cache

from construct import Construct, Container, Int16ul, Int32ul, Struct

from ..bits import Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER, cxl, parse_fixed

# PCIe 7.9.6.2/7.9.6.3: both headers are RO.
DESIGNATED_VENDOR_SPECIFIC_HEADER_1 = Register(
    Int32ul,
    Bits("dvsec_vendor_id", 0, 16),
    Bits("dvsec_revision", 16, 4),
    Bits("dvsec_length", 20, 12),
)

DESIGNATED_VENDOR_SPECIFIC_HEADER_2 = Register(Int16ul, Bits("dvsec_id", 0, 16))

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "designated_vendor_specific_header_1" / DESIGNATED_VENDOR_SPECIFIC_HEADER_1,
    "designated_vendor_specific_header_2" / DESIGNATED_VENDOR_SPECIFIC_HEADER_2,
)

HEADERS_SIZE = 0x0A


@lru_cache(maxsize=None)
def _with_body(body: Construct) -> Construct:
    return Struct(*SCHEMA.subcons, "cxl" / body)


def schema_of(fields: Container) -> Construct:
    """The schema the register catalogue walks: the headers and, for CXL, the body after them."""
    cxl_fields = fields.get("cxl")
    body = None
    if cxl_fields is not None and cxl_fields.get("kind") is not None:
        body = cxl.walked_body(fields.dvsec_id, fields.dvsec_revision)
    return SCHEMA if body is None else _with_body(body)


def _check_length(ctx: DecodeContext, length: int, problems: list[str]) -> None:
    if length < HEADERS_SIZE:
        problems.append(f"DVSEC Length {length} is shorter than the 10-byte headers")
    elif not ctx.readable(0, length):
        problems.append(f"DVSEC Length {length} runs past the readable config space")


def decode(ctx: DecodeContext) -> Container:
    """Decode both headers (summary keys lifted) and, for CXL, the structure behind them."""
    fields = parse_fixed(ctx, SCHEMA)
    problems: list[str] = []
    header1 = fields.designated_vendor_specific_header_1
    fields["dvsec_vendor_id"] = header1.dvsec_vendor_id
    fields["dvsec_revision"] = header1.dvsec_revision
    fields["dvsec_length"] = header1.dvsec_length
    fields["dvsec_id"] = fields.designated_vendor_specific_header_2.dvsec_id
    if not ctx.readable(0, HEADERS_SIZE):
        problems.append("DVSEC headers are not readable")
    else:
        _check_length(ctx, header1.dvsec_length, problems)
    fields["cxl"] = None
    if header1.dvsec_vendor_id == cxl.CXL_VENDOR_ID and ctx.readable(0, HEADERS_SIZE):
        fields["cxl"] = cxl.decode_body(ctx, fields.dvsec_id, header1.dvsec_revision, header1.dvsec_length, problems)
    fields["problems"] = problems
    return fields
