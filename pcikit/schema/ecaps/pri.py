"""Page Request Interface extended capability (ID 0x0013)."""
from __future__ import annotations

from construct import Container, Int16ul, Int32ul, Struct

from ..attributes import RW, RW1C
from ..bits import Bit, Register, whole
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

# PCIe 10.5.2.2-10.5.2.3: Enable RW (reset 0); the status errors RW1C; Stopped and PRG Response
# PASID Required RO.
PAGE_REQUEST_CONTROL = Register(
    Int16ul,
    Bit("enable", 0, RW),
    Bit("reset", 1),  # RW while Enable is clear, but always reads 0
)

PAGE_REQUEST_STATUS = Register(
    Int16ul,
    Bit("response_failure", 0, RW1C),
    Bit("unexpected_page_request_group_index", 1, RW1C),
    Bit("stopped", 8),
    Bit("prg_response_pasid_required", 15),
)

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "page_request_control" / PAGE_REQUEST_CONTROL,
    "page_request_status" / PAGE_REQUEST_STATUS,
    "outstanding_page_request_capacity" / Int32ul,
    "outstanding_page_request_allocation" / whole(Int32ul, RW),
)


def decode(ctx: DecodeContext) -> Container:
    """Decode PRI control, status and the outstanding request counts."""
    return parse_fixed(ctx, SCHEMA)
