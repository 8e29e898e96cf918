"""Per-lane register arrays (Physical Layer 16/32/64 GT/s, Lane Margining at the Receiver).

These arrays have one entry per lane of the Maximum Link Width, which lives in
the PCI Express capability's Link Capabilities register. Entries are bounded by
that width, by 32 lanes and by the readable config size.
"""
from __future__ import annotations

from functools import lru_cache

from construct import Array, Construct, Container, Struct

from ..bits import Register
from ..context import DecodeContext
from . import parse_fixed

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Any, Callable, Optional

MAX_LANES = 32


def per_lane(
    ctx: DecodeContext, start: int, stride: int, decode_lane: Callable[[int], Any], what: str, problems: list[str]
) -> tuple[Optional[int], list[Any]]:
    """(Maximum Link Width, decoded entries); ``decode_lane`` gets each entry's offset."""
    width = ctx.max_link_width
    if width is not None and width > MAX_LANES:
        problems.append(f"Maximum Link Width {width} exceeds {MAX_LANES} lanes; {what} limited to {MAX_LANES}")
    entries = []
    for lane in range(min(width or 0, MAX_LANES)):
        relative = start + lane * stride
        if not ctx.readable(relative, stride):
            problems.append(f"{what} truncated after {lane} of {width} lanes")
            break
        entries.append(decode_lane(relative))
    return width, entries


@lru_cache(maxsize=None)
def with_lanes(schema: Construct, key: str, lane: Construct) -> Construct:
    """``schema`` followed by the decoded list ``key`` of ``lane`` entries: what the register catalogue walks.

    Only the catalogue walks it (its list length comes from the decoded fields); the fixed part
    must end where the lanes start.
    """
    return Struct(*schema.subcons, key / Array(MAX_LANES, lane))


def decode_with_equalization(
    ctx: DecodeContext, schema: Construct, lanes_offset: int, lane_register: Register, rate: str
) -> Container:
    """A Physical Layer capability: its fixed registers, then one equalization byte per lane."""
    fields = parse_fixed(ctx, schema)
    problems: list[str] = []
    if not ctx.readable(0, lanes_offset):
        problems.append("registers run past the readable config space")
    width, lanes = per_lane(
        ctx, lanes_offset, 1, lambda rel: lane_register.decode(ctx.u8(rel)),
        f"{rate} Lane Equalization Control", problems,
    )
    fields["max_link_width"] = width
    fields["lane_equalization_control"] = lanes
    fields["problems"] = problems
    return fields
