"""Vital Product Data capability (ID 0x03): the VPD Address/Data registers and the VPD contents.

Config space holds only the access window; the contents come from the kernel
(sysfs ``vpd``) through ``ctx.read_vpd`` and are parsed by :func:`parse_vpd`, a
pure function on bytes. The parser walks the resource list the way lspci does:
a read past the end of the available bytes fails and ends the walk, and the
checksum covers the bytes read, up to and including the RV checksum byte.
"""
from __future__ import annotations

from construct import Container, Int8ul, Int16ul, Int32ul, Struct

from ..attributes import RW
from ..bits import Bit, Bits, Register, whole
from ..context import DecodeContext

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Callable, NamedTuple, Optional
else:
    from ...tuples import NamedTuple

VPD_SIZE = 0x8000  # the VPD Address register has 15 bits
_CHUNK = 256  # lspci reads identifier strings in pieces of this size

TAG_LARGE = 0x80  # bit 7 of a resource's first byte: a large resource (tag byte, 16-bit length)
TAG_END = 0x0F  # small resource
TAG_IDENTIFIER_STRING = 0x82  # large resources
TAG_VPD_R = 0x90
TAG_VPD_W = 0x91

# Software writes an address with F clear to read (the function sets F when VPD Data holds
# the dword), or data then the address with F set to write (the function clears F when done).
VPD_ADDRESS = Register(Int16ul, Bits("address", 0, 15, access=RW), Bit("f", 15, RW))

SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "vpd_address" / VPD_ADDRESS,
    "vpd_data" / whole(Int32ul, RW),
)


class Keyword(NamedTuple):
    """A known VPD keyword: a second character of None matches any."""

    first: str
    second: Optional[str]
    format: str  # "text", "binary", "checksum" or "read_write_area"
    name: str


KEYWORDS = (
    Keyword("C", "P", "binary", "Extended capability"),
    Keyword("E", "C", "text", "Engineering changes"),
    Keyword("M", "N", "text", "Manufacture ID"),
    Keyword("P", "N", "text", "Part number"),
    Keyword("R", "V", "checksum", "Reserved"),
    Keyword("R", "W", "read_write_area", "Read-write area"),
    Keyword("S", "N", "text", "Serial number"),
    Keyword("Y", "A", "text", "Asset tag"),
    Keyword("V", None, "text", "Vendor specific"),
    Keyword("Y", None, "text", "System specific"),
    # extensions seen on real cards (not in the PCI specification)
    Keyword("C", "C", "text", "CCIN"),
    Keyword("F", "C", "text", "Feature code"),
    Keyword("F", "N", "text", "FRU"),
    Keyword("N", "A", "text", "Network address"),
    Keyword("R", "M", "text", "Firmware version"),
    Keyword("Z", None, "text", "Product specific"),
)
UNKNOWN_KEYWORD = Keyword("", None, "binary", "Unknown")


def keyword_info(keyword: bytes) -> Keyword:
    """The table entry for a two-byte keyword (``UNKNOWN_KEYWORD`` when none matches)."""
    first, second = chr(keyword[0]), chr(keyword[1])
    for entry in KEYWORDS:
        if entry.first == first and entry.second in (None, second):
            return entry
    return UNKNOWN_KEYWORD


class _Reader:
    """lspci's read_vpd(): all-or-nothing reads that add every byte read to a checksum."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.checksum = 0

    def read(self, position: int, length: int) -> Optional[bytes]:
        if position + length > len(self.data):
            return None
        chunk = self.data[position : position + length]
        self.checksum = (self.checksum + sum(chunk)) & 0xFF
        return chunk


def _text(value: bytes) -> str:
    return value.rstrip(b"\0").decode("latin-1")


def _identifier(reader: _Reader, start: int, length: int) -> Container:
    pieces = []
    for position in range(0, length, _CHUNK):
        chunk = reader.read(start + position, min(_CHUNK, length - position))
        if chunk is None:
            break
        pieces.append(chunk)
    value = b"".join(pieces)
    return Container(kind="identifier_string", value=value, text=_text(value), complete=len(value) == length)


def _item(reader: _Reader, keyword: bytes, position: int, length: int) -> Optional[Container]:
    info = keyword_info(keyword)
    value = reader.read(position, 1 if info.format == "checksum" else length)
    if value is None:
        return None
    item = Container(keyword=keyword.decode("latin-1"), keyword_raw=keyword, name=info.name, format=info.format,
                     offset=position, length=length, value=value)
    if info.format == "text":
        item["text"] = _text(value)
    elif info.format == "checksum":
        item["checksum_valid"] = reader.checksum == 0
        item["reserved_length"] = length - 1
    elif info.format == "read_write_area":
        item["free_length"] = length
    return item


def _fields(reader: _Reader, tag: int, start: int, length: int) -> Container:
    keywords = []
    position = 0
    while position + 3 <= length:
        header = reader.read(start + position, 3)
        if header is None:
            break
        position += 3
        item_length = header[2]
        if item_length > length - position:
            break
        item = _item(reader, header[:2], start + position, item_length)
        if item is None:
            break
        keywords.append(item)
        position += item_length
    kind = "vpd_r" if tag == TAG_VPD_R else "vpd_w"
    return Container(kind=kind, keywords=keywords)


def small_resource(tag: int) -> tuple[int, int]:
    """(item name, data length) of a small resource's tag byte: name in bits 6:3, length in bits 2:0."""
    return tag >> 3, tag & 7


def _resource_header(reader: _Reader, address: int) -> Optional[tuple[int, int, int, bool]]:
    """(tag, data start, data length, large) of the resource at ``address``, or None."""
    first = reader.read(address, 1)
    if first is None:
        return None
    tag = first[0]
    if not tag & TAG_LARGE:
        name, length = small_resource(tag)
        return name, address + 1, length, False
    if address > VPD_SIZE - 3:
        return None
    size = reader.read(address + 1, 2)
    if size is None:
        return None
    return tag, address + 3, size[0] | (size[1] << 8), True


def parse_vpd(data: Optional[bytes]) -> Container:
    """Parse VPD contents into ``resources`` and how the walk ``ended``.

    ``ended`` is "end_tag", "unknown_resource", "no_end_tag" or "not_readable"
    (nothing could be read: no data, or the first resource header is cut off).
    """
    reader = _Reader(data or b"")
    resources: list[Container] = []
    address = 0
    while address < VPD_SIZE:
        header = _resource_header(reader, address)
        if header is None:
            break
        tag, start, length, large = header
        address = start
        if length > VPD_SIZE - address:
            break
        if tag == TAG_END:
            return Container(resources=resources, ended="end_tag", checksum=reader.checksum)
        if tag == TAG_IDENTIFIER_STRING:
            resources.append(_identifier(reader, start, length))
        elif tag in (TAG_VPD_R, TAG_VPD_W):
            resources.append(_fields(reader, tag, start, length))
        else:
            resources.append(Container(kind="unknown", large=large, tag=tag & ~TAG_LARGE))
            return Container(resources=resources, ended="unknown_resource", checksum=reader.checksum)
        address += length
    ended = "not_readable" if address == 0 else "no_end_tag"
    return Container(resources=resources, ended=ended, checksum=reader.checksum)


def decode(ctx: DecodeContext) -> Container:
    """Decode the access registers and, when the source can read VPD, its contents."""
    fields = ctx.parse(SCHEMA)
    reader: Optional[Callable[[], Optional[bytes]]] = ctx.read_vpd
    fields["vpd"] = parse_vpd(reader() if reader is not None else None)
    return fields
