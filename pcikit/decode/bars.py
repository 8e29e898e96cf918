"""Base Address Registers: merge 64-bit pairs, attach kernel-reported sizes."""
from __future__ import annotations

from ..access.base import KernelInfo, Resource
from ..schema.bars import IO_ADDRESS_MASK, MEMORY_ADDRESS_MASK, PREFETCHABLE, is_64bit, is_io, memory_type, pair

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Optional

IORESOURCE_IO = 0x100
IORESOURCE_MEM = 0x200
IORESOURCE_PREFETCH = 0x2000
IORESOURCE_MEM_64 = 0x100000


def _resource(kernel: Optional[KernelInfo], index: int) -> Optional[Resource]:
    if kernel is None or index >= len(kernel.resources):
        return None
    res = kernel.resources[index]
    return res if res.flags or res.end else None


def decode_bars(registers: list[int], kernel: Optional[KernelInfo]) -> tuple[list, list[str]]:
    """Return (bars, problems) for the raw BAR dwords of one header."""
    from ..model import Bar

    bars: list[Bar] = []
    problems: list[str] = []
    index = 0
    while index < len(registers):
        raw = registers[index]
        res = _resource(kernel, index)
        step = 1
        if raw in (0, 0xFFFFFFFF) and res is None:
            index += 1
            continue
        size = res.size if res is not None and res.size else None
        if is_io(raw):
            address = res.start if res is not None else raw & IO_ADDRESS_MASK
            bars.append(Bar(index, "io", address, 32, False, size, raw))
        else:
            address = raw & MEMORY_ADDRESS_MASK
            paired = pair(registers, index)
            bits = 64 if is_64bit(raw) else 32
            if paired.upper is not None:
                address |= paired.upper << 32
                step = paired.registers
            elif bits == 64:
                problems.append(f"BAR {index}: 64-bit BAR in the last BAR slot")
            if res is not None:
                address = res.start
            bars.append(Bar(index, "memory", address, bits, bool(raw & PREFETCHABLE), size, raw, memory_type(raw)))
        index += step
    return bars, problems
