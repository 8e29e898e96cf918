"""Designated Vendor-Specific (pciutils cap_dvsec): the headers, then CXL structures."""
from __future__ import annotations

from ..context import RenderContext
from . import cxl

CXL_VENDOR_ID = 0x1E98
MIN_CXL_LENGTH = 16


def render(ctx: RenderContext, cap) -> None:
    """``Designated Vendor-Specific: Vendor=.. ID=.. Rev=.. Len=..`` and ``: CXL`` details."""
    ctx.write("Designated Vendor-Specific: ")
    f = cap.fields
    if f is None or not cap.readable(4, 8):
        ctx.write("<unreadable>\n")
        return
    length = f.dvsec_length
    ctx.write(f"Vendor={f.dvsec_vendor_id:04x} ID={f.dvsec_id:04x} Rev={f.dvsec_revision} Len={length}")
    if f.dvsec_vendor_id != CXL_VENDOR_ID or length < MIN_CXL_LENGTH:
        ctx.write(" <?>\n")
        return
    ctx.write(": CXL\n")
    if ctx.verbose < 2 or not cap.readable(0, length):
        return
    cxl.render_body(ctx, f.dvsec_id, f.dvsec_revision, length, f.cxl)
