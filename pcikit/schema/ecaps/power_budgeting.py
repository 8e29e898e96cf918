"""Power Budgeting extended capability (ID 0x0004, PCIe base spec 7.8.1).

Software writes an index to Data Select and reads the matching entry in the
Data register; the decoder shows the entry currently selected. Power in
milliwatts is Base Power times the Data Scale, with the alternative encodings
F0h-F2h (250, 275, 300 W) at scale 1.0x; F3h-FFh at that scale are reserved.
"""
from __future__ import annotations

from construct import Container, Int8ul, Int32ul, Padding, Struct

from ..attributes import HWINIT, RW
from ..bits import Bit, Bits, Register, whole
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Optional

DATA = Register(
    Int32ul,
    Bits("base_power", 0, 8),
    Bits("data_scale", 8, 2),
    Bits("pm_sub_state", 10, 3),
    Bits("pm_state", 13, 2),
    Bits("type", 15, 3),
    Bits("power_rail", 18, 3),
)

# PCIe 7.8.1.2-7.8.1.4: Data Select RW (reset 0), Data RO, System Allocated HwInit.
POWER_BUDGET_CAPABILITY = Register(Int8ul, Bit("system_allocated", 0, HWINIT))

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "data_select" / whole(Int8ul, RW),
    Padding(3),
    "data" / DATA,
    "power_budget_capability" / POWER_BUDGET_CAPABILITY,
    Padding(3),
)

SIZE = 0x10
SCALE_DIVISOR = (1, 10, 100, 1000)  # 1.0x, 0.1x, 0.01x, 0.001x
HIGH_POWER_WATTS = {0xF0: 250, 0xF1: 275, 0xF2: 300}
PM_STATES = ("D0", "D1", "D2", "D3")
TYPES = {
    0: "pme_aux", 1: "auxiliary", 2: "idle", 3: "sustained",
    4: "sustained_emergency_power_reduction", 5: "maximum_emergency_power_reduction", 7: "maximum",
}
POWER_RAILS = {0: "12v", 1: "3.3v", 2: "1.5v_or_1.8v", 7: "thermal"}


def power_mw(base: int, scale: int) -> Optional[int]:
    """The entry's power in mW, or None for the reserved encodings above 300 W."""
    if scale == 0 and base >= 0xF0:
        watts = HIGH_POWER_WATTS.get(base)
        return None if watts is None else watts * 1000
    return base * 1000 // SCALE_DIVISOR[scale]


def decode(ctx: DecodeContext) -> Container:
    """Decode Data Select, the selected Data entry and the capability register."""
    fields = parse_fixed(ctx, SCHEMA)
    data = fields.data
    data["power_mw"] = power_mw(data.base_power, data.data_scale)
    data["pm_state_name"] = PM_STATES[data.pm_state]
    data["type_name"] = TYPES.get(data.type)
    data["power_rail_name"] = POWER_RAILS.get(data.power_rail)
    fields["problems"] = [] if ctx.readable(0, SIZE) else ["registers run past the readable config space"]
    return fields
