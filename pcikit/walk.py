"""Capability list walks: loops with a visited set and a step bound, never recursion.

Each walk returns the entries it found and, when it stopped early, why — with
the same markers lspci prints. Nothing here raises on bad input.
"""
from __future__ import annotations


from .access.base import ConfigSpace

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import NamedTuple, Optional
else:
    from .tuples import NamedTuple

EXTENDED_START = 0x100
_MAX_STANDARD_STEPS = 64  # 192 bytes of dword-aligned slots: a longer walk must have looped
_MAX_EXTENDED_STEPS = 1024


class Found(NamedTuple):
    """One capability header found by a walk."""

    offset: int
    cap_id: int
    header: int  # standard: the 16-bit word at +2; extended: the whole dword
    version: Optional[int] = None


class WalkStop(NamedTuple):
    """Why a walk ended early: ``looped``, ``broken``, ``access denied`` or ``too long``."""

    reason: str
    offset: Optional[int]
    version: Optional[int] = None


def walk_standard(config: ConfigSpace, pointer_offset: int) -> tuple[list[Found], Optional[WalkStop]]:
    """Walk the standard list whose head pointer is at ``pointer_offset`` (0x34 or 0x14)."""
    found: list[Found] = []
    seen: set[int] = set()
    where = config.read8(pointer_offset) & ~3 if config.readable(pointer_offset) else 0
    while where:
        if not config.readable(where, 4):
            return found, WalkStop("access denied", None)
        if where in seen:
            return found, WalkStop("looped", where)
        if len(seen) >= _MAX_STANDARD_STEPS:
            return found, WalkStop("too long", where)
        seen.add(where)
        dword = config.read32(where)
        cap_id = dword & 0xFF
        if cap_id == 0xFF:
            return found, WalkStop("broken", where)
        found.append(Found(where, cap_id, dword >> 16))
        where = (dword >> 8) & 0xFC
    return found, None


def walk_extended(config: ConfigSpace) -> tuple[list[Found], Optional[WalkStop]]:
    """Walk the extended list from 0x100; 0 or all-ones headers end it silently."""
    found: list[Found] = []
    seen: set[int] = set()
    where = EXTENDED_START
    while where:
        if not config.readable(where, 4):
            break
        header = config.read32(where)
        if header in (0, 0xFFFFFFFF):
            break
        if where in seen:
            return found, WalkStop("looped", where, (header >> 16) & 0xF)
        if len(seen) >= _MAX_EXTENDED_STEPS:
            return found, WalkStop("too long", where, (header >> 16) & 0xF)
        seen.add(where)
        found.append(Found(where, header & 0xFFFF, header, (header >> 16) & 0xF))
        where = (header >> 20) & 0xFFC
    return found, None
