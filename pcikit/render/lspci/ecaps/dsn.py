"""Device Serial Number (pciutils cap_dsn): nothing at all when the serial is unreadable."""
from __future__ import annotations

from ..context import RenderContext


def render(ctx: RenderContext, cap) -> None:
    """``Device Serial Number`` and the eight bytes, most significant first."""
    f = cap.fields
    if not cap.readable(0x04, 8):
        return
    octets = f.serial_number.to_bytes(8, "big")
    ctx.write("Device Serial Number " + "-".join(f"{b:02x}" for b in octets) + "\n")
