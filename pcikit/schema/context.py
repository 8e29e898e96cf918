"""What a capability decoder sees: the config image, its offset, and device facts."""
from __future__ import annotations

import weakref

from construct import Construct, Container

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Callable, Optional

# Generating a schema's parser (pcikit.schema.straight) costs about 0.4 ms and saves 10-30 us
# per parse against construct's interpreted parse: it pays off after a dozen or two parses, so a
# schema is parsed by construct for its first few uses (a single device shows without any
# generation) and by its generated parser after. Keys are the schema objects themselves
# (weakly), so a dead schema's id can never reach another's parser.
GENERATE_AFTER = 8
_uses: "weakref.WeakKeyDictionary[Construct, int]" = weakref.WeakKeyDictionary()
_parsers: "weakref.WeakKeyDictionary[Construct, Callable[[bytes, int], Container]]" = weakref.WeakKeyDictionary()


def parse_at(schema: Construct, image: bytes, offset: int) -> Container:
    """Parse ``schema`` at ``offset`` (as ``schema.parse(image[offset:])``); schemas used often
    are parsed by a parser generated from them."""
    parser = _parsers.get(schema)
    if parser is None:
        uses = _uses.get(schema, 0) + 1
        _uses[schema] = uses
        if uses <= GENERATE_AFTER:
            return schema.parse(image[offset:])
        parser = _parsers[schema] = _parser(schema)
    try:
        return parser(image, offset)
    except Exception:  # noqa: BLE001 - the image ends before the schema, say: construct parses and words the error
        return schema.parse(image[offset:])


class ShortRead(Exception):
    """A generated parser reached the end of the data before the end of its schema."""


def _parser(schema: Construct) -> Callable[[bytes, int], Container]:
    """The generated parser, else construct's compiled one, else construct's own parse."""
    from .straight import generate

    generated = generate(schema)
    if generated is not None:
        return generated
    try:
        compiled = schema.compile()
    except Exception:  # schemas with constructs that cannot compile stay interpreted
        compiled = schema
    return lambda image, offset: compiled.parse(image[offset:])


class DecodeContext:
    """Inputs of one capability decode.

    ``image`` is all 4096 config bytes with unreadable ones as 0xff; ``size`` is
    how many are really readable. ``port_type`` is the PCI Express
    Device/Port Type when the function has a PCIe capability (ext caps need it);
    ``max_link_width`` the Maximum Link Width of that capability (per-lane ext caps
    need it); ``lower_skp_os_generation_speeds`` that capability's Link Capabilities 2 Lower SKP OS
    Generation Supported Speeds Vector (Secondary PCIe's Link Control 3 needs it). All come from the model (``Device.decode_context``), so no decoder
    walks the capability list itself.
    """

    def __init__(self, image: bytes, offset: int, size: int, vendor_id: int, device_id: int, header_type: int,
                 port_type: Optional[int] = None, cap_id: int = 0,
                 read_vpd: Optional[Callable[[], Optional[bytes]]] = None, max_link_width: Optional[int] = None,
                 lower_skp_os_generation_speeds: Optional[int] = None) -> None:
        self.image = image
        self.offset = offset
        self.size = size
        self.vendor_id = vendor_id
        self.device_id = device_id
        self.header_type = header_type
        self.port_type = port_type
        self.cap_id = cap_id
        self.read_vpd = read_vpd  # live sources: the VPD contents
        self.max_link_width = max_link_width
        self.lower_skp_os_generation_speeds = lower_skp_os_generation_speeds

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
