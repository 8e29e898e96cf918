"""Physical Layer 16.0 GT/s (lspci 3.14; see phy.py)."""
from __future__ import annotations

from ..context import RenderContext
from .phy import render_rate


def render(ctx: RenderContext, cap) -> None:
    """Name line and, with -vv, the 16.0 GT/s registers lspci decodes."""
    render_rate(ctx, cap, "16")
