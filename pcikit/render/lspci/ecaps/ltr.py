"""Latency Tolerance Reporting (pciutils cap_ltr)."""
from __future__ import annotations

from ..context import RenderContext


def lspci_latency_ns(value: int, scale: int) -> int:
    """value * 2^(5 * scale) as lspci computes it: a 32-bit shift, whose count x86 takes mod 32."""
    return value * ((1 << ((5 * scale) & 31)) & 0xFFFFFFFF)


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv the maximum snoop and no-snoop latencies in ns."""
    ctx.write("Latency Tolerance Reporting\n")
    f = cap.fields
    if ctx.verbose < 2 or not cap.readable(0x04, 4):
        return
    snoop, no_snoop = f.max_snoop_latency, f.max_no_snoop_latency
    ctx.write(f"\t\tMax snoop latency: {lspci_latency_ns(snoop.value, snoop.scale)}ns\n")
    ctx.write(f"\t\tMax no snoop latency: {lspci_latency_ns(no_snoop.value, no_snoop.scale)}ns\n")
