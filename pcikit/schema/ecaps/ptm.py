"""Precision Time Measurement extended capability (ID 0x001F)."""
from __future__ import annotations

from construct import Container, Int32ul, Struct

from ..attributes import RW, has
from ..bits import Bit, Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

# Granularities in ns: 0 unimplemented/unknown, 0xff greater than 254 ns.
PTM_CAPABILITY = Register(
    Int32ul,
    Bit("ptm_requester_capable", 0),
    Bit("ptm_responder_capable", 1),
    Bit("ptm_root_capable", 2),
    Bit("eptm_capable", 3),
    Bit("ptm_propagation_delay_adaptation_capable", 4),
    Bits("local_clock_granularity", 8, 8),
)

# PCIe 7.9.15.3: all RW, reset 0; Root Select is hardwired 0 without PTM Root Capable.
PTM_CONTROL = Register(
    Int32ul,
    Bit("ptm_enable", 0, RW),
    Bit("root_select", 1, RW, when=has("ptm_capability.ptm_root_capable")),
    Bits("effective_granularity", 8, 8, access=RW),
)

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "ptm_capability" / PTM_CAPABILITY,
    "ptm_control" / PTM_CONTROL,
)


def decode(ctx: DecodeContext) -> Container:
    """Decode the PTM Capability and Control registers."""
    return parse_fixed(ctx, SCHEMA)
