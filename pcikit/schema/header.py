"""Config space headers: the common first 16 bytes and the type 0/1/2 layouts.

Register attributes follow the PCIe Base Specification 6.0, section 7.5.1 (and
the PCI Local Bus / PCI-to-PCI Bridge / CardBus specifications for what PCIe
leaves to them). The BARs and the Expansion ROM BAR are sized by the device
(their writable bits depend on the BAR's size): their behaviour lives with the
mock's BAR model, not here.
"""
from __future__ import annotations

from construct import Array, Int8ul, Int16ul, Int32ul, Struct, Switch, this

from .attributes import RO, RSVDP, RSVDZ, RW, RW1C, Equals, Not, has, port_in
from .bits import Bit, Bits, Register, Scalar, whole
from .port_types import PCIE_TO_PCI_BRIDGE, PORT_TYPE_NAMES

COMMAND = Register(
    Int16ul,
    Bit("io_space", 0, RW),
    Bit("memory_space", 1, RW),
    Bit("bus_master", 2, RW),
    Bit("special_cycles", 3),
    Bit("memory_write_and_invalidate", 4),
    Bit("vga_palette_snoop", 5),
    Bit("parity_error_response", 6, RW),
    Bit("idsel_stepping", 7),
    Bit("serr_enable", 8, RW),
    Bit("fast_back_to_back_enable", 9),
    Bit("interrupt_disable", 10, RW),
)

STATUS = Register(
    Int16ul,
    Bit("immediate_readiness", 0),
    Bit("interrupt_status", 3),
    Bit("capabilities_list", 4),
    Bit("mhz66_capable", 5),
    Bit("udf_supported", 6),
    Bit("fast_back_to_back_capable", 7),
    Bit("master_data_parity_error", 8, RW1C),
    Bits("devsel_timing", 9, 2),
    Bit("signaled_target_abort", 11, RW1C),
    Bit("received_target_abort", 12, RW1C),
    Bit("received_master_abort", 13, RW1C),
    Bit("signaled_system_error", 14, RW1C),
    Bit("detected_parity_error", 15, RW1C),
    reserved=RSVDZ,
)

# Secondary Status of a type 1 header: bit 14 is Received System Error there.
SECONDARY_STATUS = Register(
    Int16ul,
    Bit("mhz66_capable", 5),
    Bit("fast_back_to_back_capable", 7),
    Bit("master_data_parity_error", 8, RW1C),
    Bits("devsel_timing", 9, 2),
    Bit("signaled_target_abort", 11, RW1C),
    Bit("received_target_abort", 12, RW1C),
    Bit("received_master_abort", 13, RW1C),
    Bit("received_system_error", 14, RW1C),
    Bit("detected_parity_error", 15, RW1C),
    reserved=RSVDZ,
)

HEADER_TYPE = Register(Int8ul, Bits("layout", 0, 7), Bit("multifunction", 7))
BIST = Register(Int8ul, Bits("completion_code", 0, 4), Bit("start", 6, RW, when=has("bist.capable")), Bit("capable", 7))
ROM = Register(Int32ul, Bit("enable", 0), Bits("address", 11, 21, shift=11))

# PCI Express bridges hardwire Master-Abort Mode, Fast Back-to-Back and the discard timer bits
# (PCIe 7.5.1.3.13); bridges whose secondary side is a PCI bus implement them (PCI-to-PCI Bridge
# 1.2, 3.2.5.18): conventional bridges and PCI Express-to-PCI bridges (Device/Port Type 7).
_PCI_SECONDARY = Not(port_in(*(kind for kind in PORT_TYPE_NAMES if kind != PCIE_TO_PCI_BRIDGE)))
BRIDGE_CONTROL = Register(
    Int16ul,
    Bit("parity_error_response", 0, RW),
    Bit("serr_enable", 1, RW),
    Bit("isa_enable", 2, RW),
    Bit("vga_enable", 3, RW),
    Bit("vga_16bit_decode", 4, RW),
    Bit("master_abort_mode", 5, RW, when=_PCI_SECONDARY),
    Bit("secondary_bus_reset", 6, RW),
    Bit("fast_back_to_back_enable", 7, RW, when=_PCI_SECONDARY),
    Bit("primary_discard_timeout", 8, RW, when=_PCI_SECONDARY),
    Bit("secondary_discard_timeout", 9, RW, when=_PCI_SECONDARY),
    Bit("discard_timer_status", 10, RW1C, when=_PCI_SECONDARY),
    Bit("discard_timer_serr_enable", 11, RW, when=_PCI_SECONDARY),
)

CARDBUS_BRIDGE_CONTROL = Register(
    Int16ul,
    Bit("parity_error_response", 0, RW),
    Bit("serr_enable", 1, RW),
    Bit("isa_enable", 2, RW),
    Bit("vga_enable", 3, RW),
    Bit("master_abort_mode", 5, RW),
    Bit("cardbus_reset", 6, RW),
    Bit("ireq_int_enable", 7, RW),
    Bit("prefetch_window0", 8, RW),
    Bit("prefetch_window1", 9, RW),
    Bit("post_writes", 10, RW),
)

# A bridge window register's address bits are RW; its low nibble says 16/32-bit or 32/64-bit (RO).
WINDOW8 = Scalar(Int8ul, Bits("address", 4, 4, access=RW))
WINDOW16 = Scalar(Int16ul, Bits("address", 4, 12, access=RW))
IO_UPPER16 = whole(Int16ul, RW, when=Equals("io_base", 0x1, 0xF))
PREFETCHABLE_UPPER32 = whole(Int32ul, RW, when=Equals("prefetchable_memory_base", 0x1, 0xF))
BUS_NUMBER = whole(Int8ul, RW)
CARDBUS_WINDOW = Scalar(Int32ul, Bits("address", 12, 20, access=RW))
CARDBUS_IO_WINDOW = Scalar(Int32ul, Bits("address", 2, 30, access=RW))

COMMON = Struct(
    "vendor_id" / Int16ul,
    "device_id" / Int16ul,
    "command" / COMMAND,
    "status" / STATUS,
    "revision_id" / Int8ul,
    "prog_if" / Int8ul,
    "subclass" / Int8ul,
    "base_class" / Int8ul,
    "cache_line_size" / whole(Int8ul, RW),
    "latency_timer" / Int8ul,
    "header_type" / HEADER_TYPE,
    "bist" / BIST,
)

# A Virtual Function's header (PCIe 6.0 9.3.4.1) differs from its PF's where a register "does not
# apply to VFs": Vendor ID and Device ID read FFFFh (9.3.4.1.1, 9.3.4.1.2); in Command (9.3.4.1.3)
# I/O Space Enable (VFs have no I/O space), Memory Space Enable (VF memory follows the PF's VF MSE,
# 9.3.3.3.4) and Interrupt Disable are hardwired 0, and Interrupt Pin reads 0: a VF has no INTx
# (MSI/MSI-X only). Parity Error Response and SERR# Enable are RsvdP in a VF: the PF's settings
# apply to its VFs. Bus Master Enable alone stays per VF (RW).
VF_ID = 0xFFFF
VF_COMMAND_HARDWIRED_ZERO = ("io_space", "memory_space", "interrupt_disable")
VF_COMMAND_PF_SETTING = ("parity_error_response", "serr_enable")


def _vf_command_field(field):
    if field.name in VF_COMMAND_HARDWIRED_ZERO:
        return field._replace(access=RO)
    if field.name in VF_COMMAND_PF_SETTING:
        return field._replace(access=RSVDP)
    return field


VF_COMMAND = Register(Int16ul, *(_vf_command_field(field) for field in COMMAND.fields))
VF_COMMON = Struct(*(("command" / VF_COMMAND) if member.name == "command" else member for member in COMMON.subcons))

# Interrupt Line: RW for the OS, no hardware effect; a function reset clears it (as QEMU does).
INTERRUPT_LINE = whole(Int8ul, RW)

TYPE0 = Struct(
    "bars" / Array(6, Int32ul),
    "cardbus_cis_pointer" / Int32ul,
    "subsystem_vendor_id" / Int16ul,
    "subsystem_id" / Int16ul,
    "expansion_rom" / ROM,
    "capabilities_pointer" / Int8ul,
    "reserved" / Array(7, Int8ul),
    "interrupt_line" / INTERRUPT_LINE,
    "interrupt_pin" / Int8ul,
    "min_gnt" / Int8ul,
    "max_lat" / Int8ul,
)

TYPE1 = Struct(
    "bars" / Array(2, Int32ul),
    "primary_bus" / BUS_NUMBER,
    "secondary_bus" / BUS_NUMBER,
    "subordinate_bus" / BUS_NUMBER,
    "secondary_latency_timer" / whole(Int8ul, RW, when=_PCI_SECONDARY),  # RO 0 with a PCIe secondary side
    "io_base" / WINDOW8,
    "io_limit" / WINDOW8,
    "secondary_status" / SECONDARY_STATUS,
    "memory_base" / WINDOW16,
    "memory_limit" / WINDOW16,
    "prefetchable_memory_base" / WINDOW16,
    "prefetchable_memory_limit" / WINDOW16,
    "prefetchable_base_upper32" / PREFETCHABLE_UPPER32,
    "prefetchable_limit_upper32" / PREFETCHABLE_UPPER32,
    "io_base_upper16" / IO_UPPER16,
    "io_limit_upper16" / IO_UPPER16,
    "capabilities_pointer" / Int8ul,
    "reserved" / Array(3, Int8ul),
    "expansion_rom" / ROM,
    "interrupt_line" / INTERRUPT_LINE,
    "interrupt_pin" / Int8ul,
    "bridge_control" / BRIDGE_CONTROL,
)

TYPE2 = Struct(
    "bars" / Array(1, Int32ul),
    "capabilities_pointer" / Int8ul,
    "reserved" / Int8ul,
    "secondary_status" / SECONDARY_STATUS,
    "pci_bus" / BUS_NUMBER,
    "cardbus_bus" / BUS_NUMBER,
    "subordinate_bus" / BUS_NUMBER,
    "cardbus_latency_timer" / whole(Int8ul, RW),
    "memory_base0" / CARDBUS_WINDOW,
    "memory_limit0" / CARDBUS_WINDOW,
    "memory_base1" / CARDBUS_WINDOW,
    "memory_limit1" / CARDBUS_WINDOW,
    "io_base0" / CARDBUS_IO_WINDOW,
    "io_limit0" / CARDBUS_IO_WINDOW,
    "io_base1" / CARDBUS_IO_WINDOW,
    "io_limit1" / CARDBUS_IO_WINDOW,
    "interrupt_line" / INTERRUPT_LINE,
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
