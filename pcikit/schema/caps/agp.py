"""AGP capability (ID 0x02): version, AGP Status and AGP Command (AGP 3.0 aware)."""
from __future__ import annotations

from construct import Container, Int8ul, Int32ul, Struct

from ..attributes import RW
from ..bits import Bit, Bits, Register
from ..context import DecodeContext

VERSION = Register(Int8ul, Bits("minor", 0, 4), Bits("major", 4, 4))

STATUS = Register(
    Int32ul,
    Bits("rate", 0, 3),
    Bit("agp3_mode", 3),
    Bit("fast_writes", 4),
    Bit("addressing_64bit", 5),
    Bit("htrans", 6),
    Bit("gart_64bit", 7),
    Bit("ita_coherent", 8),
    Bit("sideband_addressing", 9),
    Bits("calibration_cycle", 10, 3),
    Bits("async_request_size", 13, 3),
    Bit("isochronous", 16),
    Bits("request_queue", 24, 8, add=1),
)

# AGP 3.0 section 2.5: the Version and AGP Status registers are RO; every AGP Command field is RW
# and resets to 0 (AGP disabled).
COMMAND = Register(
    Int32ul,
    Bits("rate", 0, 3, access=RW),
    Bit("fast_writes_enable", 4, RW),
    Bit("addressing_64bit_enable", 5, RW),
    Bit("gart_64bit_enable", 7, RW),
    Bit("agp_enable", 8, RW),
    Bit("sideband_addressing_enable", 9, RW),
    Bits("calibration_cycle", 10, 3, access=RW),
    Bits("async_request_size", 13, 3, access=RW),
    Bits("request_queue_depth", 24, 8, add=1, access=RW),
)

SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "version" / VERSION,
    "reserved" / Int8ul,
    "status" / STATUS,
    "command" / COMMAND,
)


def rates(rate_bits: int, agp3: bool) -> list[int]:
    """Transfer rates (1, 2, 4 or, in AGP3 mode, 4, 8, 16) named by a 3-bit rate field."""
    shift = 2 if agp3 else 0
    return [1 << (bit + shift) for bit in range(3) if rate_bits & (1 << bit)]


def decode(ctx: DecodeContext) -> Container:
    """Decode AGP; rates are multipliers, reinterpreted when the device runs in AGP3 mode."""
    fields = ctx.parse(SCHEMA)
    agp3 = fields.version.major >= 3 and fields.status.agp3_mode
    fields["agp3"] = agp3
    fields["status_rates"] = rates(fields.status.rate, agp3)
    fields["command_rates"] = rates(fields.command.rate, agp3)
    return fields
