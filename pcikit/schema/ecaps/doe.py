"""Data Object Exchange extended capability (ID 0x002E, PCIe base spec 6.0 7.9.24).

Capabilities, Control and Status, then the Write and Read Data Mailbox
registers. Reading a mailbox register has no side effect (only writes move
data), so both are decoded as they read.
"""
from __future__ import annotations

from construct import Container, Int32ul, Struct

from ..attributes import HWINIT, RW, RW1C, has
from ..bits import Bit, Bits, Register, whole
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

# PCIe 6.0 7.9.24.2-7.9.24.4. DOE Abort and DOE Go are RW and always read 0 (a write of 1 starts
# the abort or the exchange: mock behaviour in pcikit/testing/doe.py); the interrupt controls exist
# only with DOE Interrupt Support; Busy, Error and Data Object Ready are set by the function.
_INTERRUPT = has("doe_capabilities.doe_interrupt_support")

DOE_CAPABILITIES = Register(
    Int32ul,
    Bit("doe_interrupt_support", 0, HWINIT),
    Bits("doe_interrupt_message_number", 1, 11),
)

DOE_CONTROL = Register(
    Int32ul,
    Bit("doe_abort", 0, RW),
    Bit("doe_interrupt_enable", 1, RW, when=_INTERRUPT),
    Bit("doe_go", 31, RW),
)

DOE_STATUS = Register(
    Int32ul,
    Bit("doe_busy", 0),
    Bit("doe_interrupt_status", 1, RW1C, when=_INTERRUPT),
    Bit("doe_error", 2),
    Bit("data_object_ready", 31),
)

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "doe_capabilities" / DOE_CAPABILITIES,
    "doe_control" / DOE_CONTROL,
    "doe_status" / DOE_STATUS,
    # Both mailboxes are RW (7.9.24.5/6): software writes a request dword by dword, and a write of
    # any value to the Read Data Mailbox takes the next response dword.
    "doe_write_data_mailbox" / whole(Int32ul, RW),
    "doe_read_data_mailbox" / whole(Int32ul, RW),
)

SIZE = 0x18


def decode(ctx: DecodeContext) -> Container:
    """Decode all six registers."""
    fields = parse_fixed(ctx, SCHEMA)
    fields["problems"] = [] if ctx.readable(0, SIZE) else ["registers run past the readable config space"]
    return fields
