"""TPH Requester (pciutils cap_tph): supported modes and where the steering table is."""
from __future__ import annotations

from ..context import RenderContext

LOCATIONS = (
    "No steering table available",
    "Steering table in TPH capability structure",
    "Steering table in MSI-X table",
    "Reserved steering table location",
)


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv the supported modes and the steering table location."""
    ctx.write("Transaction Processing Hints\n")
    f = cap.fields
    if ctx.verbose < 2 or f is None or not cap.readable(4, 4):
        return
    c = f.tph_requester_capability
    if c.interrupt_vector_mode_supported:
        ctx.write("\t\tInterrupt vector mode supported\n")
    if c.device_specific_mode_supported:
        ctx.write("\t\tDevice specific mode supported\n")
    if c.extended_tph_requester_supported:
        ctx.write("\t\tExtended requester support\n")
    ctx.write(f"\t\t{LOCATIONS[c.st_table_location]}\n")
