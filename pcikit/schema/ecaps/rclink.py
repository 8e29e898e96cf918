"""Root Complex Link Declaration extended capability (ID 0x0005, PCIe base spec 7.9.8).

The Element Self Description is followed (at +0x10) by Number of Link Entries
link entries of 16 bytes: Link Description, reserved dword, 64-bit Link
Address. A configuration-space Link Address carries the target's bus, device
and function, with ``n`` (bits 2:0, 0 meaning 8) bus-number bits. Entries are
bounded by the readable config size.
"""
from __future__ import annotations

from construct import Array, Container, Int32ul, Int64ul, Padding, Struct, this

from ..attributes import HWINIT
from ..bits import Bit, Bits, Register, whole
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

# PCIe 7.9.8.2-7.9.8.4: every field is HwInit (Element Type RO).
ELEMENT_SELF_DESCRIPTION = Register(
    Int32ul,
    Bits("element_type", 0, 4),
    Bits("number_of_link_entries", 8, 8, access=HWINIT),
    Bits("component_id", 16, 8, access=HWINIT),
    Bits("port_number", 24, 8, access=HWINIT),
)

LINK_DESCRIPTION = Register(
    Int32ul,
    Bit("link_valid", 0, HWINIT),
    Bit("link_type", 1, HWINIT),
    Bit("associate_rcrb_header", 2, HWINIT),
    Bits("target_component_id", 16, 8, access=HWINIT),
    Bits("target_port_number", 24, 8, access=HWINIT),
)

LINK_ENTRY = Struct(
    "link_description" / LINK_DESCRIPTION,
    Padding(4),
    "link_address" / whole(Int64ul, HWINIT),
)

HEAD = Struct(
    "header" / EXTENDED_HEADER,
    "element_self_description" / ELEMENT_SELF_DESCRIPTION,
    Padding(8),
)

SCHEMA = Struct(
    *HEAD.subcons,
    "link_entries" / Array(this.element_self_description.number_of_link_entries, LINK_ENTRY),
)

HEAD_SIZE = 0x10
LINK_ENTRY_SIZE = 16
ELEMENT_TYPES = {
    0: "configuration_space_element",
    1: "system_egress_port_or_internal_sink",
    2: "internal_root_complex_link",
}


def config_address(address: int) -> Container:
    """The fields of a configuration-space Link Address."""
    n = address & 7 or 8
    return Container(
        n=n,
        function=(address >> 12) & 7,
        device=(address >> 15) & 0x1F,
        bus=(address >> 20) & ((1 << n) - 1),
        base_address=address & ~((1 << (20 + n)) - 1),
    )


def _links(ctx: DecodeContext, count: int, problems: list[str]) -> list[Container]:
    links = []
    for index in range(count):
        relative = HEAD_SIZE + index * LINK_ENTRY_SIZE
        if not ctx.readable(relative, LINK_ENTRY_SIZE):
            problems.append(f"link entry {index} at +0x{relative:x} is not readable ({count} declared)")
            break
        link = ctx.parse(LINK_ENTRY, relative)
        link["config_address"] = config_address(link.link_address) if link.link_description.link_type else None
        links.append(link)
    return links


def decode(ctx: DecodeContext) -> Container:
    """Decode the self description and every readable link entry."""
    fields = parse_fixed(ctx, HEAD)
    problems: list[str] = []
    esd = fields.element_self_description
    fields["element_type_name"] = ELEMENT_TYPES.get(esd.element_type)
    if ctx.readable(0, HEAD_SIZE):
        fields["link_entries"] = _links(ctx, esd.number_of_link_entries, problems)
    else:
        problems.append("element self description runs past the readable config space")
        fields["link_entries"] = []
    fields["problems"] = problems
    return fields
