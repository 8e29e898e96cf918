"""Root Complex Link Declaration (pciutils cap_rclink)."""
from __future__ import annotations

from ..context import RenderContext, flag

ELEMENT_TYPES = ("Config", "Egress", "Internal")


def _link(ctx: RenderContext, link) -> None:
    desc = link.link_description
    ctx.write(
        f"Desc:\tTargetPort={desc.target_port_number:02x} TargetComponent={desc.target_component_id:02x} "
        f"AssocRCRB{flag(desc.associate_rcrb_header)} LinkType={'Config' if desc.link_type else 'MemMapped'} "
        f"LinkValid{flag(desc.link_valid)}\n"
    )
    low, high = link.link_address & 0xFFFFFFFF, link.link_address >> 32
    where = link.config_address
    if where is not None:
        ctx.write(f"\t\t\tAddr:\t{where.bus:02x}:{where.device:02x}.{where.function}  CfgSpace={high:08x}{low:08x}\n")
    else:
        ctx.write(f"\t\t\tAddr:\t{high:08x}{low:08x}\n")


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv the self description and each link entry."""
    ctx.write("Root Complex Link\n")
    f = cap.fields
    if ctx.verbose < 2 or f is None or not cap.readable(4, 12):
        return
    esd = f.element_self_description
    kind = esd.raw & 0xFF  # lspci takes the reserved bits 7:4 along
    name = ELEMENT_TYPES[kind] if kind < len(ELEMENT_TYPES) else f"??{kind}"
    ctx.write(f"\t\tDesc:\tPortNumber={esd.port_number:02x} ComponentID={esd.component_id:02x} EltType={name}\n")
    for index in range(esd.number_of_link_entries):
        ctx.write(f"\t\tLink{index}:\t")
        if index >= len(f.link_entries):
            ctx.write("<unreadable>\n")
            return
        _link(ctx, f.link_entries[index])
