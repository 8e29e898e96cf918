"""RCEC Endpoint Association (pciutils cap_rcec).

lspci lists associated devices with ranges (``1, 3-5``); a run that reaches
device 31 loses its ``-31`` end, as in lspci.
"""
from __future__ import annotations

from ..context import RenderContext


def _devices(bitmap: int) -> str:
    text, run, previous, seen = "", 0, 0, False
    for device in range(32):
        if bitmap >> device & 1:
            if not run:
                text += f"{',' if seen else ''} {device}"
            run, previous, seen = run + 1, device, True
        else:
            if run > 1:
                text += f"-{previous}"
            run = 0
    return text


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv the RCiEP bitmap and (version 2) the bus range."""
    ctx.write("Root Complex Event Collector Endpoint Association\n")
    f = cap.fields
    if ctx.verbose < 2 or f is None or not cap.readable(0, 12):
        return
    bitmap = f.association_bitmap_for_rcieps
    if bitmap:
        ctx.write("\t\tRCiEPBitmap: RCiEP at Device(s):" + _devices(bitmap) + "\n")
    else:
        ctx.write("\t\tRCiEPBitmap: " + ("00000000 [none]" if ctx.verbose > 2 else "[none]") + "\n")
    buses = f.associated_bus_numbers
    if buses is None:
        return
    if buses.last_bus == 0 and buses.next_bus == 0xFF:
        ctx.write("\t\tAssociatedBusNumbers: " + ("ff-00 [none]" if ctx.verbose > 2 else "[none]") + "\n")
    else:
        ctx.write(f"\t\tAssociatedBusNumbers: {buses.next_bus:02x}-{buses.last_bus:02x}\n")
