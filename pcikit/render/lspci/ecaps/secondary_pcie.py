"""Secondary PCI Express (pciutils 3.9 cap_sec): Link Control 3 and lanes 0-15 of Lane Error Status.

lspci 3.9.0 reads Lane Error Status as a 16-bit word and prints nothing of the
Lane Equalization Control array.
"""
from __future__ import annotations

from ..context import RenderContext, pm

LSPCI_LANE_ERROR_LANES = 16


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv LnkCtl3 and LaneErrStat."""
    ctx.write("Secondary PCI Express\n")
    f = cap.fields
    if ctx.verbose < 2 or not cap.readable(0x04, 12):
        return
    c = f.link_control_3
    ctx.write(
        f"\t\tLnkCtl3: LnkEquIntrruptEn{pm(c.link_equalization_request_interrupt_enable)} "
        f"PerformEqu{pm(c.perform_equalization)}\n"
    )
    status = f.lane_error_status.raw
    lanes = [str(lane) for lane in range(LSPCI_LANE_ERROR_LANES) if status >> lane & 1]
    ctx.write("\t\tLaneErrStat: " + ("LaneErr at lane: " + " ".join(lanes) if lanes else "0") + "\n")
