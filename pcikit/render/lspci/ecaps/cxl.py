"""CXL DVSEC bodies as pciutils prints them (dvsec_cxl_* in ls-ecaps.c), per release.

From 3.11 each structure has a title line, the CXL Device DVSEC shows Control2,
Capability2 and Capability3 and range sizes, Flex Bus checks its length per
revision, and unparsed bytes past the known layout show ``<?>``. 3.11+ tests the
Control2/Capability3 flags with lspci's own masks (0x3 for bit 2, 0x4 for bit 3, ...),
kept as its quirk. From 3.14 GPF time scale 7 (10 s) prints ``s``.

Kept quirks of 3.9.0: the port's PMComplete flag tests mask 0x0a, the
alternate memory range is labelled ``AlternateBus``, function map registers
show their low 16 bits, and GPF time scale 7 (10 s) prints the unit ``<?>``.
Range Type/Class/interleave encodings past lspci's tables have no defined
output in 3.9.0 (it reads past its arrays); pcikit prints ``<?>``.
"""
from __future__ import annotations

from ..context import RenderContext, flag
from ..dialect import V3_11, V3_14

DEVICE, FUNCTION_MAP, PORT_EXTENSIONS, GPF_PORT, GPF_DEVICE = 0, 2, 3, 4, 5
FLEX_BUS_PORT, REGISTER_LOCATOR, MLD = 7, 8, 9
DEVICE_LENGTH = 0x38
PORT_EXTENSIONS_LENGTH = 0x28
INTERLEAVE = (0, 256, 4096, 512, 1024, 2048, 8192, 16384)
RANGE_TYPES = ("Volatile", "Non-volatile", "CDAT")
RANGE_CLASSES = ("DRAM", "Storage", "CDAT")
BLOCK_NAMES = ("empty", "component registers", "BAR virtualization", "CXL device registers", "CPMU registers")
MAX_LOGICAL_DEVICES = 16
PM_COMPLETE_MASK_3_9 = 0x0A
DEVICE_LENGTH_REV2 = 0x3C
FLEX_BUS_LENGTH = 0x20
FLEX_BUS_LENGTHS = {0: 0x10, 1: 0x14, 2: 0x20}  # the Length each revision must have (lspci 3.11+)
TITLES = {
    DEVICE: "PCIe DVSEC for CXL Devices", FUNCTION_MAP: "Non-CXL Function Map DVSEC",
    PORT_EXTENSIONS: "CXL Extensions DVSEC for Ports", GPF_PORT: "GPF DVSEC for CXL Ports",
    GPF_DEVICE: "GPF DVSEC for CXL Devices", FLEX_BUS_PORT: "PCIe DVSEC for Flex Bus Port",
    REGISTER_LOCATOR: "Register Locator DVSEC", MLD: "MLD DVSEC",
}
TEST_CAPABILITY = 0x0A
# lspci 3.11+'s masks for Control2 flags (InitRst 0x3, RstMemClrEn 0x4, DesiredVolatile... 0x5) and Capability3.
CONTROL2_MASKS = (("DisableCaching", 0x1), ("InitCacheWB&Inval", 0x2), ("InitRst", 0x3), ("RstMemClrEn", 0x4))
HDM_STATE_AFTER_HOT_RESET_MASK = 0x5
CAPABILITY3_MASKS = (("ColdReset", 0x1), ("WarmReset", 0x2), ("HotReset", 0x3), ("HotResetConfigurability", 0x4))


def _pick(table: tuple, index: int) -> str:
    return str(table[index]) if index < len(table) else "<?>"


def _range(ctx: RenderContext, entry, number: int) -> None:
    size_raw = (entry.size_high << 32) | entry.size_low.raw
    base = (entry.base_high << 32) | entry.base_low.raw
    end = (base + (size_raw & ~0x0FFFFFFF) - 1) & 0xFFFFFFFFFFFFFFFF
    low = entry.size_low
    size = " [size=0x%x]" % (size_raw & ~0x0FFFFFFF) if ctx.dialect >= V3_11 else ""
    ctx.write(f"\t\tRange{number}: {base:016x}-{end:016x}{size}\n")
    ctx.write(
        f"\t\t\tValid{flag(low.memory_info_valid)} Active{flag(low.memory_active)} "
        f"Type={_pick(RANGE_TYPES, low.media_type)} Class={_pick(RANGE_CLASSES, low.memory_class)} "
        f"interleave={_pick(INTERLEAVE, low.desired_interleave)} timeout={1 << (low.memory_active_timeout * 2)}s\n"
    )


def _cache_size(ctx: RenderContext, cap2) -> None:
    unit, size = cap2.cache_size_unit, cap2.cache_size
    lead = "\t\tCXLCap2:\t" if ctx.dialect >= V3_11 else "\t\t"
    if unit == 2:
        ctx.write(f"{lead}Cache Size: {(size << 20) & 0xFFFFFFFF:08x}\n")
    elif unit == 1:
        ctx.write(f"{lead}Cache Size: {(size << 16) & 0xFFFFFFFF:08x}\n")
    elif unit == 0:
        ctx.write(f"{lead}Cache Size Not Reported\n")
    else:
        ctx.write(f"{lead}Cache Size: {size} of unknown unit size ({unit})\n")


def _device(ctx: RenderContext, body, revision: int, length: int) -> None:
    if ctx.dialect >= V3_11:
        _device_3_11(ctx, body, revision, length)
        return
    if length < DEVICE_LENGTH or revision < 1:
        return
    _device_registers(ctx, body, "Mem HW Init", ("Cache SF Cov", "Cache SF Gran", "Cache Clean"))


def _device_3_11(ctx: RenderContext, body, revision: int, length: int) -> None:
    if revision == 0:
        return
    if length >= DEVICE_LENGTH:
        _device_registers(ctx, body, "MemHWInit", ("CacheSFCov", "CacheSFGran", "CacheClean"), revision)
    capability3 = body.get("dvsec_cxl_capability3")
    if revision >= 2 and length >= DEVICE_LENGTH_REV2 and capability3 is not None:
        states = " ".join(f"{label}{flag(capability3.raw, mask)}" for label, mask in CAPABILITY3_MASKS)
        ctx.write(f"\t\tCXLCap3:\tDefaultVolatile HDM State After:\t{states}\n")
    if length > DEVICE_LENGTH_REV2:
        ctx.write("\t\t<?>\n")


def _device_registers(ctx: RenderContext, body, hwinit: str, sf_labels: tuple, revision: int = 0) -> None:
    c = body.dvsec_cxl_capability
    ctx.write(
        f"\t\tCXLCap:\tCache{flag(c.cache_capable)} IO{flag(c.io_capable)} Mem{flag(c.mem_capable)} "
        f"{hwinit}{flag(c.mem_hwinit_mode)} HDMCount {c.hdm_count} Viral{flag(c.viral_capable)}\n"
    )
    c = body.dvsec_cxl_control
    ctx.write(
        f"\t\tCXLCtl:\tCache{flag(c.cache_enable)} IO{flag(c.io_enable)} Mem{flag(c.mem_enable)} "
        f"{sf_labels[0]} {c.cache_sf_coverage} {sf_labels[1]} {c.cache_sf_granularity} "
        f"{sf_labels[2]}{flag(c.cache_clean_eviction)} Viral{flag(c.viral_enable)}\n"
    )
    ctx.write(f"\t\tCXLSta:\tViral{flag(body.dvsec_cxl_status.viral_status)}\n")
    if ctx.dialect >= V3_11:
        raw = body.dvsec_cxl_control2.raw
        text = " ".join(f"{label}{flag(raw, mask)}" for label, mask in CONTROL2_MASKS)
        if revision >= 2:
            text += f" DesiredVolatileHDMStateAfterHotReset{flag(raw, HDM_STATE_AFTER_HOT_RESET_MASK)}"
        ctx.write(f"\t\tCXLCtl2:\t{text}\n")
    s = body.dvsec_cxl_status2
    ctx.write(
        f"\t\tCXLSta2:\tResetComplete{flag(s.cxl_reset_complete)} ResetError{flag(s.cxl_reset_error)} "
        f"PMComplete{flag(s.power_management_initialization_complete)}\n"
    )
    _cache_size(ctx, body.dvsec_cxl_capability2)
    for number, entry in enumerate(body.ranges, 1):
        _range(ctx, entry, number)


def _port(ctx: RenderContext, body, revision: int, length: int) -> None:
    if length < PORT_EXTENSIONS_LENGTH:
        return
    ctx.write(f"\t\tCXLPortSta:\tPMComplete{flag(body.port_extension_status.raw, PM_COMPLETE_MASK_3_9)}\n")
    c = body.port_control_extensions
    ctx.write(
        f"\t\tCXLPortCtl:\tUnmaskSBR{flag(c.unmask_sbr)} UnmaskLinkDisable{flag(c.unmask_link_disable)} "
        f"AltMem{flag(c.alt_memory_and_id_space_enable)} AltBME{flag(c.alt_bme)} ViralEnable{flag(c.viral_enable)}\n"
    )
    ctx.write(f"\t\tAlternateBus:\t{body.alternate_bus_base:02x}-{body.alternate_bus_limit:02x}\n")
    ctx.write(f"\t\tAlternateBus:\t{body.alternate_memory_base:04x}-{body.alternate_memory_limit:04x}\n")


def _register_locator(ctx: RenderContext, body, revision: int, length: int) -> None:
    for number, block in enumerate(body.register_blocks, 1):
        ident = block.low.register_block_identifier
        if not ident:
            continue
        name = "vendor-specific" if ident == 0xFF else _pick(BLOCK_NAMES, ident)
        ctx.write(
            f"\t\tBlock{number}: BIR: bar{block.low.register_bir}, ID: {name}, "
            f"offset: {block.register_block_offset:016x}\n"
        )


def _gpf_time(ctx: RenderContext, label: str, register) -> None:
    """``GPF <label>: <value><unit>``, after lspci's note on a reserved scale."""
    base, scale = register.base, register.scale
    if scale in (2, 5):
        value = base * 100
    elif scale in (1, 4, 7):
        value = base * 10
    else:
        value = base
        if scale > 7:
            ctx.write(f"\t\tReserved time scale encoding {scale:x}\n")
    seconds = scale <= 7 if ctx.dialect >= V3_14 else scale == 6
    unit = "us" if scale < 3 else "ms" if scale < 6 else "s" if seconds else "<?>"
    ctx.write(f"\t\tGPF {label}: {value}{unit}\n")


def _gpf_port(ctx: RenderContext, body, revision: int, length: int) -> None:
    _gpf_time(ctx, "Phase 1 Timeout", body.gpf_phase_1_control)
    _gpf_time(ctx, "Phase 2 Timeout", body.gpf_phase_2_control)


def _gpf_device(ctx: RenderContext, body, revision: int, length: int) -> None:
    _gpf_time(ctx, "Phase 2 Duration", body.gpf_phase_2_duration)
    ctx.write(f"\t\tGPF Phase 2 Power: {body.gpf_phase_2_power}mW\n")


def _flags(register, pairs) -> str:
    return " ".join(f"{label}{flag(register[name])}" for label, name in pairs)


CAP_FLAGS = (("Cache", "cache_capable"), ("IO", "io_capable"), ("Mem", "mem_capable"),
             ("68BFlit", "flit_68b_and_vh_capable"), ("MltLogDev", "multi_logical_device_capable"))
CAP_FLAGS_2 = (("256BFlit", "latency_optimized_256b_flit_capable"), ("PBRFlit", "pbr_flit_capable"))
CTL_FLAGS = (("Cache", "cache_enable"), ("IO", "io_enable"), ("Mem", "mem_enable"),
             ("SynHdrByp", "sync_hdr_bypass_enable"), ("DrftBuf", "drift_buffer_enable"),
             ("68BFlit", "flit_68b_and_vh_enable"), ("MltLogDev", "multi_logical_device_enable"),
             ("RCD", "disable_rcd_training"), ("Retimer1", "retimer1_present"), ("Retimer2", "retimer2_present"))
CTL_FLAGS_2 = (("256BFlit", "latency_optimized_256b_flit_enable"), ("PBRFlit", "pbr_flit_enable"))
STA_FLAGS = (("Cache", "cache_enabled"), ("IO", "io_enabled"), ("Mem", "mem_enabled"),
             ("SynHdrByp", "sync_hdr_bypass_enabled"), ("DrftBuf", "drift_buffer_enabled"),
             ("68BFlit", "flit_68b_and_vh_enabled"), ("MltLogDev", "multi_logical_device_enabled"))
STA_FLAGS_2 = (("256BFlit", "latency_optimized_256b_flit_enabled"), ("PBRFlit", "pbr_flit_enabled"))


def _flex_bus(ctx: RenderContext, body, revision: int, length: int) -> None:
    new = ctx.dialect >= V3_11
    if new and revision in FLEX_BUS_LENGTHS and length != FLEX_BUS_LENGTHS[revision]:
        ctx.write(f"\t\t<Wrong length for Revision {revision}>\n")
    wide = revision > 1
    rows = (
        ("FBCap", body.flex_bus_port_capability, CAP_FLAGS, CAP_FLAGS_2),
        ("FBCtl", body.flex_bus_port_control, CTL_FLAGS, CTL_FLAGS_2),
        ("FBSta", body.flex_bus_port_status, STA_FLAGS, STA_FLAGS_2),
    )
    for label, register, pairs, more in rows:
        ctx.write(f"\t\t{label}:\t" + _flags(register, pairs + more if wide else pairs) + "\n")
    if revision >= 1 or not new:
        data = body.flex_bus_port_received_modified_ts_data_phase1.received_flex_bus_data_phase1
        ctx.write(f"\t\tFBModTS:\tReceived FB Data: {data:06x}\n")
    if wide:
        ctx.write(f"\t\tFBCap2:\tNOPHint{flag(body.flex_bus_port_capability2.nop_hint_capable)}\n")
        ctx.write(f"\t\tFBCtl2:\tNOPHint{flag(body.flex_bus_port_control2.nop_hint_enable)}\n")
        ctx.write(f"\t\tFBSta2:\tNOPHintInfo: {body.flex_bus_port_status2.nop_hint_info:x}\n")
    if new and length > FLEX_BUS_LENGTH:
        ctx.write("\t\t<?>\n")


def _mld(ctx: RenderContext, body, revision: int, length: int) -> None:
    count = body.number_of_ld_supported
    if 0 < count <= MAX_LOGICAL_DEVICES:
        ctx.write(f"\t\tNumLogDevs: {count}\n")


def _function_map(ctx: RenderContext, body, revision: int, length: int) -> None:
    for index, value in enumerate(body.non_cxl_function_map):
        ctx.write(f"\t\tFuncMap {index}: {value & 0xFFFF:08x}\n")


HANDLERS = {
    DEVICE: _device,
    FUNCTION_MAP: _function_map,
    PORT_EXTENSIONS: _port,
    GPF_PORT: _gpf_port,
    GPF_DEVICE: _gpf_device,
    FLEX_BUS_PORT: _flex_bus,
    REGISTER_LOCATOR: _register_locator,
    MLD: _mld,
}


def render_body(ctx: RenderContext, dvsec_id: int, revision: int, length: int, body) -> None:
    """The -vv lines of one CXL DVSEC (nothing for registers that could not be decoded)."""
    handler = HANDLERS.get(dvsec_id)
    if ctx.dialect >= V3_11 and dvsec_id in TITLES:
        ctx.write(f"\t\t{TITLES[dvsec_id]}\n")
    if ctx.dialect >= V3_11 and dvsec_id == TEST_CAPABILITY:
        ctx.write("\t\tPCIe DVSEC for Test Capability <?>\n")
    elif handler is None:
        ctx.write(f"\t\tUnknown ID {dvsec_id:04x}\n")
    elif dvsec_id == FLEX_BUS_PORT and revision < 1 and ctx.dialect < V3_11:
        ctx.write(f"\t\tRevision {revision} not supported\n")
    elif body is not None and len(body) > 1:  # more than ``kind``: the registers were readable
        handler(ctx, body, revision, length)
