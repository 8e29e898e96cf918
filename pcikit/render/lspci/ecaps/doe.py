"""Data Object Exchange (pciutils cap_doe).

pciutils before 3.11 tests the Error flag with mask 0x3 (Busy or Interrupt Status),
not the spec's bit 2; each dialect follows its release.
"""
from __future__ import annotations

from ..context import RenderContext, flag
from ..dialect import V3_11

ERROR_MASK_3_9 = 0x3


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv DOECap, DOECtl and DOESta."""
    ctx.write("Data Object Exchange\n")
    f = cap.fields
    if ctx.verbose < 2 or f is None:
        return
    if not cap.readable(4, 0x14):
        ctx.write("\t\t<unreadable>\n")
        return
    c = f.doe_capabilities
    ctx.write(f"\t\tDOECap: IntSup{flag(c.doe_interrupt_support)}\n")
    if c.doe_interrupt_support:
        number = c.doe_interrupt_message_number
        text = f"IntMsgNum {number}" if ctx.dialect >= V3_11 else f"Interrupt Message Number {number:03x}"
        ctx.write(f"\t\t\t{text}\n")
    ctx.write(f"\t\tDOECtl: IntEn{flag(f.doe_control.doe_interrupt_enable)}\n")
    s = f.doe_status
    ctx.write(
        f"\t\tDOESta: Busy{flag(s.doe_busy)} IntSta{flag(s.doe_interrupt_status)} "
        f"Error{flag(s.doe_error) if ctx.dialect >= V3_11 else flag(s.raw, ERROR_MASK_3_9)} "
        f"ObjectReady{flag(s.data_object_ready)}\n"
    )
