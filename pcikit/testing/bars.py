"""Which BARs a mock implements, and the masks that make BAR sizing work.

A BAR's writable bits are its address bits above the size; the type bits and
the bits below the size read back as they are. Writing all ones therefore reads
back ``~(size - 1) | type bits``, and a 64-bit BAR's upper dword takes the upper
half of ``~(size - 1)`` — the sizing software performs, with no special case.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

from ..schema import header as header_schema
from ..schema.bars import IO_ADDRESS_MASK, MEMORY_ADDRESS_MASK, PREFETCHABLE, is_64bit, is_io, pair
from ..schema.bits import Placed
from .registers import BODY, bit

BAR_COUNT = {0: 6, 1: 2, 2: 0}
ROM_OFFSET = {kind: BODY[kind]["expansion_rom"] for kind in (0, 1)}
ROM_INDEX = 6  # as in sysfs ``resource``: lines 0-5 BARs, line 6 the expansion ROM
ROM_ADDRESS, ROM_ENABLE = bit(header_schema.ROM, "address"), bit(header_schema.ROM, "enable")
_ROM_MIN = ROM_ADDRESS & -ROM_ADDRESS  # the lowest address bit: 2 KiB
_IO_MAX = 1 << 16  # PCI I/O space is 64 KiB; some devices (AC97) have I/O BARs above 256 bytes
_MEMORY32_MAX = 1 << 31


@dataclass(frozen=True)
class BarPlan:
    """One implemented BAR: where it is, what it decodes, how big it is (None: unknown)."""

    index: int
    space: str  # "memory" or "io"
    bits: int  # 32 or 64
    prefetchable: bool
    size: Optional[int]
    base: int = BODY[0]["bars"]  # config offset of BAR 0 of this BAR array (the header's, or SR-IOV's VF BAR0)

    @property
    def offset(self) -> int:
        """Config offset of the (lower) BAR register."""
        return self.base + 4 * self.index

    def registers(self) -> list[Placed]:
        """Masks of this BAR's register(s): the address bits are RW (reset 0); an unsized BAR stays read-only."""
        if self.size is None:
            return [Placed(self.offset, 4)]
        address_bits = ~(self.size - 1) & ((1 << self.bits) - 1)
        low = address_bits & (IO_ADDRESS_MASK if self.space == "io" else MEMORY_ADDRESS_MASK) & 0xFFFFFFFF
        registers = [Placed(self.offset, 4, writable=low, reset_mask=low)]
        if self.bits == 64:
            registers.append(Placed(self.offset + 4, 4, writable=address_bits >> 32, reset_mask=address_bits >> 32))
        return registers


def check_size(size: int, space: str, bits: int, what: str) -> None:
    """Raise ValueError unless ``size`` is a size a BAR of this kind can have."""
    minimum = 4 if space == "io" else 16
    maximum = _IO_MAX if space == "io" else (_MEMORY32_MAX if bits == 32 else 1 << 63)
    if size < minimum or size & (size - 1) or size > maximum:
        raise ValueError(
            f"{what}: size {size:#x} is not a power of two between {minimum:#x} and {maximum:#x} "
            f"for a {bits}-bit {space} BAR"
        )


def plan_bars(image: bytes, header_type: int, sizes: Mapping[int, int]) -> tuple[list[BarPlan], list[str]]:
    """The BARs of ``image`` (types from the image, sizes from ``sizes``) and problems found."""
    return plan_bar_array(image, BODY[0]["bars"], BAR_COUNT.get(header_type, 0), sizes, "BAR", {ROM_INDEX})


def plan_bar_array(
    image: bytes, base: int, count: int, sizes: Mapping[int, int], what: str, others: set[int] = frozenset(),
    memory_only: bool = False,
) -> tuple[list[BarPlan], list[str]]:
    """The BARs of the ``count`` BAR registers at ``base`` (header BARs, SR-IOV VF BARs).

    Types come from the registers, sizes from ``sizes``; a 64-bit BAR takes the next
    register as its upper half. ``others`` are keys of ``sizes`` that are not BARs here;
    ``memory_only`` arrays (VF BARs) have no I/O BARs.
    """
    plans: list[BarPlan] = []
    problems: list[str] = []
    dwords = [int.from_bytes(image[base + 4 * i : base + 4 * i + 4], "little") for i in range(count)]
    index = 0
    while index < count:
        paired = pair(dwords, index, memory_only)
        raw, size = paired.raw, sizes.get(index)
        if raw == 0 and size is None:
            index += 1
            continue
        if is_io(raw) and not memory_only:
            plan = BarPlan(index, "io", 32, False, size, base)
        else:
            if is_64bit(raw, memory_only) and paired.upper is None:
                problems.append(f"{what} {index}: 64-bit BAR in the last BAR slot; treated as 32-bit")
            plan = BarPlan(index, "memory", 32 * paired.registers, bool(raw & PREFETCHABLE), size, base)
        if size is not None:
            check_size(size, plan.space, plan.bits, f"{what} {index}")
        elif raw:
            problems.append(f"{what} {index}: no size given; register is read-only")
        plans.append(plan)
        if plan.bits == 64 and index + 1 in sizes:
            raise ValueError(f"{what} {index + 1} is the upper half of 64-bit {what} {index}: it has no size of its own")
        index += paired.registers
    extra = sorted(set(sizes) - {p.index for p in plans} - set(others))
    if extra:
        raise ValueError(f"sizes name {what}(s) {extra} that this function does not have")
    return plans, problems


def rom_registers(header_type: int, size: Optional[int]) -> list[Placed]:
    """Masks of the Expansion ROM BAR: address bits above the size and the enable bit."""
    offset = ROM_OFFSET.get(header_type)
    if offset is None:
        return []
    if size is None:
        return [Placed(offset, 4)]
    if size < _ROM_MIN or size & (size - 1) or size > 1 << 24:
        raise ValueError(f"expansion ROM size {size:#x} is not a power of two from 2 KiB to 16 MiB")
    writable = (~(size - 1) & ROM_ADDRESS) | ROM_ENABLE
    return [Placed(offset, 4, writable=writable, reset_mask=writable)]
