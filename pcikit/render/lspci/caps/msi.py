"""MSI (pciutils cap_msi)."""
from __future__ import annotations

from ..context import RenderContext, pm


def render(ctx: RenderContext, cap) -> None:
    """``MSI: Enable± Count=E/C Maskable± 64bit±`` and address/data/masking lines."""
    f = cap.fields
    mc = f.message_control
    ctx.write(
        f"MSI: Enable{pm(mc.enable)} Count={f.multiple_message_enable}/{f.multiple_message_capable} "
        f"Maskable{pm(mc.per_vector_masking)} 64bit{pm(mc.address_64bit)}\n"
    )
    if ctx.verbose < 2:
        return
    is64 = mc.address_64bit
    if not cap.readable(4, (0x0C if is64 else 0x08) + 2 - 4):
        return
    upper = f"{f.message_upper_address:08x}" if is64 else ""
    ctx.write(f"\t\tAddress: {upper}{f.message_address:08x}  Data: {f.message_data:04x}\n")
    if mc.per_vector_masking:
        if not cap.readable(0x10 if is64 else 0x0C, 8):
            return
        ctx.write(f"\t\tMasking: {f.mask_bits:08x}  Pending: {f.pending_bits:08x}\n")
