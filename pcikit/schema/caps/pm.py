"""Power Management capability (ID 0x01)."""
from __future__ import annotations

from construct import Container, Int8ul, Int16ul, Struct

from ..attributes import RW, RW1CS, RWS, has
from ..bits import Bit, Bits, Register
from ..context import DecodeContext

PMC = Register(
    Int16ul,
    Bits("version", 0, 3),
    Bit("pme_clock", 3),
    Bit("immediate_readiness_on_return_to_d0", 4),
    Bit("dsi", 5),
    Bits("aux_current", 6, 3),
    Bit("d1_support", 9),
    Bit("d2_support", 10),
    Bit("pme_support_d0", 11),
    Bit("pme_support_d1", 12),
    Bit("pme_support_d2", 13),
    Bit("pme_support_d3hot", 14),
    Bit("pme_support_d3cold", 15),
)

# PME_En and PME_Status exist (sticky: they survive a soft reset) when the function can send PME.
_PME = has(*(f"pmc.pme_support_{state}" for state in ("d0", "d1", "d2", "d3hot", "d3cold")))

PMCSR = Register(
    Int16ul,
    Bits("power_state", 0, 2, access=RW),
    Bit("no_soft_reset", 3),
    Bit("pme_enable", 8, RWS, when=_PME),
    Bits("data_select", 9, 4),
    Bits("data_scale", 13, 2),
    Bit("pme_status", 15, RW1CS, when=_PME),
)

PMCSR_BSE = Register(Int8ul, Bit("b2_b3", 6), Bit("bpcc_enable", 7))

SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "pmc" / PMC,
    "pmcsr" / PMCSR,
    "pmcsr_bse" / PMCSR_BSE,
    "data" / Int8ul,
)

AUX_CURRENT_MA = (0, 55, 100, 160, 220, 270, 320, 375)


def decode(ctx: DecodeContext) -> Container:
    """Decode PMC, PMCSR and the bridge extensions."""
    fields = ctx.parse(SCHEMA)
    fields["aux_current_ma"] = AUX_CURRENT_MA[fields.pmc.aux_current]
    return fields
