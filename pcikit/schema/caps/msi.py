"""MSI capability (ID 0x05): the four layouts (32/64-bit address, with/without per-vector masking)."""
from __future__ import annotations

from construct import Container, If, Int8ul, Int16ul, Int32ul, Struct, this

from ..bits import Bit, Bits, Register
from ..context import DecodeContext

MESSAGE_CONTROL = Register(
    Int16ul,
    Bit("enable", 0),
    Bits("multiple_message_capable_log2", 1, 3),
    Bits("multiple_message_enable_log2", 4, 3),
    Bit("address_64bit", 7),
    Bit("per_vector_masking", 8),
    Bit("extended_message_data_capable", 9),
    Bit("extended_message_data_enable", 10),
)

SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "message_control" / MESSAGE_CONTROL,
    "message_address" / Int32ul,
    "message_upper_address" / If(this.message_control.address_64bit, Int32ul),
    "message_data" / Int16ul,
    "extended_message_data" / Int16ul,
    "mask_bits" / If(this.message_control.per_vector_masking, Int32ul),
    "pending_bits" / If(this.message_control.per_vector_masking, Int32ul),
)


def decode(ctx: DecodeContext) -> Container:
    """Decode MSI; vector counts are given as counts, the log2 encodings kept too."""
    fields = ctx.parse(SCHEMA)
    control = fields.message_control
    fields["enable"] = control.enable
    fields["multiple_message_capable"] = 1 << control.multiple_message_capable_log2
    fields["multiple_message_enable"] = 1 << control.multiple_message_enable_log2
    fields["address_64bit"] = control.address_64bit
    fields["per_vector_masking"] = control.per_vector_masking
    upper = fields.message_upper_address or 0
    fields["address"] = (upper << 32) | fields.message_address
    return fields
