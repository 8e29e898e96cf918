"""Access Control Services extended capability (ID 0x000D).

The Egress Control Vector (one bit per function or port, ``egress_control_vector_size``
bits, 0 meaning 256) follows only when P2P Egress Control is implemented; its
dwords are decoded as far as they are readable.
"""
from __future__ import annotations

from construct import Container, Int16ul, Struct

from ..bits import Bit, Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

ACS_CAPABILITY = Register(
    Int16ul,
    Bit("source_validation", 0),
    Bit("translation_blocking", 1),
    Bit("p2p_request_redirect", 2),
    Bit("p2p_completion_redirect", 3),
    Bit("upstream_forwarding", 4),
    Bit("p2p_egress_control", 5),
    Bit("direct_translated_p2p", 6),
    Bit("enhanced_capability", 7),
    Bits("egress_control_vector_size_raw", 8, 8),
)

ACS_CONTROL = Register(
    Int16ul,
    Bit("source_validation_enable", 0),
    Bit("translation_blocking_enable", 1),
    Bit("p2p_request_redirect_enable", 2),
    Bit("p2p_completion_redirect_enable", 3),
    Bit("upstream_forwarding_enable", 4),
    Bit("p2p_egress_control_enable", 5),
    Bit("direct_translated_p2p_enable", 6),
    Bit("io_request_blocking_enable", 7),
    Bits("dsp_memory_target_access_control", 8, 2),
    Bits("usp_memory_target_access_control", 10, 2),
    Bit("unclaimed_request_redirect_control", 12),
)

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "acs_capability" / ACS_CAPABILITY,
    "acs_control" / ACS_CONTROL,
)

EGRESS_CONTROL_VECTOR = 0x08


def decode(ctx: DecodeContext) -> Container:
    """Decode ACS and, when implemented, the readable part of the Egress Control Vector."""
    fields = parse_fixed(ctx, SCHEMA)
    capability = fields.acs_capability
    size = capability.egress_control_vector_size_raw or 256
    fields["egress_control_vector_size"] = size
    fields["egress_control_vector"] = (
        _egress_vector(ctx, fields, (size + 31) // 32) if capability.p2p_egress_control else None
    )
    return fields


def _egress_vector(ctx: DecodeContext, fields: Container, dwords: int) -> list[int]:
    vector = []
    for index in range(dwords):
        relative = EGRESS_CONTROL_VECTOR + 4 * index
        if not ctx.readable(relative, 4):
            fields.setdefault("problems", []).append(
                f"Egress Control Vector truncated after {index} of {dwords} dwords"
            )
            break
        vector.append(ctx.u32(relative))
    return vector
