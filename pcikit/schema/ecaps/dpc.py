"""Downstream Port Containment extended capability (ID 0x001D).

The RP PIO registers exist only with RP Extensions for DPC; ``rp_pio`` decodes
to None without them.
"""
from __future__ import annotations

from construct import Array, Container, Int16ul, Int32ul, Struct

from ..attributes import ROS, RW, RW1CS, RWS, has
from ..bits import Bit, Bits, Register, whole
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

# PCIe 7.9.14.3: the controls are RW, reset 0; Poisoned TLP Egress Blocking Enable and DL_Active
# ERR_COR Enable are hardwired 0 unless supported.
_CAP = "dpc_capability."

DPC_CONTROL = Register(
    Int16ul,
    Bits("dpc_trigger_enable", 0, 2, access=RW),
    Bit("dpc_completion_control", 2, RW),
    Bit("dpc_interrupt_enable", 3, RW),
    Bit("dpc_err_cor_enable", 4, RW),
    Bit("poisoned_tlp_egress_blocking_enable", 5, RW, when=has(_CAP + "poisoned_tlp_egress_blocking_supported")),
    Bit("dpc_software_trigger", 6),  # RW with DPC Software Triggering Supported, but always reads 0
    Bit("dl_active_err_cor_enable", 7, RW, when=has(_CAP + "dl_active_err_cor_signaling_supported")),
)

# PCIe 7.9.14.4: the status is sticky (it must survive the reset DPC itself causes); the RP fields
# exist only with RP Extensions for DPC.
_RP = has(_CAP + "rp_extensions_for_dpc")

DPC_STATUS = Register(
    Int16ul,
    Bit("dpc_trigger_status", 0, RW1CS),
    Bits("dpc_trigger_reason", 1, 2, access=ROS),
    Bit("dpc_interrupt_status", 3, RW1CS),
    Bit("dpc_rp_busy", 4, ROS, when=_RP),
    Bits("dpc_trigger_reason_extension", 5, 2, access=ROS),
    Bits("rp_pio_first_error_pointer", 8, 5, access=ROS, when=_RP),
)

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "dpc_capability" / DPC_CAPABILITY,
    "dpc_control" / DPC_CONTROL,
    "dpc_status" / DPC_STATUS,
    "dpc_error_source_id" / whole(Int16ul, ROS),
)

RP_PIO_OFFSET = 0x0C

# RP PIO Status, Mask, Severity, SysError and Exception share one bit layout.
_RP_PIO_ERRORS = Register(
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

# PCIe 7.9.14.6-7.9.14.11: status RW1CS; mask, severity, SysError and exception RWS (the mask
# resets to all ones, the others to 0); the header log ROS.
RP_PIO = Struct(
    "rp_pio_status" / _RP_PIO_ERRORS.retyped(RW1CS),
    "rp_pio_mask" / _RP_PIO_ERRORS.retyped(RWS, dict.fromkeys((f.name for f in _RP_PIO_ERRORS.fields), 1)),
    "rp_pio_severity" / _RP_PIO_ERRORS.retyped(RWS),
    "rp_pio_syserror" / _RP_PIO_ERRORS.retyped(RWS),
    "rp_pio_exception" / _RP_PIO_ERRORS.retyped(RWS),
    "rp_pio_header_log" / Array(4, Int32ul),
)

# The layout with the RP PIO registers, which follow at RP_PIO_OFFSET (what the catalogue walks).
WITH_RP_PIO = Struct(*SCHEMA.subcons, "rp_pio" / RP_PIO)


def schema_of(fields: Container) -> Struct:
    """The schema ``fields`` were decoded with: the RP PIO registers are there when decoded."""
    return WITH_RP_PIO if fields.get("rp_pio") is not None else SCHEMA


def decode(ctx: DecodeContext) -> Container:
    """Decode DPC and, for Root Ports with RP Extensions, the RP PIO registers."""
    fields = parse_fixed(ctx, SCHEMA)
    extended = fields.dpc_capability.rp_extensions_for_dpc
    fields["rp_pio"] = parse_fixed(ctx, RP_PIO, RP_PIO_OFFSET) if extended else None
    return fields
