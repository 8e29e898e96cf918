"""Virtual Channel extended capability (IDs 0x0002 and 0x0009, PCIe base spec 7.9.1).

The port registers are followed by one VC Resource (12 bytes) per VC: Extended
VC Count + 1 of them. The VC Arbitration Table and each Port Arbitration Table
sit at a DQWORD offset from the capability; their length follows from the
selected arbitration scheme. Every variable part is bounded by the readable
config size; what does not fit is recorded in ``problems``.
"""
from __future__ import annotations

from construct import Array, Container, Int16ul, Int32ul, Padding, Struct, this

from ..attributes import RW, Either, LaterElement, Not, Only, all_of, has
from ..bits import Bit, Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Optional

PORT_VC_CAPABILITY_1 = Register(
    Int32ul,
    Bits("extended_vc_count", 0, 3),
    Bits("low_priority_extended_vc_count", 4, 3),
    Bits("reference_clock", 8, 2),
    Bits("port_arbitration_table_entry_size", 10, 2),
)

PORT_VC_CAPABILITY_2 = Register(
    Int32ul,
    Bits("vc_arbitration_capability", 0, 8),
    Bit("hardware_fixed_arbitration", 0),
    Bit("wrr_32_phases", 1),
    Bit("wrr_64_phases", 2),
    Bit("wrr_128_phases", 3),
    Bits("vc_arbitration_table_offset", 24, 8),
)

# PCIe 7.9.1.4: VC Arbitration Select is RW (reset 0) where the port has VC arbitration schemes.
PORT_VC_CONTROL = Register(
    Int16ul,
    Bit("load_vc_arbitration_table", 0),  # RW, but always reads 0
    Bits("vc_arbitration_select", 1, 3, access=RW, when=has("port_vc_capability_2.vc_arbitration_capability")),
)

PORT_VC_STATUS = Register(Int16ul, Bit("vc_arbitration_table_status", 0))

VC_RESOURCE_CAPABILITY = Register(
    Int32ul,
    Bits("port_arbitration_capability", 0, 8),
    Bit("hardware_fixed_arbitration", 0),
    Bit("wrr_32_phases", 1),
    Bit("wrr_64_phases", 2),
    Bit("wrr_128_phases", 3),
    Bit("time_based_wrr_128_phases", 4),
    Bit("wrr_256_phases", 5),
    Bit("reject_snoop_transactions", 15),
    Bits("maximum_time_slots_raw", 16, 7),
    Bits("maximum_time_slots", 16, 7, add=1),
    Bits("port_arbitration_table_offset", 24, 8),
)

# PCIe 7.9.1.7: TC/VC Map bits 7:1 and Port Arbitration Select are RW; bit 0 of the map is RO
# (hardwired 1b in VC0's resource, 0b in the others). The map's default is FFh in the first VC
# Resource and 00h in the others. VC ID and VC Enable are RW, default 0, in every VC Resource but
# the first (VC0's are hardwired: VC ID 000b, VC Enable 1b); VC ID "cannot be modified when the VC
# is already enabled", so it is read-only while that resource's VC Enable is set.
_NOT_VC0 = LaterElement()

VC_RESOURCE_CONTROL = Register(
    Int32ul,
    Bits("tc_vc_map", 0, 8, access=RW, reset=Either(_NOT_VC0, 0x00, 0xFF), when=Only(0xFE)),
    Bit("load_port_arbitration_table", 16),  # RW, but always reads 0
    Bits("port_arbitration_select", 17, 3, access=RW),
    Bits("vc_id", 24, 3, access=RW, when=all_of(_NOT_VC0, Not(has(".vc_resource_control.vc_enable")))),
    Bit("vc_enable", 31, RW, when=_NOT_VC0),
)

VC_RESOURCE_STATUS = Register(
    Int16ul,
    Bit("port_arbitration_table_status", 0),
    Bit("vc_negotiation_pending", 1),
)

VC_RESOURCE = Struct(
    "vc_resource_capability" / VC_RESOURCE_CAPABILITY,
    "vc_resource_control" / VC_RESOURCE_CONTROL,
    Padding(2),
    "vc_resource_status" / VC_RESOURCE_STATUS,
)

PORT = Struct(
    "header" / EXTENDED_HEADER,
    "port_vc_capability_1" / PORT_VC_CAPABILITY_1,
    "port_vc_capability_2" / PORT_VC_CAPABILITY_2,
    "port_vc_control" / PORT_VC_CONTROL,
    "port_vc_status" / PORT_VC_STATUS,
)

SCHEMA = Struct(
    *PORT.subcons,
    "vc_resources" / Array(this.port_vc_capability_1.extended_vc_count + 1, VC_RESOURCE),
)

PORT_SIZE = 0x10
VC_RESOURCE_SIZE = 12
DQWORD = 16
VC_TABLE_ENTRY_BITS = 4
# Arbitration Select value -> phases in the table (hardware-fixed schemes have none).
VC_ARBITRATION_PHASES = {1: 32, 2: 64, 3: 128}
PORT_ARBITRATION_PHASES = {1: 32, 2: 64, 3: 128, 4: 128, 5: 256}


def _table(
    ctx: DecodeContext, offset_dq: int, phases: Optional[int], entry_bits: int, what: str, problems: list[str]
) -> Optional[Container]:
    """An arbitration table: ``entries`` are the phase values, None when not decodable."""
    if not offset_dq:
        return None
    relative = offset_dq * DQWORD
    table = Container(offset=relative, phases=phases, entry_bits=entry_bits, entries=None)
    if phases is None:
        return table
    length = phases * entry_bits // 8
    if not ctx.readable(relative, length):
        problems.append(f"{what} at +0x{relative:x} ({length} bytes) runs past the readable config space")
        return table
    data = int.from_bytes(ctx.image[ctx.offset + relative : ctx.offset + relative + length], "little")
    mask = (1 << entry_bits) - 1
    table["entries"] = [(data >> (i * entry_bits)) & mask for i in range(phases)]
    return table


def _resources(ctx: DecodeContext, count: int, entry_bits: int, problems: list[str]) -> list[Container]:
    resources = []
    for index in range(count):
        relative = PORT_SIZE + index * VC_RESOURCE_SIZE
        if not ctx.readable(relative, VC_RESOURCE_SIZE):
            problems.append(f"VC{index} resource registers at +0x{relative:x} are not readable ({count} VCs declared)")
            break
        resource = ctx.parse(VC_RESOURCE, relative)
        capability = resource.vc_resource_capability
        select = resource.vc_resource_control.port_arbitration_select
        resource["port_arbitration_table"] = _table(
            ctx, capability.port_arbitration_table_offset, PORT_ARBITRATION_PHASES.get(select),
            entry_bits, f"VC{index} Port Arbitration Table", problems,
        )
        resources.append(resource)
    return resources


def decode(ctx: DecodeContext) -> Container:
    """Decode the port registers, every readable VC resource and the arbitration tables."""
    fields = parse_fixed(ctx, PORT)
    problems: list[str] = []
    cap1 = fields.port_vc_capability_1
    entry_bits = 1 << cap1.port_arbitration_table_entry_size
    fields["port_arbitration_table_entry_bits"] = entry_bits
    fields["vc_count"] = cap1.extended_vc_count + 1
    fields["vc_arbitration_table"] = _table(
        ctx, fields.port_vc_capability_2.vc_arbitration_table_offset,
        VC_ARBITRATION_PHASES.get(fields.port_vc_control.vc_arbitration_select),
        VC_TABLE_ENTRY_BITS, "VC Arbitration Table", problems,
    )
    if ctx.readable(0, PORT_SIZE):
        fields["vc_resources"] = _resources(ctx, fields.vc_count, entry_bits, problems)
    else:
        problems.append("port VC registers run past the readable config space")
        fields["vc_resources"] = []
    fields["problems"] = problems
    return fields
