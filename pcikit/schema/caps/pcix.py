"""PCI-X capability (ID 0x07): the device layout (header type 0) and the bridge layout (type 1).

PCI-X 2.0 adds a capability version (Command bits 13:12 for devices, Secondary
Status bits 13:12 for bridges); a device of version 1 or 2 also has the ECC
registers after its Status register.
"""
from __future__ import annotations

from construct import Construct, Container, If, Int8ul, Int16ul, Int32ul, Struct, this

from ..attributes import HWINIT, RW, RW1C
from ..bits import Bit, Bits, Register
from ..context import DecodeContext

HEADER_BRIDGE = 1
MAX_OUTSTANDING_SPLIT = (1, 2, 3, 4, 8, 12, 16, 32)
SECONDARY_CLOCK_FREQUENCY = ("conventional", "66MHz", "100MHz", "133MHz", None, None, None, None)

# PCI-X 2.0 section 7.2.3: the Command register's controls are RW; Enable Relaxed Ordering resets
# to 1, Maximum Memory Read Byte Count to the Designed value (the device's, so a reset keeps it:
# reset None), Maximum Outstanding Split Transactions to 0 (one).
COMMAND = Register(
    Int16ul,
    Bit("data_parity_error_recovery_enable", 0, RW),
    Bit("enable_relaxed_ordering", 1, RW, reset=1),
    Bits("max_memory_read_byte_count_raw", 2, 2, access=RW, reset=None),
    Bits("max_outstanding_split_transactions_raw", 4, 3, access=RW),
    Bits("version", 12, 2),
)

# The fields the PCI-X bridge's Bridge Status shares with the device's Status.
_STATUS_COMMON = (
    Bits("function", 0, 3),
    Bits("device", 3, 5),
    Bits("bus", 8, 8),
    Bit("device_64bit", 16, HWINIT),
    Bit("capable_133mhz", 17, HWINIT),
    Bit("split_completion_discarded", 18, RW1C),
    Bit("unexpected_split_completion", 19, RW1C),
)

# PCI-X 2.0 section 7.2.4: the bus/device/function numbers are captured from configuration writes
# (RO to software), the capability bits HwInit, the three error bits RW1C.
STATUS = Register(
    Int32ul,
    *_STATUS_COMMON,
    Bit("device_complexity", 20, HWINIT),
    Bits("designed_max_memory_read_byte_count_raw", 21, 2, access=HWINIT),
    Bits("designed_max_outstanding_split_transactions_raw", 23, 3, access=HWINIT),
    Bits("designed_max_cumulative_read_size_raw", 26, 3, access=HWINIT),
    Bit("received_split_completion_error_message", 29, RW1C),
    Bit("capable_266mhz", 30, HWINIT),
    Bit("capable_533mhz", 31, HWINIT),
)

ECC = Struct(
    "ecc_control_status" / Int32ul,
    "ecc_first_address" / Int32ul,
    "ecc_second_address" / Int32ul,
    "ecc_attribute" / Int32ul,
)

SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "command" / COMMAND,
    "status" / STATUS,
    "ecc" / If(this.command.version != 0, ECC),
)

# PCI-X 2.0 section 8.6.2/8.6.3 (bridge): error bits RW1C, Split Request Delayed RO (the bridge
# sets it), the secondary clock frequency RO, the capability bits HwInit.
SECONDARY_STATUS = Register(
    Int16ul,
    Bit("device_64bit", 0, HWINIT),
    Bit("capable_133mhz", 1, HWINIT),
    Bit("split_completion_discarded", 2, RW1C),
    Bit("unexpected_split_completion", 3, RW1C),
    Bit("split_completion_overrun", 4, RW1C),
    Bit("split_request_delayed", 5, RW1C),
    Bits("secondary_clock_frequency", 6, 3),
    Bits("version", 12, 2),
    Bit("capable_266mhz", 14, HWINIT),
    Bit("capable_533mhz", 15, HWINIT),
)

BRIDGE_STATUS = Register(
    Int32ul,
    *_STATUS_COMMON,
    Bit("split_completion_overrun", 20, RW1C),
    Bit("split_request_delayed", 21, RW1C),
)

# Split Transaction Capacity is RO; the Commitment Limit RW, reset to the capacity (the device's
# value: a reset keeps it).
SPLIT_TRANSACTION_CONTROL = Register(
    Int32ul, Bits("split_transaction_capacity", 0, 16),
    Bits("split_transaction_commitment_limit", 16, 16, access=RW, reset=None),
)

BRIDGE_SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "secondary_status" / SECONDARY_STATUS,
    "bridge_status" / BRIDGE_STATUS,
    "upstream_split_transaction_control" / SPLIT_TRANSACTION_CONTROL,
    "downstream_split_transaction_control" / SPLIT_TRANSACTION_CONTROL,
)


def schema_of(fields: Container) -> Construct:
    """The schema ``fields`` were decoded with (the register catalogue walks it)."""
    return BRIDGE_SCHEMA if fields.get("kind") == "bridge" else SCHEMA


def _decode_device(ctx: DecodeContext) -> Container:
    fields = ctx.parse(SCHEMA)
    command, status = fields.command, fields.status
    fields["max_memory_read_byte_count"] = 512 << command.max_memory_read_byte_count_raw
    fields["max_outstanding_split_transactions"] = MAX_OUTSTANDING_SPLIT[command.max_outstanding_split_transactions_raw]
    fields["designed_max_memory_read_byte_count"] = 512 << status.designed_max_memory_read_byte_count_raw
    fields["designed_max_outstanding_split_transactions"] = MAX_OUTSTANDING_SPLIT[
        status.designed_max_outstanding_split_transactions_raw
    ]
    fields["designed_max_cumulative_read_size"] = 8 << status.designed_max_cumulative_read_size_raw
    return fields


def _decode_bridge(ctx: DecodeContext) -> Container:
    fields = ctx.parse(BRIDGE_SCHEMA)
    fields["secondary_clock_frequency"] = SECONDARY_CLOCK_FREQUENCY[fields.secondary_status.secondary_clock_frequency]
    return fields


def decode(ctx: DecodeContext) -> Container:
    """Decode PCI-X by header type: ``kind`` is "device", "bridge" or None (other headers)."""
    if ctx.header_type == 0:
        fields = _decode_device(ctx)
        fields["kind"] = "device"
    elif ctx.header_type == HEADER_BRIDGE:
        fields = _decode_bridge(ctx)
        fields["kind"] = "bridge"
    else:
        fields = Container(cap_id=ctx.u8(0), next=ctx.u8(1), kind=None)
    return fields
