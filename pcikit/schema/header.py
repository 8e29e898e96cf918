"""Config space headers: the common first 16 bytes and the type 0/1/2 layouts."""
from __future__ import annotations

from construct import Array, Int8ul, Int16ul, Int32ul, Struct, Switch, this

from .bits import Bit, Bits, Register

COMMAND = Register(
    Int16ul,
    Bit("io_space", 0),
    Bit("memory_space", 1),
    Bit("bus_master", 2),
    Bit("special_cycles", 3),
    Bit("memory_write_and_invalidate", 4),
    Bit("vga_palette_snoop", 5),
    Bit("parity_error_response", 6),
    Bit("idsel_stepping", 7),
    Bit("serr_enable", 8),
    Bit("fast_back_to_back_enable", 9),
    Bit("interrupt_disable", 10),
)

STATUS = Register(
    Int16ul,
    Bit("immediate_readiness", 0),
    Bit("interrupt_status", 3),
    Bit("capabilities_list", 4),
    Bit("mhz66_capable", 5),
    Bit("udf_supported", 6),
    Bit("fast_back_to_back_capable", 7),
    Bit("master_data_parity_error", 8),
    Bits("devsel_timing", 9, 2),
    Bit("signaled_target_abort", 11),
    Bit("received_target_abort", 12),
    Bit("received_master_abort", 13),
    Bit("signaled_system_error", 14),
    Bit("detected_parity_error", 15),
)

# Secondary Status of a type 1 header: bit 14 is Received System Error there.
SECONDARY_STATUS = Register(
    Int16ul,
    Bit("mhz66_capable", 5),
    Bit("fast_back_to_back_capable", 7),
    Bit("master_data_parity_error", 8),
    Bits("devsel_timing", 9, 2),
    Bit("signaled_target_abort", 11),
    Bit("received_target_abort", 12),
    Bit("received_master_abort", 13),
    Bit("received_system_error", 14),
    Bit("detected_parity_error", 15),
)

HEADER_TYPE = Register(Int8ul, Bits("layout", 0, 7), Bit("multifunction", 7))
BIST = Register(Int8ul, Bits("completion_code", 0, 4), Bit("start", 6), Bit("capable", 7))
ROM = Register(Int32ul, Bit("enable", 0), Bits("address", 11, 21, shift=11))

BRIDGE_CONTROL = Register(
    Int16ul,
    Bit("parity_error_response", 0),
    Bit("serr_enable", 1),
    Bit("isa_enable", 2),
    Bit("vga_enable", 3),
    Bit("vga_16bit_decode", 4),
    Bit("master_abort_mode", 5),
    Bit("secondary_bus_reset", 6),
    Bit("fast_back_to_back_enable", 7),
    Bit("primary_discard_timeout", 8),
    Bit("secondary_discard_timeout", 9),
    Bit("discard_timer_status", 10),
    Bit("discard_timer_serr_enable", 11),
)

CARDBUS_BRIDGE_CONTROL = Register(
    Int16ul,
    Bit("parity_error_response", 0),
    Bit("serr_enable", 1),
    Bit("isa_enable", 2),
    Bit("vga_enable", 3),
    Bit("master_abort_mode", 5),
    Bit("cardbus_reset", 6),
    Bit("ireq_int_enable", 7),
    Bit("prefetch_window0", 8),
    Bit("prefetch_window1", 9),
    Bit("post_writes", 10),
)

COMMON = Struct(
    "vendor_id" / Int16ul,
    "device_id" / Int16ul,
    "command" / COMMAND,
    "status" / STATUS,
    "revision_id" / Int8ul,
    "prog_if" / Int8ul,
    "subclass" / Int8ul,
    "base_class" / Int8ul,
    "cache_line_size" / Int8ul,
    "latency_timer" / Int8ul,
    "header_type" / HEADER_TYPE,
    "bist" / BIST,
)

TYPE0 = Struct(
    "bars" / Array(6, Int32ul),
    "cardbus_cis_pointer" / Int32ul,
    "subsystem_vendor_id" / Int16ul,
    "subsystem_id" / Int16ul,
    "expansion_rom" / ROM,
    "capabilities_pointer" / Int8ul,
    "reserved" / Array(7, Int8ul),
    "interrupt_line" / Int8ul,
    "interrupt_pin" / Int8ul,
    "min_gnt" / Int8ul,
    "max_lat" / Int8ul,
)

TYPE1 = Struct(
    "bars" / Array(2, Int32ul),
    "primary_bus" / Int8ul,
    "secondary_bus" / Int8ul,
    "subordinate_bus" / Int8ul,
    "secondary_latency_timer" / Int8ul,
    "io_base" / Int8ul,
    "io_limit" / Int8ul,
    "secondary_status" / SECONDARY_STATUS,
    "memory_base" / Int16ul,
    "memory_limit" / Int16ul,
    "prefetchable_memory_base" / Int16ul,
    "prefetchable_memory_limit" / Int16ul,
    "prefetchable_base_upper32" / Int32ul,
    "prefetchable_limit_upper32" / Int32ul,
    "io_base_upper16" / Int16ul,
    "io_limit_upper16" / Int16ul,
    "capabilities_pointer" / Int8ul,
    "reserved" / Array(3, Int8ul),
    "expansion_rom" / ROM,
    "interrupt_line" / Int8ul,
    "interrupt_pin" / Int8ul,
    "bridge_control" / BRIDGE_CONTROL,
)

TYPE2 = Struct(
    "bars" / Array(1, Int32ul),
    "capabilities_pointer" / Int8ul,
    "reserved" / Int8ul,
    "secondary_status" / SECONDARY_STATUS,
    "pci_bus" / Int8ul,
    "cardbus_bus" / Int8ul,
    "subordinate_bus" / Int8ul,
    "cardbus_latency_timer" / Int8ul,
    "memory_base0" / Int32ul,
    "memory_limit0" / Int32ul,
    "memory_base1" / Int32ul,
    "memory_limit1" / Int32ul,
    "io_base0" / Int32ul,
    "io_limit0" / Int32ul,
    "io_base1" / Int32ul,
    "io_limit1" / Int32ul,
    "interrupt_line" / Int8ul,
    "interrupt_pin" / Int8ul,
    "bridge_control" / CARDBUS_BRIDGE_CONTROL,
    "subsystem_vendor_id" / Int16ul,
    "subsystem_id" / Int16ul,
    "legacy_mode_base" / Int32ul,
)

HEADER = Struct(
    "common" / COMMON,
    "body" / Switch(this.common.header_type.layout, {0: TYPE0, 1: TYPE1, 2: TYPE2}),
)

BODIES = {0: TYPE0, 1: TYPE1, 2: TYPE2}
