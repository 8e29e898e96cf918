"""Debug Port (pciutils cap_debug_port)."""
from __future__ import annotations

from ..context import RenderContext


def render(ctx: RenderContext, cap) -> None:
    """``Debug port: BAR=N offset=OOOO``."""
    port = cap.fields.debug_port
    ctx.write(f"Debug port: BAR={port.bar_number} offset={port.offset:04x}\n")
