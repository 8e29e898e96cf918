"""Intel's Vendor Specific capability (vendor 8086): the header's type and version, and CAPID0.

Byte 3 of the capability holds a version (bits 0-3) and a type (bits 4-7): type 0 is
"Intel Capabilities" (host bridge / DRAM controller and integrated graphics, whose
CAPID0_A/B/C fuse registers follow in version 1 since Sandy Bridge), type 1 "Intel
Feature Detection" (an indirect register window, not readable without writes). Field
names follow Intel's processor datasheets (CAPID0_A/B/C), in snake_case.
"""
from __future__ import annotations

from construct import Container, Int32ul

from ..bits import Bit, Bits, Register
from ..context import DecodeContext

TYPE_CAPABILITIES = 0
TYPE_FEATURE_DETECTION = 1

CAPID0_A = Register(
    Int32ul,
    Bit("ddr3l_enable", 0),
    Bit("ddr_write_vref_enable", 1),
    Bit("overclocking_enabled", 2),
    Bit("ddr_overclocking_capable", 3),
    Bits("compatibility_revision_id", 4, 4),
    Bits("capability_device_id", 8, 2),
    Bit("internal_graphics_disable", 11),
    Bit("pdc_disable", 12),
    Bit("x2apic_enabled", 13),
    Bit("ddpc_disable", 14),
    Bit("cd_disable", 15),
    Bit("one_n_mode_disable", 17),
    Bits("ddr_max_size", 19, 2),
    Bit("peg_gen2_disable", 21),
    Bit("dmi_gen2_disable", 22),
    Bit("vtd_disable", 23),
    Bit("force_ecc_enable", 24),
    Bit("ecc_disable", 25),
    Bit("dmi_width_x2", 26),
    Bit("pe_link_width_upgrade_disable", 27),
    Bit("peg10_disable", 28),
    Bit("peg11_disable", 29),
    Bit("peg12_disable", 30),
    Bit("peg60_disable", 31),
)

CAPID0_B = Register(
    Int32ul,
    Bit("lpddr3_enable", 2),
    Bits("ddr3_max_frequency", 4, 2),
    Bit("gmm_disable", 8),
    Bit("dmi_gen3_disable", 15),
    Bit("peg_x16_disable", 16),
    Bit("additive_graphics_capable", 17),
    Bit("additive_graphics_enable", 18),
    Bit("package_type", 19),
    Bit("peg_gen3_disable", 20),
    Bits("ddr3_max_frequency_with_ref100", 21, 3),
    Bit("soft_bin_capable", 24),
    Bits("cache_size_capability", 25, 3),
    Bit("smt_capable", 28),
    Bit("overclocking_by_ssku_enable", 29),
    Bit("overclocking_by_ssku_capable", 30),
    Bit("imgu_disable", 31),
)

CAPID0_C = Register(
    Int32ul,
    Bits("gear1_max_frequency", 0, 4),
    Bit("pipe3_disable", 5),
    Bit("idd_disable", 6),
    Bits("bclk_overclocking", 7, 2),
    Bit("sgx_disable", 9),
    Bit("qclk_gv_disable", 14),
    Bit("lpddr4_enable", 16),
    Bits("lpddr4_max_frequency", 17, 4),
    Bit("lpddr_enable", 22),
    Bits("ddr4_max_frequency", 23, 4),
    Bit("peg_gen4_disable", 28),
)

# CAPID0_A/B/C are fuse registers: every field RO (the default attribute), as the datasheets say.
# (key, offset within the capability, register) for CAPID0 version 1, each present when the length covers it.
CAPID0 = (("capid0_a", 4, CAPID0_A), ("capid0_b", 8, CAPID0_B), ("capid0_c", 12, CAPID0_C))


def decode_intel(ctx: DecodeContext, fields: Container) -> Container:
    """Add the Intel type/version and, for Intel Capabilities v1, the CAPID0 registers the length covers."""
    byte3 = ctx.u8(3) if ctx.readable(3, 1) else 0
    fields["kind"] = "intel"
    fields["intel_version"] = byte3 & 0x0F
    fields["intel_type"] = byte3 >> 4
    fields["body_readable"] = ctx.readable(0, fields.length)
    for key, rel, register in CAPID0:
        present = (fields.intel_type == TYPE_CAPABILITIES and fields.intel_version == 1
                   and fields.length >= rel + 4 and fields.body_readable)
        fields[key] = register.decode(ctx.u32(rel)) if present else None
    return fields
