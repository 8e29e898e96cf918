"""MMIO Register Block Locator extended capability (ID 0x0036, PCIe base spec 6.1 7.9.27).

MRBL Structure Length (Capabilities bits 11:0) is the length of the whole
structure in bytes; the locators (8 bytes: BIR, Block ID, 64-bit offset) fill
it from +0x08. Locators are bounded by that length and the readable config size.
"""
from __future__ import annotations

from construct import Container, Int32ul, Struct

from ..attributes import HWINIT
from ..bits import Bits, Register, whole
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

# PCIe 6.1 7.9.27: every MRBL register is HwInit.
MRBL_CAPABILITIES = Register(Int32ul, Bits("mrbl_structure_length", 0, 12, access=HWINIT))

MRBL_LOCATOR_LOW = Register(
    Int32ul,
    Bits("mrbl_locator_bir", 0, 3, access=HWINIT),
    Bits("mrbl_locator_block_id", 8, 8, access=HWINIT),
    Bits("mrbl_locator_offset_low", 16, 16, shift=16, access=HWINIT),
)

LOCATOR = Struct("low" / MRBL_LOCATOR_LOW, "mrbl_locator_offset_high" / whole(Int32ul, HWINIT))

SCHEMA = Struct("header" / EXTENDED_HEADER, "mrbl_capabilities" / MRBL_CAPABILITIES)

LOCATORS_OFFSET = 0x08
LOCATOR_SIZE = 8
BLOCK_IDS = {0x00: "empty", 0x01: "mmio_capabilities", 0xFF: "designated_vendor_specific"}


def _locators(ctx: DecodeContext, length: int, problems: list[str]) -> list[Container]:
    locators = []
    for index in range(max(0, (length - LOCATORS_OFFSET) // LOCATOR_SIZE)):
        relative = LOCATORS_OFFSET + index * LOCATOR_SIZE
        if not ctx.readable(relative, LOCATOR_SIZE):
            problems.append(f"locator {index} at +0x{relative:x} is not readable")
            break
        locator = ctx.parse(LOCATOR, relative)
        locator["block_name"] = BLOCK_IDS.get(locator.low.mrbl_locator_block_id)
        locator["offset"] = (locator.mrbl_locator_offset_high << 32) | locator.low.mrbl_locator_offset_low
        locators.append(locator)
    return locators


def decode(ctx: DecodeContext) -> Container:
    """Decode the capabilities register and every locator the structure length covers."""
    fields = parse_fixed(ctx, SCHEMA)
    problems: list[str] = []
    length = fields.mrbl_capabilities.mrbl_structure_length
    if not ctx.readable(0, LOCATORS_OFFSET):
        problems.append("MRBL Capabilities register is not readable")
        length = 0
    elif length % LOCATOR_SIZE or length < LOCATORS_OFFSET:
        problems.append(f"MRBL Structure Length {length} is not a whole number of 8-byte locators past the header")
    fields["locators"] = _locators(ctx, length, problems)
    # A length below one locator cannot be right; readers that walk on anyway (lspci wraps its
    # count) see every whole locator up to the end of the readable config space.
    fields["locators_to_end"] = _locators(ctx, ctx.size - ctx.offset, []) if length < LOCATORS_OFFSET else None
    fields["problems"] = problems
    return fields
