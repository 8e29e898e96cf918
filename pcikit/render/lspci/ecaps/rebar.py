"""(VF) Resizable BAR (pciutils cap_rebar): one line per declared BAR."""
from __future__ import annotations

from ..context import RenderContext

UNITS = ("MB", "GB", "TB", "PB", "EB")
LARGEST = 43  # 2^63 bytes
VF_REBAR = 0x24


def size_text(log2_megabytes: int) -> str:
    """`` 256MB``, `` 8GB``...; `` <unknown>`` past 2^63 bytes."""
    if not 0 <= log2_megabytes <= LARGEST:
        return " <unknown>"
    unit, power = divmod(log2_megabytes, 10)
    return f" {1 << power}{UNITS[unit]}"


def _entry(entry) -> str:
    control = entry.resizable_bar_control
    text = f"\t\tBAR {control.bar_index}: current size:" + size_text(control.bar_size)
    sizes = entry.resizable_bar_capability.supported_sizes
    extended = control.extended_supported_sizes
    if sizes or extended:
        mask = sizes | extended << 28
        text += ", supported:" + "".join(size_text(bit) for bit in range(44) if mask >> bit & 1)
    return text + "\n"


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv each BAR's current and supported sizes."""
    ctx.write(("Virtual" if cap.cap_id == VF_REBAR else "Physical") + " Resizable BAR\n")
    f = cap.fields
    if ctx.verbose < 2 or f is None:
        return
    entries = f.entries
    count = f.number_of_resizable_bars
    if count is not None and not 1 <= count <= 6:
        ctx.write(f"\t\t<error in resizable BAR: num_bars={count} is out of specification>\n")
        return
    for index in range(count or 1):
        if index >= len(entries):
            ctx.write("\t\t<unreadable>\n")
            return
        ctx.write(_entry(entries[index]))
