"""Downstream Port Containment extended capability (ID 0x001D).

The RP PIO registers exist only with RP Extensions for DPC; ``rp_pio`` decodes
to None without them.
"""
from __future__ import annotations

from construct import Array, Container, Int16ul, Int32ul, Struct

from ..bits import Bit, Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed

DPC_CAPABILITY = Register(
    Int16ul,
    Bits("dpc_interrupt_message_number", 0, 5),
    Bit("rp_extensions_for_dpc", 5),
    Bit("poisoned_tlp_egress_blocking_supported", 6),
    Bit("dpc_software_triggering_supported", 7),
    Bits("rp_pio_log_size", 8, 4),
    Bit("dl_active_err_cor_signaling_supported", 12),
)

DPC_CONTROL = Register(
    Int16ul,
    Bits("dpc_trigger_enable", 0, 2),
    Bit("dpc_completion_control", 2),
    Bit("dpc_interrupt_enable", 3),
    Bit("dpc_err_cor_enable", 4),
    Bit("poisoned_tlp_egress_blocking_enable", 5),
    Bit("dpc_software_trigger", 6),
    Bit("dl_active_err_cor_enable", 7),
)

DPC_STATUS = Register(
    Int16ul,
    Bit("dpc_trigger_status", 0),
    Bits("dpc_trigger_reason", 1, 2),
    Bit("dpc_interrupt_status", 3),
    Bit("dpc_rp_busy", 4),
    Bits("dpc_trigger_reason_extension", 5, 2),
    Bits("rp_pio_first_error_pointer", 8, 5),
)

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "dpc_capability" / DPC_CAPABILITY,
    "dpc_control" / DPC_CONTROL,
    "dpc_status" / DPC_STATUS,
    "dpc_error_source_id" / Int16ul,
)

RP_PIO_OFFSET = 0x0C

# RP PIO Status, Mask, Severity, SysError and Exception share one bit layout.
RP_PIO_ERRORS = Register(
    Int32ul,
    Bit("cfg_ur_cpl", 0),
    Bit("cfg_ca_cpl", 1),
    Bit("cfg_cto", 2),
    Bit("io_ur_cpl", 8),
    Bit("io_ca_cpl", 9),
    Bit("io_cto", 10),
    Bit("mem_ur_cpl", 16),
    Bit("mem_ca_cpl", 17),
    Bit("mem_cto", 18),
)

RP_PIO = Struct(
    "rp_pio_status" / RP_PIO_ERRORS,
    "rp_pio_mask" / RP_PIO_ERRORS,
    "rp_pio_severity" / RP_PIO_ERRORS,
    "rp_pio_syserror" / RP_PIO_ERRORS,
    "rp_pio_exception" / RP_PIO_ERRORS,
    "rp_pio_header_log" / Array(4, Int32ul),
)


def decode(ctx: DecodeContext) -> Container:
    """Decode DPC and, for Root Ports with RP Extensions, the RP PIO registers."""
    fields = parse_fixed(ctx, SCHEMA)
    extended = fields.dpc_capability.rp_extensions_for_dpc
    fields["rp_pio"] = parse_fixed(ctx, RP_PIO, RP_PIO_OFFSET) if extended else None
    return fields
