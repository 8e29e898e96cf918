"""MSI-X capability (ID 0x11): Message Control, Table and PBA locations."""
from __future__ import annotations

from construct import Container, Int8ul, Int16ul, Int32ul, Struct

from ..attributes import RW
from ..bits import Bit, Bits, Register
from ..context import DecodeContext

MESSAGE_CONTROL = Register(
    Int16ul,
    Bits("table_size_raw", 0, 11),
    Bits("table_size", 0, 11, add=1),
    Bit("function_mask", 14, RW),
    Bit("enable", 15, RW),
)

# BIR in bits 2:0, QWORD-aligned offset in bits 31:3.
LOCATION = Register(Int32ul, Bits("bir", 0, 3), Bits("offset", 3, 29, shift=3))

SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "message_control" / MESSAGE_CONTROL,
    "table" / LOCATION,
    "pba" / LOCATION,
)


def decode(ctx: DecodeContext) -> Container:
    """Decode MSI-X and lift the contract's summary keys to the top level."""
    fields = ctx.parse(SCHEMA)
    control = fields.message_control
    fields["enable"] = control.enable
    fields["function_mask"] = control.function_mask
    fields["table_size"] = control.table_size
    fields["table_bir"] = fields.table.bir
    fields["table_offset"] = fields.table.offset
    fields["pba_bir"] = fields.pba.bir
    fields["pba_offset"] = fields.pba.offset
    return fields
