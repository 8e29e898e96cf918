"""Vendor Specific Information (pciutils ls-caps-vendor.c: virtio, and Intel from 3.14)."""
from __future__ import annotations

from ..context import RenderContext, pm
from ..dialect import V3_14

_VIRTIO_NAMES = {1: "CommonCfg", 2: "Notify", 3: "ISR", 4: "DeviceCfg"}
_VIRTIO_NAMES_3_14 = {**_VIRTIO_NAMES, 8: "SharedMemory"}
_SHARED_MEMORY = 8


def render(ctx: RenderContext, cap) -> None:
    """Virtio structures as ``VirtIO: <kind>``; Intel's (3.14) decoded; others ``Len=xx <?>``."""
    f = cap.fields
    ctx.write("Vendor Specific Information: ")
    if f.kind == "virtio":
        _virtio(ctx, f)
    elif f.kind == "intel" and ctx.dialect >= V3_14 and _intel(ctx, f):
        return
    else:
        ctx.write(f"Len={f.length:02x} <?>\n")


def virtio_name(cfg_type: int, dialect=V3_14) -> str:
    """lspci's name of a virtio structure (``CommonCfg``, ``Notify``...; ``<unknown>`` otherwise)."""
    names = _VIRTIO_NAMES_3_14 if dialect >= V3_14 else _VIRTIO_NAMES
    return names.get(cfg_type, "<unknown>")


def _virtio(ctx: RenderContext, f) -> None:
    ctx.write(f"VirtIO: {virtio_name(f.cfg_type, ctx.dialect)}\n")
    if ctx.verbose < 2:
        return
    if ctx.dialect >= V3_14 and f.cfg_type == _SHARED_MEMORY:
        offset = f.region_offset | (f.region_offset_hi or 0) << 32
        size = f.region_length | (f.region_length_hi or 0) << 32
        text = f"\t\tBAR={f.bar} offset={offset:016x} size={size:016x} id={f.region_id}"
    else:
        text = f"\t\tBAR={f.bar} offset={f.region_offset:08x} size={f.region_length:08x}"
    if f.cfg_type == 2 and f.length >= 20:
        text += f" multiplier={f.notify_off_multiplier:08x}"
    ctx.write(text + "\n")


def _intel(ctx: RenderContext, f) -> bool:
    """Intel's capability; False when lspci gives up (its body unreadable) and adds ``Len=``."""
    from ....schema.caps.vendor_intel import TYPE_CAPABILITIES, TYPE_FEATURE_DETECTION  # decoded it: loaded

    if f.intel_type == TYPE_FEATURE_DETECTION:
        ctx.write("Intel Feature Detection\n")
        return True
    if f.intel_type != TYPE_CAPABILITIES:
        ctx.write("Intel <unknown>\n")
        return True
    ctx.write(f"Intel Capabilities v{f.intel_version}\n")
    if f.intel_version != 1:
        return True
    if not f.body_readable:
        return False
    if f.capid0_a is not None:
        ctx.write(_capid0_a(f.capid0_a))
    if f.capid0_b is not None:
        ctx.write(_capid0_b(f.capid0_b))
    if f.capid0_c is not None:
        ctx.write(_capid0_c(f.capid0_c))
    return True


_CONTINUE = "\n\t\t     "


def _capid0_a(a) -> str:
    size = "Unlimited" if a.ddr_max_size == 0 else f"{512 * (1 << (3 - a.ddr_max_size) * 2) / 1024.0:g}GB/chan"
    return (
        f"\t\tCapA: Peg60Dis{pm(a.peg60_disable)} Peg12Dis{pm(a.peg12_disable)} Peg11Dis{pm(a.peg11_disable)}"
        f" Peg10Dis{pm(a.peg10_disable)} PeLWUDis{pm(a.pe_link_width_upgrade_disable)}"
        f" DmiWidth=x{2 if a.dmi_width_x2 else 4}{_CONTINUE}"
        f" EccDis{pm(a.ecc_disable)} ForceEccEn{pm(a.force_ecc_enable)} VTdDis{pm(a.vtd_disable)}"
        f" DmiG2Dis{pm(a.dmi_gen2_disable)} PegG2Dis{pm(a.peg_gen2_disable)} DDRMaxSize={size}{_CONTINUE}"
        f" 1NDis{pm(a.one_n_mode_disable)} CDDis{pm(a.cd_disable)} DDPCDis{pm(a.ddpc_disable)}"
        f" X2APICEn{pm(a.x2apic_enabled)} PDCDis{pm(a.pdc_disable)} IGDis{pm(a.internal_graphics_disable)}"
        f" CDID={a.capability_device_id} CRID={a.compatibility_revision_id}{_CONTINUE}"
        f" DDROCCAP{pm(a.ddr_overclocking_capable)} OCEn{pm(a.overclocking_enabled)}"
        f" DDRWrtVrefEn{pm(a.ddr_write_vref_enable)} DDR3LEn{pm(a.ddr3l_enable)}\n"
    )


def _capid0_b(b) -> str:
    ref100 = b.ddr3_max_frequency_with_ref100
    ref100_text = "Disabled" if ref100 == 0 else "Unlimited" if ref100 == 7 else f"{(6 + ref100) * 200}MHz"
    return (
        f"\t\tCapB: ImguDis{pm(b.imgu_disable)} OCbySSKUCap{pm(b.overclocking_by_ssku_capable)}"
        f" OCbySSKUEn{pm(b.overclocking_by_ssku_enable)} SMTCap{pm(b.smt_capable)}"
        f" CacheSzCap 0x{b.cache_size_capability:x}{_CONTINUE}"
        f" SoftBinCap{pm(b.soft_bin_capable)} DDR3MaxFreqWithRef100={ref100_text}"
        f" PegG3Dis{pm(b.peg_gen3_disable)}{_CONTINUE}"
        f" PkgTyp{pm(b.package_type)} AddGfxEn{pm(b.additive_graphics_enable)}"
        f" AddGfxCap{pm(b.additive_graphics_capable)} PegX16Dis{pm(b.peg_x16_disable)}"
        f" DmiG3Dis{pm(b.dmi_gen3_disable)} GmmDis{pm(b.gmm_disable)}{_CONTINUE}"
        f" DDR3MaxFreq={(11 - b.ddr3_max_frequency) * 2666 // 10}MHz LPDDR3En{pm(b.lpddr3_enable)}\n"
    )


def _capid0_c(c) -> str:
    # lspci 3.14 prints DDR4/LPDDR4 limits from the Gear1 field (bits 0-3) once their own field is non-zero.
    gear1 = f"{c.gear1_max_frequency * 2666 // 10}MHz"
    bclk = ("Disabled", "115MHz", "130MHz", "Unlimited")[c.bclk_overclocking]
    return (
        f"\t\tCapC: PegG4Dis{pm(c.peg_gen4_disable)}"
        f" DDR4MaxFreq={'Unlimited' if c.ddr4_max_frequency == 0 else gear1}"
        f" LPDDREn{pm(c.lpddr_enable)}"
        f" LPDDR4MaxFreq={'Unlimited' if c.lpddr4_max_frequency == 0 else gear1}"
        f" LPDDR4En{pm(c.lpddr4_enable)}{_CONTINUE}"
        f" QClkGvDis{pm(c.qclk_gv_disable)} SgxDis{pm(c.sgx_disable)} BClkOC={bclk}"
        f" IddDis{pm(c.idd_disable)} Pipe3Dis{pm(c.pipe3_disable)}"
        f" Gear1MaxFreq={'Unlimited' if c.gear1_max_frequency == 0 else gear1}\n"
    )
