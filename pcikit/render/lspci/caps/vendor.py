"""Vendor Specific Information (pciutils ls-caps-vendor.c: virtio decoded)."""
from __future__ import annotations

from ..context import RenderContext

_VIRTIO_NAMES = {1: "CommonCfg", 2: "Notify", 3: "ISR", 4: "DeviceCfg"}


def render(ctx: RenderContext, cap) -> None:
    """Virtio structures as ``VirtIO: <kind>``; others ``Len=xx <?>``."""
    f = cap.fields
    ctx.write("Vendor Specific Information: ")
    if f.kind != "virtio":
        ctx.write(f"Len={f.length:02x} <?>\n")
        return
    ctx.write(f"VirtIO: {_VIRTIO_NAMES.get(f.cfg_type, '<unknown>')}\n")
    if ctx.verbose < 2:
        return
    text = f"\t\tBAR={f.bar} offset={f.offset:08x} size={f.region_length:08x}"
    if f.cfg_type == 2 and f.length >= 20:
        text += f" multiplier={f.notify_off_multiplier:08x}"
    ctx.write(text + "\n")
