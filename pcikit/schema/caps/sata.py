"""SATA Data/Index Configuration capability (ID 0x12, AHCI): where the Index-Data Pair lives."""
from __future__ import annotations

from construct import Container, If, Int8ul, Int32ul, Struct, this

from ..attributes import RW
from ..bits import Bits, Register, Scalar
from ..context import DecodeContext

BAR_LOCATION_CONFIG_SPACE = 0xF

# AHCI 1.3.1 section 2.4: SATACR0 and SATACR1 are RO. With the Index-Data Pair in config space,
# the Index register's bits 9:2 (the dword index into the HBA's registers) are RW; the Data
# register reaches the indexed HBA register, which the mock does not model (RO here).
REVISION = Register(Int8ul, Bits("minor", 0, 4), Bits("major", 4, 4))

SATA_CAPABILITY_1 = Register(Int32ul, Bits("bar_location", 0, 4), Bits("bar_offset_raw", 4, 20))

INDEX = Scalar(Int32ul, Bits("index", 2, 8, access=RW))

SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "revision" / REVISION,
    "reserved" / Int8ul,
    "sata_capability_1" / SATA_CAPABILITY_1,
    "index" / If(this.sata_capability_1.bar_location == BAR_LOCATION_CONFIG_SPACE, INDEX),
    "data" / If(this.sata_capability_1.bar_location == BAR_LOCATION_CONFIG_SPACE, Int32ul),
)


def decode(ctx: DecodeContext) -> Container:
    """Decode SATACR0/1; ``bar`` is the BAR index (0-5) or None, ``bar_offset`` in bytes."""
    fields = ctx.parse(SCHEMA)
    location = fields.sata_capability_1.bar_location
    fields["in_config_space"] = location == BAR_LOCATION_CONFIG_SPACE
    fields["bar"] = location - 4 if 4 <= location <= 9 else None
    fields["bar_offset"] = fields.sata_capability_1.bar_offset_raw * 4
    return fields
