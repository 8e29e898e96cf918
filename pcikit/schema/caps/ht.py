"""HyperTransport capability (ID 0x08): one of many block types, told apart by the Command register.

Command bits 15:13 of 000b / 001b mark the Slave/Primary and Host/Secondary
interface blocks; every other block type is the 5-bit code in bits 15:11.
Interface blocks, MSI Mapping and Revision ID are decoded; the rest by name.
"""
from __future__ import annotations

from construct import Construct, Container, Int8ul, Int16ul, Int32ul, Struct

from ..attributes import RW, RW1C, RW1S, Not, has
from ..bits import Bit, Bits, Register, Scalar, whole
from ..context import DecodeContext

TYPE_PRIMARY = 0x0  # bits 15:13
TYPE_SECONDARY = 0x1  # bits 15:13
TYPE_REVISION_ID = 0x11
TYPE_MSI_MAPPING = 0x15

# 5-bit capability type (Command bits 15:11) -> (key, HyperTransport spec name)
BLOCK_TYPES: dict[int, tuple[str, str]] = {
    0x08: ("switch", "Switch"),
    0x10: ("interrupt_discovery", "Interrupt Discovery and Configuration"),
    0x11: ("revision_id", "Revision ID"),
    0x12: ("unitid_clumping", "UnitID Clumping"),
    0x13: ("extended_config_space_access", "Extended Configuration Space Access"),
    0x14: ("address_mapping", "Address Mapping"),
    0x15: ("msi_mapping", "MSI Mapping"),
    0x16: ("direct_route", "DirectRoute"),
    0x17: ("vcset", "VCSet"),
    0x18: ("retry_mode", "Retry Mode"),
    0x19: ("x86_encoding", "X86 Encoding (reserved)"),
    0x1A: ("gen3", "Gen3"),
    0x1C: ("power_management", "Power Management"),
}

LINK_WIDTH_BITS = {0: 8, 1: 16, 3: 32, 4: 2, 5: 4}  # 7 = not connected, others reserved
LINK_FREQUENCY_MHZ = (200, 300, 400, 500, 600, 800, 1000, 1200, 1400, 1600)

# Attributes per the HyperTransport I/O Link Specification 3.10 section 7.5: controls RW, error
# indications RW1C, End of Chain and Transmitter Off set by software or hardware and cleared only by
# reset (RW1S), capabilities and link state RO. Link widths and frequency chosen by software take
# effect at the next warm reset and are kept across it (reset None: the device's value).
LINK_CONTROL = Register(
    Int16ul,
    Bit("source_id_enable", 0, RW),
    Bit("crc_flood_enable", 1, RW),
    Bit("crc_start_test", 2, RW),
    Bit("crc_force_error", 3, RW),
    Bit("link_failure", 4, RW1C),
    Bit("initialization_complete", 5),
    Bit("end_of_chain", 6, RW1S),
    Bit("transmitter_off", 7, RW1S),
    Bits("crc_error", 8, 4, access=RW1C),
    Bit("isochronous_flow_control_enable", 12, RW),
    Bit("ldtstop_tristate_enable", 13, RW),
    Bit("extended_ctl_time", 14, RW),
    Bit("addressing_64bit_enable", 15, RW),
)

LINK_CONFIG = Register(
    Int16ul,
    Bits("max_link_width_in", 0, 3),
    Bit("doubleword_flow_control_in", 3),
    Bits("max_link_width_out", 4, 3),
    Bit("doubleword_flow_control_out", 7),
    Bits("link_width_in", 8, 3, access=RW, reset=None),
    Bit("doubleword_flow_control_in_enable", 11, RW, reset=None),
    Bits("link_width_out", 12, 3, access=RW, reset=None),
    Bit("doubleword_flow_control_out_enable", 15, RW, reset=None),
)

REVISION = Register(Int8ul, Bits("minor", 0, 5), Bits("major", 5, 3))

LINK_FREQUENCY_ERROR = Register(
    Int8ul,
    Bits("frequency", 0, 4, access=RW, reset=None),
    Bit("protocol_error", 4, RW1C),
    Bit("overflow_error", 5, RW1C),
    Bit("end_of_chain_error", 6, RW1C),
    Bit("ctl_timeout", 7, RW),
)

LINK_FREQUENCY_CAPABILITY = Register(
    Int16ul,
    *(Bit(f"supports_{mhz}mhz", bit) for bit, mhz in enumerate(LINK_FREQUENCY_MHZ)),
    Bit("supports_vendor_specific", 15),
)

_FEATURE_BITS = (
    Bit("isochronous_flow_control_mode", 0),
    Bit("ldtstop", 1),
    Bit("crc_test_mode", 2),
    Bit("extended_ctl_time_required", 3),
    Bit("addressing_64bit", 4),
    Bit("unitid_reorder_disable", 5, RW),
)

ERROR_HANDLING = Register(
    Int16ul,
    Bit("protocol_error_flood_enable", 0, RW),
    Bit("overflow_error_flood_enable", 1, RW),
    Bit("protocol_error_fatal_enable", 2, RW),
    Bit("overflow_error_fatal_enable", 3, RW),
    Bit("end_of_chain_error_fatal_enable", 4, RW),
    Bit("response_error_fatal_enable", 5, RW),
    Bit("crc_error_fatal_enable", 6, RW),
    Bit("system_error_fatal_enable", 7, RW),
    Bit("chain_fail", 8),
    Bit("response_error", 9, RW1C),
    Bit("protocol_error_nonfatal_enable", 10, RW),
    Bit("overflow_error_nonfatal_enable", 11, RW),
    Bit("end_of_chain_error_nonfatal_enable", 12, RW),
    Bit("response_error_nonfatal_enable", 13, RW),
    Bit("crc_error_nonfatal_enable", 14, RW),
    Bit("system_error_nonfatal_enable", 15, RW),
)

SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "command" / Register(Int16ul, Bits("interface_type", 13, 3), Bits("capability_type", 11, 5)),
)

PRIMARY_SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "command" / Register(
        Int16ul,
        Bits("base_unitid", 0, 5, access=RW),
        Bits("unit_count", 5, 5),
        Bit("master_host", 10),
        Bit("default_direction", 11, RW),
        Bit("drop_on_uninitialized_link", 12, RW),
        Bits("interface_type", 13, 3),
    ),
    "link_control_0" / LINK_CONTROL,
    "link_config_0" / LINK_CONFIG,
    "link_control_1" / LINK_CONTROL,
    "link_config_1" / LINK_CONFIG,
    "revision_id" / REVISION,
    "link_frequency_error_0" / LINK_FREQUENCY_ERROR,
    "link_frequency_capability_0" / LINK_FREQUENCY_CAPABILITY,
    "feature" / Register(Int8ul, *_FEATURE_BITS),
    "link_frequency_error_1" / LINK_FREQUENCY_ERROR,
    "link_frequency_capability_1" / LINK_FREQUENCY_CAPABILITY,
    "enumeration_scratchpad" / whole(Int16ul, RW),
    "error_handling" / ERROR_HANDLING,
    "memory_base_upper" / whole(Int8ul, RW),
    "memory_limit_upper" / whole(Int8ul, RW),
    "bus_number" / whole(Int8ul, RW),
    "reserved" / Int8ul,
)

SECONDARY_SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "command" / Register(
        Int16ul,
        Bit("warm_reset", 0, RW),
        Bit("double_ended", 1, RW),
        Bits("device_number", 2, 5, access=RW),
        Bit("chain_side", 7),
        Bit("host_hide", 8, RW),
        Bit("act_as_slave", 10, RW),
        Bit("host_inbound_end_of_chain_error", 11, RW),
        Bit("drop_on_uninitialized_link", 12, RW),
        Bits("interface_type", 13, 3),
    ),
    "link_control" / LINK_CONTROL,
    "link_config" / LINK_CONFIG,
    "revision_id" / REVISION,
    "link_frequency_error" / LINK_FREQUENCY_ERROR,
    "link_frequency_capability" / LINK_FREQUENCY_CAPABILITY,
    "feature" / Register(
        Int16ul, *_FEATURE_BITS, Bit("extended_register_set", 8), Bit("upstream_configuration_enable", 9, RW)
    ),
    "reserved_0e" / Int16ul,
    "enumeration_scratchpad" / whole(Int16ul, RW),
    "error_handling" / ERROR_HANDLING,
    "memory_base_upper" / whole(Int8ul, RW),
    "memory_limit_upper" / whole(Int8ul, RW),
    "reserved_16" / Int16ul,
)

# MSI Mapping: a Fixed mapping (bit 1) has its enable and address hardwired; otherwise software
# programs them (HT 3.10 section 7.13). Reset keeps the firmware's mapping (reset None).
_PROGRAMMABLE = Not(has("command.fixed"))

MSI_MAPPING_SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "command" / Register(Int16ul, Bit("enable", 0, RW, reset=None, when=_PROGRAMMABLE), Bit("fixed", 1),
                         Bits("capability_type", 11, 5)),
    "address_lower" / Scalar(Int32ul, Bits("address", 20, 12, access=RW, reset=None, when=_PROGRAMMABLE)),
    "address_upper" / whole(Int32ul, RW, reset=None, when=_PROGRAMMABLE),
)

REVISION_ID_SCHEMA = Struct(
    "cap_id" / Int8ul,
    "next" / Int8ul,
    "command" / Register(Int16ul, Bits("minor", 0, 5), Bits("major", 5, 3), Bits("capability_type", 11, 5)),
)


def block_type(command: int) -> tuple[str, str]:
    """(key, spec name) of the block a Command register value announces."""
    interface = command >> 13
    if interface == TYPE_PRIMARY:
        return "primary_interface", "Slave/Primary Interface"
    if interface == TYPE_SECONDARY:
        return "secondary_interface", "Host/Secondary Interface"
    code = command >> 11
    return BLOCK_TYPES.get(code, ("unknown", f"Capability Type {code:#04x}"))


_SCHEMAS: dict[str, Construct] = {
    "primary_interface": PRIMARY_SCHEMA,
    "secondary_interface": SECONDARY_SCHEMA,
    "msi_mapping": MSI_MAPPING_SCHEMA,
    "revision_id": REVISION_ID_SCHEMA,
}


def schema_of(fields: Container) -> Construct:
    """The schema ``fields`` were decoded with (the register catalogue walks it)."""
    return _SCHEMAS.get(fields.get("block_type"), SCHEMA)


def _interface_summary(fields: Container) -> None:
    revision = fields.revision_id
    fields["revision"] = f"{revision.major}.{revision.minor:02d}"
    fields["extended_revision"] = revision.raw >= 0x22  # HT 2.0 and later registers are meaningful
    fields["incomplete_decoding"] = 0x11 < revision.raw < 0x22


def decode(ctx: DecodeContext) -> Container:
    """Decode the block its Command register names; ``block_type`` and ``name`` say which."""
    command = ctx.u16(2)
    key, name = block_type(command)
    fields = ctx.parse(_SCHEMAS.get(key, SCHEMA))
    fields["block_type"] = key
    fields["name"] = name
    fields["capability_type"] = command >> 11
    if key in ("primary_interface", "secondary_interface"):
        _interface_summary(fields)
    elif key == "msi_mapping":
        fields["mapping_address_base"] = (fields.address_upper << 32) | (fields.address_lower & ~0xFFFFF)
    elif key == "revision_id":
        fields["revision"] = f"{fields.command.major}.{fields.command.minor:02d}"
    return fields
