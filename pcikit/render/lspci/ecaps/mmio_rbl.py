"""MMIO Register Block Locator (pciutils cap_mmio_rbl, lspci 3.14 as built from 0f5b941)."""
from __future__ import annotations

from ..context import RenderContext

_BLOCK_IDS = {0x00: "Empty", 0x01: "MCAP", 0xFF: "MDVS"}
_LOCATORS = 0x08
_LOCATOR_SIZE = 8


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv one line per locator the structure length covers."""
    ctx.write("MMIO Register Block Locator\n")
    if ctx.verbose < 2:
        return
    if not cap.readable(0x04, 0x0C):
        ctx.write("\t\t<unreadable>\n")
        return
    f = cap.fields
    length = f.mrbl_capabilities.mrbl_structure_length
    if not cap.readable(_LOCATORS, length):
        ctx.write("\t\t<unreadable>\n")
        return
    if f.locators_to_end is not None:  # lspci's unsigned count wraps: it walks to the end of config space
        locators, complete = f.locators_to_end, False
    else:
        locators = f.locators[: max(0, length // _LOCATOR_SIZE - 1)]
        complete = len(locators) == max(0, length // _LOCATOR_SIZE - 1)
    for index, locator in enumerate(locators):
        low = locator.low
        name = _BLOCK_IDS.get(low.mrbl_locator_block_id, f"Reserved ({low.mrbl_locator_block_id})")
        ctx.write(
            f"\t\tLocator{index}: BIR: BAR{low.mrbl_locator_bir}, ID: {name}, offset: {locator.offset:016x}\n"
        )
    if not complete:
        ctx.write("\t\t<unreadable>\n")
