"""Extended capability schemas, one module per family (see ``registry.EXTENDED``).

Same contract as ``caps/``: ``decode(ctx: DecodeContext) -> Container`` and a
``SCHEMA`` construct. :data:`EXTENDED_HEADER` is the dword every extended
capability starts with.
"""
from __future__ import annotations

from construct import Int32ul

from ..bits import Bits, Register

EXTENDED_HEADER = Register(
    Int32ul,
    Bits("cap_id", 0, 16),
    Bits("version", 16, 4),
    Bits("next", 20, 12),
)
