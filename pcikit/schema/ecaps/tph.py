"""TPH Requester extended capability (ID 0x0017, PCIe base spec 7.9.13).

ST Table Location says where the Steering Tag table lives: nowhere, in this
capability (16-bit entries from +0x0C, ST Table Size + 1 of them), or in the
MSI-X table. Entries in this capability are bounded by the readable config size.
"""
from __future__ import annotations

from construct import Array, Container, If, Int16ul, Int32ul, Struct, this

from ..attributes import RW, has
from ..bits import Bit, Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

TPH_REQUESTER_CAPABILITY = Register(
    Int32ul,
    Bit("no_st_mode_supported", 0),
    Bit("interrupt_vector_mode_supported", 1),
    Bit("device_specific_mode_supported", 2),
    Bit("extended_tph_requester_supported", 8),
    Bits("st_table_location", 9, 2),
    Bits("st_table_size_raw", 16, 11),
    Bits("st_table_size", 16, 11, add=1),
)

# PCIe 7.9.13.3: ST Mode Select and TPH Requester Enable are RW, reset 0.
TPH_REQUESTER_CONTROL = Register(
    Int32ul,
    Bits("st_mode_select", 0, 3, access=RW),
    Bits("tph_requester_enable", 8, 2, access=RW),
)

# PCIe 7.9.13.4: ST Lower RW; ST Upper RW with Extended TPH Requester Supported (RsvdP without).
ST_ENTRY = Register(
    Int16ul,
    Bits("st_lower", 0, 8, access=RW),
    Bits("st_upper", 8, 8, access=RW, when=has("tph_requester_capability.extended_tph_requester_supported")),
)

ST_TABLE_NONE, ST_TABLE_IN_CAPABILITY, ST_TABLE_IN_MSIX = 0, 1, 2
ST_TABLE_LOCATIONS = {ST_TABLE_NONE: "none", ST_TABLE_IN_CAPABILITY: "tph_capability", ST_TABLE_IN_MSIX: "msix_table"}

HEAD = Struct(
    "header" / EXTENDED_HEADER,
    "tph_requester_capability" / TPH_REQUESTER_CAPABILITY,
    "tph_requester_control" / TPH_REQUESTER_CONTROL,
)

SCHEMA = Struct(
    *HEAD.subcons,
    "st_table" / If(
        this.tph_requester_capability.st_table_location == ST_TABLE_IN_CAPABILITY,
        Array(this.tph_requester_capability.st_table_size, ST_ENTRY),
    ),
)

HEAD_SIZE = 0x0C
ST_ENTRY_SIZE = 2


def _st_table(ctx: DecodeContext, size: int, problems: list[str]) -> list[Container]:
    readable = max(0, min(size, (ctx.size - ctx.offset - HEAD_SIZE) // ST_ENTRY_SIZE))
    if readable < size:
        problems.append(f"ST table: only {readable} of {size} entries are readable")
    return [ST_ENTRY.decode(ctx.u16(HEAD_SIZE + i * ST_ENTRY_SIZE)) for i in range(readable)]


def decode(ctx: DecodeContext) -> Container:
    """Decode capability and control, and the ST table when it lives here."""
    fields = parse_fixed(ctx, HEAD)
    problems: list[str] = []
    if not ctx.readable(0, HEAD_SIZE):
        problems.append("registers run past the readable config space")
    capability = fields.tph_requester_capability
    location = capability.st_table_location
    fields["st_table_location_name"] = ST_TABLE_LOCATIONS.get(location, "reserved")
    in_capability = location == ST_TABLE_IN_CAPABILITY
    fields["st_table"] = _st_table(ctx, capability.st_table_size, problems) if in_capability else None
    fields["problems"] = problems
    return fields
