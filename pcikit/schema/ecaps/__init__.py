"""Extended capability schemas, one module per family (see ``registry.EXTENDED``).

Same contract as ``caps/``: ``decode(ctx: DecodeContext) -> Container`` and a
``SCHEMA`` construct. :data:`EXTENDED_HEADER` is the dword every extended
capability starts with.
"""
from __future__ import annotations

from functools import lru_cache

from construct import Construct, Container, Int32ul

from ..bits import Bits, Register
from ..context import DecodeContext

EXTENDED_HEADER = Register(
    Int32ul,
    Bits("cap_id", 0, 16),
    Bits("version", 16, 4),
    Bits("next", 20, 12),
)


@lru_cache(maxsize=512)
def fixed_size(schema: Construct) -> int:
    """``schema.sizeof()``, computed once per schema (construct walks the whole tree every call)."""
    return schema.sizeof()


def parse_fixed(ctx: DecodeContext, schema: Construct, relative: int = 0) -> Container:
    """Parse a fixed-size ``schema`` at offset + ``relative``, padding past 4 KiB with 0xff.

    A capability near the end of config space (0xffc) must still decode: the
    unreadable tail reads as all ones, as it does everywhere else.
    """
    start = ctx.offset + relative
    size = fixed_size(schema)
    if start + size <= len(ctx.image):
        return ctx.parse(schema, relative)
    return schema.parse(ctx.image[start:] + b"\xff" * size)
