"""MSI-X capability (ID 0x11): Message Control, Table and PBA locations; the table entry and PBA layouts.

The table (16-byte entries) and the Pending Bit Array (one bit per vector, in QWORDs) live in
the BARs the capability names (PCIe 7.7.2): their layout is declared here once and read by the
decoder's consumers, the mock, the builder and the fixture outputs.
"""
from __future__ import annotations

from construct import Container, Int8ul, Int16ul, Int32ul, Struct

from ..attributes import RW
from ..bits import Bit, Bits, Register, whole
from ..catalogue import offsets
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


# One MSI-X Table entry (PCIe 7.7.2.10-13); every vector resets masked.
VECTOR_CONTROL = Register(Int32ul, Bit("mask_bit", 0, RW, reset=1))
TABLE_ENTRY = Struct(
    "message_address" / whole(Int32ul, RW),
    "message_upper_address" / whole(Int32ul, RW),
    "message_data" / whole(Int32ul, RW),
    "vector_control" / VECTOR_CONTROL,
)
ENTRY_SIZE = TABLE_ENTRY.sizeof()
ENTRY_OFFSETS = offsets(TABLE_ENTRY, TABLE_ENTRY.parse(bytes(ENTRY_SIZE)))  # member name -> offset in the entry
ADDRESS_OFFSET = ENTRY_OFFSETS["message_address"]
UPPER_ADDRESS_OFFSET = ENTRY_OFFSETS["message_upper_address"]
DATA_OFFSET = ENTRY_OFFSETS["message_data"]
VECTOR_CONTROL_OFFSET = ENTRY_OFFSETS["vector_control"]
MASK_BIT = 1 << VECTOR_CONTROL.field("mask_bit").lo
PBA_QWORD = 8  # the PBA is read in QWORDs: 64 pending bits each
MAX_TABLE_SIZE = 2048


def table_bytes(vectors: int) -> int:
    """Bytes a table of ``vectors`` entries spans."""
    return vectors * ENTRY_SIZE


def pba_bytes(vectors: int) -> int:
    """Bytes the PBA of ``vectors`` vectors spans (whole QWORDs)."""
    return (vectors + 8 * PBA_QWORD - 1) // (8 * PBA_QWORD) * PBA_QWORD


def pending_bit(vector: int, width: int = 1) -> tuple[int, int]:
    """Where ``vector``'s pending bit is: (offset in the PBA of the ``width``-byte unit, bit in it).

    The PBA is a little-endian bit array, bit *n* for vector *n*.
    """
    bits = 8 * width
    return vector // bits * width, vector % bits


def entry_bytes(address: int, data: int, masked: bool) -> bytes:
    """One table entry as software programs it (64-bit ``address``)."""
    return TABLE_ENTRY.build({"message_address": address & 0xFFFF_FFFF, "message_upper_address": address >> 32,
                              "message_data": data, "vector_control": {"mask_bit": masked}})


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
