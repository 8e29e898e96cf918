"""Access Control Services extended capability (ID 0x000D).

The Egress Control Vector (one bit per function or port, ``egress_control_vector_size``
bits, 0 meaning 256) follows only when P2P Egress Control is implemented; its
dwords are decoded as far as they are readable.
"""
from __future__ import annotations

from construct import Container, Int16ul, Struct

from ..attributes import RW, has
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

# Each ACS Control enable is RW when its ACS Capability bit says the function implements it
# (PCIe 7.7.8.3); the ACS Enhanced controls need ACS Enhanced Capability.
_CAP = "acs_capability."

ACS_CONTROL = Register(
    Int16ul,
    Bit("source_validation_enable", 0, RW, when=has(_CAP + "source_validation")),
    Bit("translation_blocking_enable", 1, RW, when=has(_CAP + "translation_blocking")),
    Bit("p2p_request_redirect_enable", 2, RW, when=has(_CAP + "p2p_request_redirect")),
    Bit("p2p_completion_redirect_enable", 3, RW, when=has(_CAP + "p2p_completion_redirect")),
    Bit("upstream_forwarding_enable", 4, RW, when=has(_CAP + "upstream_forwarding")),
    Bit("p2p_egress_control_enable", 5, RW, when=has(_CAP + "p2p_egress_control")),
    Bit("direct_translated_p2p_enable", 6, RW, when=has(_CAP + "direct_translated_p2p")),
    Bit("io_request_blocking_enable", 7, RW, when=has(_CAP + "enhanced_capability")),
    Bits("dsp_memory_target_access_control", 8, 2, access=RW, when=has(_CAP + "enhanced_capability")),
    Bits("usp_memory_target_access_control", 10, 2, access=RW, when=has(_CAP + "enhanced_capability")),
    Bit("unclaimed_request_redirect_control", 12, RW, when=has(_CAP + "enhanced_capability")),
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
