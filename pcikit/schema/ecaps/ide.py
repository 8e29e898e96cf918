"""Integrity and Data Encryption extended capability (ID 0x0030, PCIe base spec 6.0 7.9.26).

After IDE Capability and IDE Control come, from +0x0C, one Link IDE Stream
register block (Control, Status) per supported TC when Link IDE is supported,
then one Selective IDE Stream register block per supported stream: Capability,
Control, Status, two RID Association registers and Number of Address
Association Register Blocks blocks of three dwords. Every block is bounded by
the readable config size; decoding stops at the first block that is not.
"""
from __future__ import annotations

from construct import Array, Construct, Container, Int32ul, Struct

from ..attributes import HWINIT, RW, RW1C, has
from ..bits import Bit, Bits, Register, whole
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Optional

IDE_CAPABILITY = Register(
    Int32ul,
    Bit("link_ide_stream_supported", 0, HWINIT),
    Bit("selective_ide_streams_supported", 1, HWINIT),
    Bit("flow_through_ide_stream_supported", 2, HWINIT),
    Bit("partial_header_encryption_supported", 3, HWINIT),
    Bit("aggregation_supported", 4, HWINIT),
    Bit("pcrc_supported", 5, HWINIT),
    Bit("ide_km_protocol_supported", 6, HWINIT),
    Bit("selective_ide_for_configuration_requests_supported", 7, HWINIT),
    Bits("supported_algorithms", 8, 5, access=HWINIT),
    Bits("number_of_tcs_supported_for_link_ide", 13, 3, add=1, access=HWINIT),
    Bits("number_of_selective_ide_streams_supported", 16, 8, add=1, access=HWINIT),
    Bit("tee_limited_stream_supported", 24, HWINIT),
    Bit("xt_supported", 25, HWINIT),
)

# PCIe 6.0 7.9.26: IDE Capability is HwInit; the controls of IDE Control and of each stream are RW
# where IDE Capability advertises their feature, reset 0 (streams start insecure); a stream's
# Received Integrity Check Fail Message is RW1C; RID and address associations are RW. The stream
# blocks are decoded as lists after the fixed part (the conditions name the capability's fields).
_CAP = "ide_capability."
_AGGREGATION = has(_CAP + "aggregation_supported")
_XT = has(_CAP + "xt_supported")

IDE_CONTROL = Register(
    Int32ul, Bit("flow_through_ide_stream_enabled", 2, RW, when=has(_CAP + "flow_through_ide_stream_supported"))
)

STREAM_CONTROL_FIELDS = (
    Bits("tx_aggregation_mode_npr", 2, 2, access=RW, when=_AGGREGATION),
    Bits("tx_aggregation_mode_pr", 4, 2, access=RW, when=_AGGREGATION),
    Bits("tx_aggregation_mode_cpl", 6, 2, access=RW, when=_AGGREGATION),
    Bit("pcrc_enable", 8, RW, when=has(_CAP + "pcrc_supported")),
    Bits("partial_header_encryption_mode", 10, 4, access=RW,
         when=has(_CAP + "partial_header_encryption_supported")),
    Bits("selected_algorithm", 14, 5, access=RW),
    Bits("tc", 19, 3, access=RW),
    Bits("stream_id", 24, 8, access=RW),
)

LINK_IDE_STREAM_CONTROL = Register(
    Int32ul, Bit("link_ide_stream_enable", 0, RW),
    Bit("link_ide_stream_xt_enable", 1, RW, when=_XT), *STREAM_CONTROL_FIELDS
)

SELECTIVE_IDE_STREAM_CONTROL = Register(
    Int32ul,
    Bit("selective_ide_stream_enable", 0, RW),
    Bit("selective_ide_stream_xt_enable", 1, RW, when=_XT),
    Bit("selective_ide_for_configuration_requests_enable", 9, RW,
        when=has(_CAP + "selective_ide_for_configuration_requests_supported")),
    Bit("default_stream", 22, RW),
    Bit("tee_limited_stream", 23, RW, when=has(_CAP + "tee_limited_stream_supported")),
    *STREAM_CONTROL_FIELDS,
)

STREAM_STATUS = Register(
    Int32ul, Bits("stream_state", 0, 4), Bit("received_integrity_check_fail_message", 31, RW1C)
)

LINK_STREAM = Struct("link_ide_stream_control" / LINK_IDE_STREAM_CONTROL, "link_ide_stream_status" / STREAM_STATUS)

SELECTIVE_STREAM = Struct(
    "selective_ide_stream_capability" / Register(
        Int32ul, Bits("number_of_address_association_register_blocks", 0, 4, access=HWINIT)),
    "selective_ide_stream_control" / SELECTIVE_IDE_STREAM_CONTROL,
    "selective_ide_stream_status" / STREAM_STATUS,
    "ide_rid_association_1" / Register(Int32ul, Bits("rid_limit", 8, 16, access=RW)),
    "ide_rid_association_2" / Register(
        Int32ul, Bit("valid", 0, RW), Bits("rid_base", 8, 16, access=RW), Bits("segment_base", 24, 8, access=RW)),
)

ADDRESS_ASSOCIATION = Struct(
    "ide_address_association_1" / Register(
        Int32ul, Bit("valid", 0, RW), Bits("memory_base_lower", 8, 12, access=RW),
        Bits("memory_limit_lower", 20, 12, access=RW)
    ),
    "memory_limit_upper" / whole(Int32ul, RW),
    "memory_base_upper" / whole(Int32ul, RW),
)

SCHEMA = Struct("header" / EXTENDED_HEADER, "ide_capability" / IDE_CAPABILITY, "ide_control" / IDE_CONTROL)

# What the register catalogue walks: the fixed part, then the stream blocks as decoded (lists).
WALKED_SELECTIVE_STREAM = Struct(*SELECTIVE_STREAM.subcons, "address_association" / Array(15, ADDRESS_ASSOCIATION))
WALKED = Struct(
    *SCHEMA.subcons,
    "link_ide_streams" / Array(8, LINK_STREAM),
    "selective_ide_streams" / Array(256, WALKED_SELECTIVE_STREAM),
)

STREAMS_OFFSET = 0x0C
LINK_STREAM_SIZE = 8
SELECTIVE_STREAM_SIZE = 20
ADDRESS_ASSOCIATION_SIZE = 12
STREAM_STATES = {0: "insecure", 2: "secure"}


def schema_of(fields: Container) -> Construct:
    """The schema the register catalogue walks (the stream lists after the fixed part)."""
    return WALKED


def _address(block: Container) -> Container:
    first = block.ide_address_association_1
    block["memory_base"] = (block.memory_base_upper << 32) | (first.memory_base_lower << 20)
    block["memory_limit"] = (block.memory_limit_upper << 32) | (first.memory_limit_lower << 20) | 0xFFFFF
    return block


class _Cursor:
    """Walks the stream blocks in order, refusing any that is not readable."""

    def __init__(self, ctx: DecodeContext, problems: list[str]) -> None:
        self.ctx, self.problems, self.relative = ctx, problems, STREAMS_OFFSET

    def take(self, schema: Struct, size: int, what: str) -> Optional[Container]:
        if not self.ctx.readable(self.relative, size):
            self.problems.append(f"{what} at +0x{self.relative:x} is not readable")
            return None
        block = self.ctx.parse(schema, self.relative)
        self.relative += size
        return block


def _link_streams(cursor: _Cursor, count: int) -> list[Container]:
    streams = []
    for index in range(count):
        stream = cursor.take(LINK_STREAM, LINK_STREAM_SIZE, f"Link IDE stream {index}")
        if stream is None:
            break
        stream["stream_state_name"] = STREAM_STATES.get(stream.link_ide_stream_status.stream_state)
        streams.append(stream)
    return streams


def _selective_stream(cursor: _Cursor, index: int) -> tuple[Optional[Container], bool]:
    """(the stream, or None when unreadable; whether all its address blocks were readable)."""
    stream = cursor.take(SELECTIVE_STREAM, SELECTIVE_STREAM_SIZE, f"Selective IDE stream {index}")
    if stream is None:
        return None, False
    stream["stream_state_name"] = STREAM_STATES.get(stream.selective_ide_stream_status.stream_state)
    blocks = []
    count = stream.selective_ide_stream_capability.number_of_address_association_register_blocks
    for number in range(count):
        block = cursor.take(ADDRESS_ASSOCIATION, ADDRESS_ASSOCIATION_SIZE, f"stream {index} address block {number}")
        if block is None:
            break
        blocks.append(_address(block))
    stream["address_association"] = blocks
    return stream, len(blocks) == count


def decode(ctx: DecodeContext) -> Container:
    """Decode the capability, control and every readable stream block."""
    fields = parse_fixed(ctx, SCHEMA)
    problems: list[str] = []
    cap = fields.ide_capability
    cursor = _Cursor(ctx, problems)
    if not ctx.readable(0, STREAMS_OFFSET):
        problems.append("IDE Capability and Control are not readable")
        link_count = selective_count = 0
    else:
        link_count = cap.number_of_tcs_supported_for_link_ide if cap.link_ide_stream_supported else 0
        selective_count = cap.number_of_selective_ide_streams_supported if cap.selective_ide_streams_supported else 0
    fields["link_ide_streams"] = _link_streams(cursor, link_count)
    selective: list[Container] = []
    if len(fields.link_ide_streams) == link_count:
        for index in range(selective_count):
            stream, complete = _selective_stream(cursor, index)
            if stream is not None:
                selective.append(stream)
            if not complete:
                break
    fields["selective_ide_streams"] = selective
    fields["problems"] = problems
    return fields
