"""Data Link Feature extended capability (ID 0x0025, PCIe base spec 7.7.4).

Bit n of the Local/Remote Data Link Feature Supported fields names a data link
feature; bit 0 is Scaled Flow Control. The remote bits mean something only
when Remote Data Link Feature Supported Valid is set.
"""
from __future__ import annotations

from construct import Container, Int32ul, Struct

from ..attributes import HWINIT
from ..bits import Bit, Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

# PCIe 7.7.4.2: HwInit; the status register (7.7.4.3) is RO.
DATA_LINK_FEATURE_CAPABILITIES = Register(
    Int32ul,
    Bits("local_data_link_feature_supported", 0, 23, access=HWINIT),
    Bit("local_scaled_flow_control_supported", 0, HWINIT),
    Bit("data_link_feature_exchange_enable", 31, HWINIT),
)

DATA_LINK_FEATURE_STATUS = Register(
    Int32ul,
    Bits("remote_data_link_feature_supported", 0, 23),
    Bit("remote_scaled_flow_control_supported", 0),
    Bit("remote_data_link_feature_supported_valid", 31),
)

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "data_link_feature_capabilities" / DATA_LINK_FEATURE_CAPABILITIES,
    "data_link_feature_status" / DATA_LINK_FEATURE_STATUS,
)

SIZE = 0x0C


def decode(ctx: DecodeContext) -> Container:
    """Decode both registers."""
    fields = parse_fixed(ctx, SCHEMA)
    fields["problems"] = [] if ctx.readable(0, SIZE) else ["registers run past the readable config space"]
    return fields
