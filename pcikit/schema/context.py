"""What a capability decoder sees: the config image, its offset, and device facts."""
from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any, Callable, Optional

from construct import Construct, Container

# Compiling a schema costs 3-10 ms and saves tens of microseconds per parse: it pays off
# after about a hundred parses, so only schemas used that often are compiled. Keys are the
# schema objects themselves (weakly), so a dead schema's id can never reach another's parser.
_COMPILE_AFTER = 64
_uses: "weakref.WeakKeyDictionary[Construct, int]" = weakref.WeakKeyDictionary()
_compiled: "weakref.WeakKeyDictionary[Construct, Any]" = weakref.WeakKeyDictionary()


def parse_at(schema: Construct, image: bytes, offset: int) -> Container:
    """Parse ``schema`` at ``offset``; schemas used often are compiled once."""
    compiled = _compiled.get(schema)
    if compiled is None:
        uses = _uses.get(schema, 0) + 1
        _uses[schema] = uses
        if uses <= _COMPILE_AFTER:
            return schema.parse(image[offset:])
        try:
            compiled = _compiled[schema] = schema.compile()
        except Exception:  # schemas with constructs that cannot compile stay interpreted
            compiled = _compiled[schema] = schema
    return compiled.parse(image[offset:])


@dataclass
class DecodeContext:
    """Inputs of one capability decode.

    ``image`` is all 4096 config bytes with unreadable ones as 0xff; ``size`` is
    how many are really readable. ``port_type`` is the PCI Express
    Device/Port Type when the function has a PCIe capability (ext caps need it);
    ``max_link_width`` the Maximum Link Width of that capability (per-lane ext caps
    need it). Both come from the model (``Device.decode_context``), so no decoder
    walks the capability list itself.
    """

    image: bytes
    offset: int
    size: int
    vendor_id: int
    device_id: int
    header_type: int
    port_type: Optional[int] = None
    cap_id: int = 0
    read_vpd: Optional[Callable[[], Optional[bytes]]] = None  # live sources: the VPD contents
    max_link_width: Optional[int] = None

    def parse(self, schema: Construct, relative: int = 0) -> Container:
        """Parse ``schema`` at the capability offset + ``relative``."""
        return parse_at(schema, self.image, self.offset + relative)

    def readable(self, relative: int, length: int) -> bool:
        """True when ``length`` bytes at offset + ``relative`` are really readable."""
        start = self.offset + relative
        return start >= 0 and start + length <= self.size

    def u8(self, relative: int) -> int:
        """A byte of the image at offset + ``relative``."""
        return self.image[self.offset + relative]

    def u16(self, relative: int) -> int:
        """A little-endian word at offset + ``relative``."""
        start = self.offset + relative
        return int.from_bytes(self.image[start : start + 2], "little")

    def u32(self, relative: int) -> int:
        """A little-endian dword at offset + ``relative``."""
        start = self.offset + relative
        return int.from_bytes(self.image[start : start + 4], "little")
