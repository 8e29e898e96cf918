"""Slot Identification (pciutils cap_slotid)."""
from __future__ import annotations

from ..context import RenderContext, pm


def render(ctx: RenderContext, cap) -> None:
    """``Slot ID: N slots, First±, chassis CC``."""
    f = cap.fields
    slot = f.expansion_slot
    ctx.write(
        f"Slot ID: {slot.expansion_slots_provided} slots, First{pm(slot.first_in_chassis)}, "
        f"chassis {f.chassis_number:02x}\n"
    )
