"""CXL Designated Vendor-Specific structures (DVSEC Vendor ID 0x1E98, CXL 2.0/3.0 spec 8.1).

Each body starts at +0x0A, right after the DVSEC headers. :func:`decode_body`
picks the layout by DVSEC ID (and revision, for the Flex Bus port); bodies are
decoded when readable, and a body longer than the DVSEC Length is recorded in
``problems``. The Register Locator's blocks are bounded by the DVSEC Length and
the readable config size.
"""
from __future__ import annotations

from functools import lru_cache

from construct import Array, Construct, Container, Int8ul, Int16ul, Int32ul, Padding, Struct

from ..attributes import HWINIT, RW, RW1CS, RW1S, All, Not, all_of, has
from ..bits import Bit, Bits, Register, whole
from ..context import DecodeContext
from . import parse_fixed

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Optional

CXL_VENDOR_ID = 0x1E98
BODY_OFFSET = 0x0A

DEVICE, FUNCTION_MAP, PORT_EXTENSIONS, GPF_PORT, GPF_DEVICE = 0, 2, 3, 4, 5
FLEX_BUS_PORT, REGISTER_LOCATOR, MLD = 7, 8, 9
NAMES = {
    DEVICE: "cxl_device",
    FUNCTION_MAP: "non_cxl_function_map",
    PORT_EXTENSIONS: "cxl_extensions_for_ports",
    GPF_PORT: "gpf_for_cxl_ports",
    GPF_DEVICE: "gpf_for_cxl_devices",
    FLEX_BUS_PORT: "flex_bus_port",
    REGISTER_LOCATOR: "register_locator",
    MLD: "mld",
    0x0A: "test_capability",
}

# Attributes per CXL 3.0 8.1: capabilities HwInit; controls RW where their capability is advertised;
# viral and Flex Bus error status RW1CS. The RWL controls (locked by CONFIG_LOCK) are RW while the
# lock is clear; CONFIG_LOCK itself is RWO, declared RW1S (set once, cleared only by reset). The
# conditions name the DVSEC's fields: the body is ``cxl`` within them.
_DEVICE = "cxl.dvsec_cxl_capability."
_FLEX = "cxl.flex_bus_port_capability."
_UNLOCKED = Not(has("cxl.dvsec_cxl_lock.config_lock"))


def _unlocked(capability: str) -> All:
    """RWL: writable while CONFIG_LOCK is clear, where the device advertises ``capability``."""
    return all_of(_UNLOCKED, has(_DEVICE + capability))


# -- PCIe DVSEC for CXL Devices (ID 0) ----------------------------------------------
DVSEC_CXL_CAPABILITY = Register(
    Int16ul,
    Bit("cache_capable", 0, HWINIT),
    Bit("io_capable", 1, HWINIT),
    Bit("mem_capable", 2, HWINIT),
    Bit("mem_hwinit_mode", 3, HWINIT),
    Bits("hdm_count", 4, 2, access=HWINIT),
    Bit("cache_writeback_and_invalidate_capable", 6, HWINIT),
    Bit("cxl_reset_capable", 7, HWINIT),
    Bits("cxl_reset_timeout", 8, 3, access=HWINIT),
    Bit("cxl_reset_mem_clr_capable", 11, HWINIT),
    Bit("multiple_logical_device", 13, HWINIT),
    Bit("viral_capable", 14, HWINIT),
    Bit("pm_init_completion_reporting_capable", 15, HWINIT),
)

DVSEC_CXL_CONTROL = Register(
    Int16ul,
    Bit("cache_enable", 0, RW, when=_unlocked("cache_capable")),
    Bit("io_enable", 1),
    Bit("mem_enable", 2, RW, when=_unlocked("mem_capable")),
    Bits("cache_sf_coverage", 3, 5, access=RW, when=_unlocked("cache_capable")),
    Bits("cache_sf_granularity", 8, 3, access=RW, when=_unlocked("cache_capable")),
    Bit("cache_clean_eviction", 11, RW, when=_unlocked("cache_capable")),
    Bit("viral_enable", 14, RW, when=_unlocked("viral_capable")),
)

DVSEC_CXL_STATUS = Register(Int16ul, Bit("viral_status", 14, RW1CS))

DVSEC_CXL_CONTROL2 = Register(
    Int16ul,
    Bit("disable_caching", 0, RW),
    Bit("initiate_cache_write_back_and_invalidation", 1, RW,
        when=has(_DEVICE + "cache_writeback_and_invalidate_capable")),
    Bit("initiate_cxl_reset", 2, RW, when=has(_DEVICE + "cxl_reset_capable")),
    Bit("cxl_reset_mem_clr_enable", 3, RW, when=has(_DEVICE + "cxl_reset_mem_clr_capable")),
    Bit("desired_volatile_hdm_state_after_hot_reset", 4, RW,
        when=has("cxl.dvsec_cxl_capability3.volatile_hdm_state_after_hot_reset_configurability")),
)

DVSEC_CXL_STATUS2 = Register(
    Int16ul,
    Bit("cache_invalid", 0),
    Bit("cxl_reset_complete", 1),
    Bit("cxl_reset_error", 2),
    Bit("power_management_initialization_complete", 15),
)

DVSEC_CXL_LOCK = Register(Int16ul, Bit("config_lock", 0, RW1S))

# DVSEC revision 2 (CXL 2.0) appends Capability3 at +0x38, inside a Length of 0x3C.
DVSEC_CXL_CAPABILITY3 = Register(
    Int16ul,
    Bit("default_volatile_hdm_state_after_cold_reset", 0, HWINIT),
    Bit("default_volatile_hdm_state_after_warm_reset", 1, HWINIT),
    Bit("default_volatile_hdm_state_after_hot_reset", 2, HWINIT),
    Bit("volatile_hdm_state_after_hot_reset_configurability", 3, HWINIT),
)
CAPABILITY3_OFFSET = 0x38

DVSEC_CXL_CAPABILITY2 = Register(
    Int16ul, Bits("cache_size_unit", 0, 4, access=HWINIT), Bits("cache_size", 8, 8, access=HWINIT)
)

RANGE_SIZE_LOW = Register(
    Int32ul,
    Bit("memory_info_valid", 0),
    Bit("memory_active", 1),
    Bits("media_type", 2, 3),
    Bits("memory_class", 5, 3),
    Bits("desired_interleave", 8, 5),
    Bits("memory_active_timeout", 13, 3),
    Bits("memory_size_low", 28, 4),
)

RANGE_BASE_LOW = Register(Int32ul, Bits("memory_base_low", 28, 4, access=RW, when=_UNLOCKED))

RANGE = Struct(
    "size_high" / Int32ul,
    "size_low" / RANGE_SIZE_LOW,
    "base_high" / whole(Int32ul, RW, when=_UNLOCKED),
    "base_low" / RANGE_BASE_LOW,
)

DEVICE_BODY = Struct(
    "dvsec_cxl_capability" / DVSEC_CXL_CAPABILITY,
    "dvsec_cxl_control" / DVSEC_CXL_CONTROL,
    "dvsec_cxl_status" / DVSEC_CXL_STATUS,
    "dvsec_cxl_control2" / DVSEC_CXL_CONTROL2,
    "dvsec_cxl_status2" / DVSEC_CXL_STATUS2,
    "dvsec_cxl_lock" / DVSEC_CXL_LOCK,
    "dvsec_cxl_capability2" / DVSEC_CXL_CAPABILITY2,
    "ranges" / Array(2, RANGE),
)

# -- Non-CXL Function Map DVSEC (ID 2) ------------------------------------------------
FUNCTION_MAP_BODY = Struct(Padding(2), "non_cxl_function_map" / Array(8, Int32ul))

# -- CXL Extensions DVSEC for Ports (ID 3) --------------------------------------------
PORT_EXTENSION_STATUS = Register(
    Int16ul,
    Bit("port_power_management_initialization_complete", 0),
    Bit("viral_status", 14, RW1CS),
)

PORT_CONTROL_EXTENSIONS = Register(
    Int16ul,
    Bit("unmask_sbr", 0, RW),
    Bit("unmask_link_disable", 1, RW),
    Bit("alt_memory_and_id_space_enable", 2, RW),
    Bit("alt_bme", 3, RW),
    Bit("viral_enable", 14, RW),
)

PORT_EXTENSIONS_BODY = Struct(
    "port_extension_status" / PORT_EXTENSION_STATUS,
    "port_control_extensions" / PORT_CONTROL_EXTENSIONS,
    "alternate_bus_base" / whole(Int8ul, RW),
    "alternate_bus_limit" / whole(Int8ul, RW),
    "alternate_memory_base" / whole(Int16ul, RW),
    "alternate_memory_limit" / whole(Int16ul, RW),
    "alternate_prefetchable_memory_base" / whole(Int16ul, RW),
    "alternate_prefetchable_memory_limit" / whole(Int16ul, RW),
    "alternate_prefetchable_memory_base_high" / whole(Int32ul, RW),
    "alternate_prefetchable_memory_limit_high" / whole(Int32ul, RW),
    "cxl_rcrb_base" / whole(Int32ul, RW),
    "cxl_rcrb_base_high" / whole(Int32ul, RW),
)

# -- GPF DVSECs (IDs 4 and 5) -----------------------------------------------------------
GPF_TIME = Register(Int16ul, Bits("base", 0, 4, access=RW), Bits("scale", 8, 4, access=RW))

GPF_PORT_BODY = Struct(
    Padding(2),
    "gpf_phase_1_control" / GPF_TIME,
    "gpf_phase_2_control" / GPF_TIME,
)

GPF_DEVICE_BODY = Struct(
    "gpf_phase_2_duration" / GPF_TIME,
    "gpf_phase_2_power" / whole(Int32ul, HWINIT),
)

# -- PCIe DVSEC for Flex Bus Port (ID 7) -------------------------------------------------
FLEX_BUS_PORT_CAPABILITY = Register(
    Int16ul,
    Bit("cache_capable", 0, HWINIT),
    Bit("io_capable", 1, HWINIT),
    Bit("mem_capable", 2, HWINIT),
    Bit("flit_68b_and_vh_capable", 5, HWINIT),
    Bit("multi_logical_device_capable", 6, HWINIT),
    Bit("latency_optimized_256b_flit_capable", 13, HWINIT),
    Bit("pbr_flit_capable", 14, HWINIT),
)

FLEX_BUS_PORT_CONTROL = Register(
    Int16ul,
    Bit("cache_enable", 0, RW, when=has(_FLEX + "cache_capable")),
    Bit("io_enable", 1, RW, when=has(_FLEX + "io_capable")),
    Bit("mem_enable", 2, RW, when=has(_FLEX + "mem_capable")),
    Bit("sync_hdr_bypass_enable", 3, RW),
    Bit("drift_buffer_enable", 4, RW),
    Bit("flit_68b_and_vh_enable", 5, RW, when=has(_FLEX + "flit_68b_and_vh_capable")),
    Bit("multi_logical_device_enable", 6, RW, when=has(_FLEX + "multi_logical_device_capable")),
    Bit("disable_rcd_training", 7, RW),
    Bit("retimer1_present", 8, RW),
    Bit("retimer2_present", 9, RW),
    Bit("latency_optimized_256b_flit_enable", 13, RW, when=has(_FLEX + "latency_optimized_256b_flit_capable")),
    Bit("pbr_flit_enable", 14, RW, when=has(_FLEX + "pbr_flit_capable")),
)

FLEX_BUS_PORT_STATUS = Register(
    Int16ul,
    Bit("cache_enabled", 0),
    Bit("io_enabled", 1),
    Bit("mem_enabled", 2),
    Bit("sync_hdr_bypass_enabled", 3),
    Bit("drift_buffer_enabled", 4),
    Bit("flit_68b_and_vh_enabled", 5),
    Bit("multi_logical_device_enabled", 6),
    Bit("even_half_failed", 7),
    Bit("correctable_protocol_id_framing_error", 8, RW1CS),
    Bit("uncorrectable_protocol_id_framing_error", 9, RW1CS),
    Bit("unexpected_protocol_id_dropped", 10, RW1CS),
    Bit("retimers_present_mismatched", 11, RW1CS),
    Bit("flexbusenablebits_phase2_mismatch", 12, RW1CS),
    Bit("latency_optimized_256b_flit_enabled", 13),
    Bit("pbr_flit_enabled", 14),
)

RECEIVED_MODIFIED_TS_DATA_PHASE1 = Register(Int32ul, Bits("received_flex_bus_data_phase1", 0, 24))

FLEX_BUS_BODY = Struct(
    "flex_bus_port_capability" / FLEX_BUS_PORT_CAPABILITY,
    "flex_bus_port_control" / FLEX_BUS_PORT_CONTROL,
    "flex_bus_port_status" / FLEX_BUS_PORT_STATUS,
    "flex_bus_port_received_modified_ts_data_phase1" / RECEIVED_MODIFIED_TS_DATA_PHASE1,
)

FLEX_BUS_BODY_2 = Struct(
    *FLEX_BUS_BODY.subcons,
    "flex_bus_port_capability2" / Register(Int32ul, Bit("nop_hint_capable", 0, HWINIT)),
    "flex_bus_port_control2" / Register(Int32ul, Bit("nop_hint_enable", 0, RW,
                                                     when=has("cxl.flex_bus_port_capability2.nop_hint_capable"))),
    "flex_bus_port_status2" / Register(Int32ul, Bits("nop_hint_info", 0, 2)),
)

# -- Register Locator DVSEC (ID 8) -------------------------------------------------------
REGISTER_BLOCK_LOW = Register(
    Int32ul,
    Bits("register_bir", 0, 3, access=HWINIT),
    Bits("register_block_identifier", 8, 8, access=HWINIT),
    Bits("register_block_offset_low", 16, 16, shift=16, access=HWINIT),
)

REGISTER_BLOCK = Struct("low" / REGISTER_BLOCK_LOW, "register_block_offset_high" / Int32ul)
REGISTER_BLOCKS_OFFSET = 0x0C
REGISTER_BLOCK_SIZE = 8
REGISTER_BLOCK_IDS = {
    0: "empty",
    1: "component_registers",
    2: "bar_virtualization_acl_registers",
    3: "cxl_memory_device_registers",
    4: "cpmu_registers",
    0xFF: "designated_vendor_specific_registers",
}

# -- MLD DVSEC (ID 9) ------------------------------------------------------------------
MLD_BODY = Struct("number_of_ld_supported" / whole(Int16ul, HWINIT), "ld_id_hot_reset_vector" / whole(Int16ul, RW))

BODIES: dict[int, Construct] = {
    DEVICE: DEVICE_BODY,
    FUNCTION_MAP: FUNCTION_MAP_BODY,
    PORT_EXTENSIONS: PORT_EXTENSIONS_BODY,
    GPF_PORT: GPF_PORT_BODY,
    GPF_DEVICE: GPF_DEVICE_BODY,
    FLEX_BUS_PORT: FLEX_BUS_BODY,
    MLD: MLD_BODY,
}


def _body_schema(dvsec_id: int, revision: int) -> Optional[Construct]:
    if dvsec_id == FLEX_BUS_PORT and revision >= 2:
        return FLEX_BUS_BODY_2
    return BODIES.get(dvsec_id)


@lru_cache(maxsize=None)
def walked_body(dvsec_id: int, revision: int) -> Optional[Construct]:
    """The body as the register catalogue walks it (the device body with Capability3 after it)."""
    schema = _body_schema(dvsec_id, revision)
    if dvsec_id == DEVICE:
        return Struct(*DEVICE_BODY.subcons, "dvsec_cxl_capability3" / DVSEC_CXL_CAPABILITY3)
    return schema


def _ranges(body: Container) -> None:
    """Whole 64-bit sizes and bases of the two HDM ranges (low 28 bits are not part of them)."""
    for entry in body.ranges:
        entry["size"] = (entry.size_high << 32) | (entry.size_low.raw & 0xF0000000)
        entry["base"] = (entry.base_high << 32) | (entry.base_low.raw & 0xF0000000)


def _register_blocks(ctx: DecodeContext, length: int, problems: list[str]) -> list[Container]:
    blocks = []
    count = max(0, (length - REGISTER_BLOCKS_OFFSET) // REGISTER_BLOCK_SIZE)
    for index in range(count):
        relative = REGISTER_BLOCKS_OFFSET + index * REGISTER_BLOCK_SIZE
        if not ctx.readable(relative, REGISTER_BLOCK_SIZE):
            problems.append(f"register block {index + 1} at +0x{relative:x} is not readable")
            break
        block = ctx.parse(REGISTER_BLOCK, relative)
        low = block.low
        block["register_block_name"] = REGISTER_BLOCK_IDS.get(low.register_block_identifier)
        block["register_block_offset"] = (block.register_block_offset_high << 32) | low.register_block_offset_low
        blocks.append(block)
    return blocks


def decode_body(ctx: DecodeContext, dvsec_id: int, revision: int, length: int, problems: list[str]) -> Container:
    """The CXL registers after the DVSEC headers, as far as they are known and readable."""
    body = Container(kind=NAMES.get(dvsec_id))
    if dvsec_id == REGISTER_LOCATOR:
        body["register_blocks"] = _register_blocks(ctx, length, problems)
        return body
    schema = _body_schema(dvsec_id, revision)
    if schema is None:
        return body
    end = BODY_OFFSET + schema.sizeof()
    if not ctx.readable(0, end):
        problems.append(f"CXL {body.kind} registers run past the readable config space")
        return body
    if length < end:
        problems.append(f"DVSEC Length {length} is shorter than the {end} bytes of its CXL registers")
    body.update(parse_fixed(ctx, schema, BODY_OFFSET))
    if dvsec_id == DEVICE:
        _ranges(body)
        readable = ctx.readable(CAPABILITY3_OFFSET, 2)
        body["dvsec_cxl_capability3"] = DVSEC_CXL_CAPABILITY3.decode(ctx.u16(CAPABILITY3_OFFSET)) if readable else None
    return body
