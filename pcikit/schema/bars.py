"""Base Address Register encodings (PCIe Base 6.0, 7.5.1.2.1), shared by the header's BARs and SR-IOV's VF BARs.

Bit 0 selects I/O space; for memory, bits 2:1 are the type (2: 64-bit, the next register holds
the upper half) and bit 3 Prefetchable. :func:`pair` is the one place that pairs a 64-bit BAR
with its upper half. SR-IOV VF BARs are memory BARs whose bit 0 is hardwired to 0 (9.3.3.14):
with ``memory_only`` their type bits alone decide, as lspci reads them.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import NamedTuple, Optional
else:
    from ..tuples import NamedTuple

IO_SPACE = 0x1
PREFETCHABLE = 0x8
MEMORY_TYPE_64 = 2
IO_ADDRESS_MASK = ~0x3
MEMORY_ADDRESS_MASK = ~0xF


def memory_type(raw: int) -> int:
    """Memory BAR type, bits 2:1 (0 32-bit, 1 below 1 MiB, 2 64-bit, 3 reserved)."""
    return (raw >> 1) & 3


def is_io(raw: int) -> bool:
    """True for an I/O BAR."""
    return bool(raw & IO_SPACE)


def is_64bit(raw: int, memory_only: bool = False) -> bool:
    """True for a 64-bit memory BAR (it takes the next register as its upper half)."""
    return (memory_only or not is_io(raw)) and memory_type(raw) == MEMORY_TYPE_64


class Paired(NamedTuple):
    """One BAR of a register array: its index, lower register, upper half (None if it has none),
    and how many registers it takes."""

    index: int
    raw: int
    upper: Optional[int]
    registers: int


def pair(dwords: list[int], index: int, memory_only: bool = False) -> Paired:
    """The BAR starting at ``dwords[index]``; a 64-bit BAR in the last slot has no upper half."""
    raw = dwords[index]
    if is_64bit(raw, memory_only) and index + 1 < len(dwords):
        return Paired(index, raw, dwords[index + 1], 2)
    return Paired(index, raw, None, 1)
