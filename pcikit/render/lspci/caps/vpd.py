"""Vital Product Data (pciutils cap_vpd in ls-vpd.c)."""
from __future__ import annotations

from ..context import RenderContext, c_char

_ENDINGS = {"end_tag": "\t\tEnd\n", "not_readable": "\t\tNot readable\n", "no_end_tag": "\t\tNo end tag found\n"}


def vpd_string(value: bytes) -> str:
    """lspci's escaping: backslashes doubled, control bytes as \\xNN, a final NUL dropped."""
    out = []
    last = len(value) - 1
    for index, byte in enumerate(value):
        if byte == 0x5C:
            out.append("\\\\")
        elif byte == 0 and index == last:
            continue
        elif byte < 32 or byte == 127:
            out.append(f"\\x{byte:02x}")
        else:
            out.append(c_char(byte))  # bytes past ASCII print raw, as lspci's putchar()
    return "".join(out)


def _item_text(item) -> str:
    if item.format == "text":
        return vpd_string(item.value)
    if item.format == "binary":
        return " ".join(f"{byte:02x}" for byte in item.value)
    if item.format == "checksum":
        return f"checksum {'good' if item.checksum_valid else 'bad'}, {item.reserved_length} byte(s) reserved"
    return f"{item.free_length} byte(s) free"


def _resource(ctx: RenderContext, resource) -> None:
    if resource.kind == "identifier_string":
        ctx.write(f"\t\tProduct Name: {vpd_string(resource.value)}\n")
    elif resource.kind in ("vpd_r", "vpd_w"):
        ctx.write("\t\tRead-only fields:\n" if resource.kind == "vpd_r" else "\t\tRead/write fields:\n")
        for item in resource.keywords:
            ctx.write(f"\t\t\t[{vpd_string(item.keyword_raw)}] {item.name}: {_item_text(item)}\n")
    else:
        size = "large" if resource.large else "small"
        ctx.write(f"\t\tUnknown {size} resource type {resource.tag:02x}, will not decode more.\n")


def render(ctx: RenderContext, cap) -> None:
    """``Vital Product Data`` and, with -vv, the resources (``Not readable`` from dumps)."""
    ctx.write("Vital Product Data\n")
    if ctx.verbose < 2:
        return
    vpd = cap.fields.vpd
    for resource in vpd.resources:
        _resource(ctx, resource)
    ctx.write(_ENDINGS.get(vpd.ended, ""))
