"""Flattening Portal Bridge capability (ID 0x15, PCIe base spec 7.8.10).

lspci 3.9 does not decode it (it prints the generic ``Capability ID`` line);
this module gives the native and JSON views its registers. Encoded sizes and
granularities keep their raw values next to the decoded ones; reserved
encodings decode to None.
"""
from __future__ import annotations

from construct import Container, Int8ul, Int16ul, Int32ul, Struct

from ..attributes import HWINIT, RW
from ..bits import Bit, Bits, Register, whole
from ..context import DecodeContext

_SIZES = {0: 256, 1: 512, 2: 1024, 3: 2048, 4: 4096, 5: 8192}
RID_VECTOR_SIZE_BITS = {code: _SIZES[code] for code in (0, 2, 5)}
MEM_LOW_VECTOR_SIZE_BITS = {code: _SIZES[code] for code in range(5)}
MEM_HIGH_VECTOR_SIZE_BITS = dict(_SIZES)
RID_GRANULARITY = {0: 8, 3: 64, 5: 256}  # RIDs per vector bit
MEM_LOW_GRANULARITY = {code: (1 << 20) << code for code in range(5)}  # 1 MB .. 16 MB
MEM_HIGH_GRANULARITY = {code: (256 << 20) << code for code in range(8)}  # 256 MB .. 32 GB
VECTOR_SELECT = {0: "rid", 1: "mem_low", 2: "mem_high"}

# PCIe 7.8.10: FPB Capabilities are HwInit; every control field, the Vector Access Control and the
# Vector Access Data (the vector bit window) are RW, reset 0.
FPB_CAPABILITIES = Register(
    Int32ul,
    Bit("rid_decode_mechanism_supported", 0, HWINIT),
    Bit("mem_low_decode_mechanism_supported", 1, HWINIT),
    Bit("mem_high_decode_mechanism_supported", 2, HWINIT),
    Bits("num_sec_dev", 3, 5, access=HWINIT),
    Bits("rid_vector_size_supported", 8, 3, access=HWINIT),
    Bits("mem_low_vector_size_supported", 16, 3, access=HWINIT),
    Bits("mem_high_vector_size_supported", 24, 3, access=HWINIT),
)

SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "reserved" / Int16ul,
    "fpb_capabilities" / FPB_CAPABILITIES,
    "rid_vector_control_1" / Register(
        Int32ul,
        Bit("rid_decode_mechanism_enable", 0, RW),
        Bits("rid_vector_granularity", 4, 4, access=RW),
        Bits("rid_vector_start", 19, 13, shift=3, access=RW),
    ),
    "rid_vector_control_2" / Register(Int32ul, Bits("rid_secondary_start", 3, 13, shift=3, access=RW)),
    "mem_low_vector_control" / Register(
        Int32ul,
        Bit("mem_low_decode_mechanism_enable", 0, RW),
        Bits("mem_low_vector_granularity", 4, 4, access=RW),
        Bits("mem_low_vector_start", 20, 12, shift=20, access=RW),
    ),
    "mem_high_vector_control_1" / Register(
        Int32ul,
        Bit("mem_high_decode_mechanism_enable", 0, RW),
        Bits("mem_high_vector_granularity", 4, 4, access=RW),
        Bits("mem_high_vector_start_lower", 28, 4, shift=28, access=RW),
    ),
    "mem_high_vector_control_2" / whole(Int32ul, RW),  # MEM High Vector Start Upper
    "vector_access_control" / Register(Int32ul, Bits("vector_access_offset", 0, 8, access=RW),
                                       Bits("vector_select", 14, 2, access=RW)),
    "vector_access_data" / whole(Int32ul, RW),
)


def decode(ctx: DecodeContext) -> Container:
    """Decode the FPB registers; sizes in bits, granularities in RIDs or bytes (None if reserved)."""
    fields = ctx.parse(SCHEMA)
    caps = fields.fpb_capabilities
    fields["rid_vector_size_bits"] = RID_VECTOR_SIZE_BITS.get(caps.rid_vector_size_supported)
    fields["mem_low_vector_size_bits"] = MEM_LOW_VECTOR_SIZE_BITS.get(caps.mem_low_vector_size_supported)
    fields["mem_high_vector_size_bits"] = MEM_HIGH_VECTOR_SIZE_BITS.get(caps.mem_high_vector_size_supported)
    fields["rid_vector_granularity_rids"] = RID_GRANULARITY.get(fields.rid_vector_control_1.rid_vector_granularity)
    fields["mem_low_vector_granularity_bytes"] = MEM_LOW_GRANULARITY.get(
        fields.mem_low_vector_control.mem_low_vector_granularity
    )
    high = fields.mem_high_vector_control_1
    fields["mem_high_vector_granularity_bytes"] = MEM_HIGH_GRANULARITY.get(high.mem_high_vector_granularity)
    fields["mem_high_vector_start"] = (fields.mem_high_vector_control_2 << 32) | high.mem_high_vector_start_lower
    fields["vector_select"] = VECTOR_SELECT.get(fields.vector_access_control.vector_select)
    return fields
