"""MSI capability (ID 0x05): the four layouts (32/64-bit address, with/without per-vector masking)."""
from __future__ import annotations

from construct import Container, If, Int8ul, Int16ul, Int32ul, Struct, this

from ..attributes import RW, FieldBits, has
from ..bits import Bit, Bits, Register, Scalar, whole
from ..context import DecodeContext

MESSAGE_CONTROL = Register(
    Int16ul,
    Bit("enable", 0, RW),
    Bits("multiple_message_capable_log2", 1, 3),
    Bits("multiple_message_enable_log2", 4, 3, access=RW),
    Bit("address_64bit", 7),
    Bit("per_vector_masking", 8),
    Bit("extended_message_data_capable", 9),
    Bit("extended_message_data_enable", 10, RW, when=has("message_control.extended_message_data_capable")),
)

# Mask Bits: one RW bit per vector the function is capable of.
MASK_BITS = Scalar(Int32ul, Bits("mask", 0, 32, access=RW,
                                 when=FieldBits("message_control.multiple_message_capable_log2", vectors=True)))

SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "message_control" / MESSAGE_CONTROL,
    "message_address" / Scalar(Int32ul, Bits("address", 2, 30, access=RW)),
    "message_upper_address" / If(this.message_control.address_64bit, whole(Int32ul, RW)),
    "message_data" / whole(Int16ul, RW),
    "extended_message_data" / whole(Int16ul, RW, when=has("message_control.extended_message_data_capable")),
    "mask_bits" / If(this.message_control.per_vector_masking, MASK_BITS),
    "pending_bits" / If(this.message_control.per_vector_masking, Int32ul),  # RO: the function sets them
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
