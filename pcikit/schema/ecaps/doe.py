"""Data Object Exchange extended capability (ID 0x002E, PCIe base spec 6.0 7.9.24).

Capabilities, Control and Status, then the Write and Read Data Mailbox
registers. Reading a mailbox register has no side effect (only writes move
data), so both are decoded as they read.
"""
from __future__ import annotations

from construct import Container, Int32ul, Struct

from ..bits import Bit, Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

DOE_CAPABILITIES = Register(
    Int32ul,
    Bit("doe_interrupt_support", 0),
    Bits("doe_interrupt_message_number", 1, 11),
)

DOE_CONTROL = Register(
    Int32ul,
    Bit("doe_abort", 0),
    Bit("doe_interrupt_enable", 1),
    Bit("doe_go", 31),
)

DOE_STATUS = Register(
    Int32ul,
    Bit("doe_busy", 0),
    Bit("doe_interrupt_status", 1),
    Bit("doe_error", 2),
    Bit("data_object_ready", 31),
)

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "doe_capabilities" / DOE_CAPABILITIES,
    "doe_control" / DOE_CONTROL,
    "doe_status" / DOE_STATUS,
    "doe_write_data_mailbox" / Int32ul,
    "doe_read_data_mailbox" / Int32ul,
)

SIZE = 0x18


def decode(ctx: DecodeContext) -> Container:
    """Decode all six registers."""
    fields = parse_fixed(ctx, SCHEMA)
    fields["problems"] = [] if ctx.readable(0, SIZE) else ["registers run past the readable config space"]
    return fields
