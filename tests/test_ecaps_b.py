"""Extended capabilities, batch B: Virtual Channel, RC Link Declaration, RCEC association, VSEC,
Multicast, (VF) Resizable BAR, TPH Requester, DVSEC (CXL structures), DOE; and the schema-only ones
lspci 3.9.0 merely names (Power Budgeting, Data Link Feature, Physical Layer 16/32/64 GT/s, Lane
Margining, Device 3, IDE, Flit Logging, Flit Error Injection, MMIO Register Block Locator).

Schemas are checked on bytes laid out here from the register maps of the PCIe base spec and the
CXL spec (field values follow from bit positions; parse, build and compiled parse agree). The lspci
text is checked against the real lspci 3.9.0, block by block for these capabilities only: on dump
fixtures built here for what the corpus lacks, and on corpus dumps.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

import pytest

from pcikit.render.fields import plain
from pcikit.schema.context import DecodeContext
from pcikit.schema.ecaps import cxl, doe, dvsec, multicast, rcec, rclink, rebar, tph, vc, vsec

from . import oracle
from .conftest import dump_text, need_corpus, need_lspci, put

BASE = 0x100
ENDPOINT, LEGACY_ENDPOINT, ROOT_PORT, UPSTREAM, DOWNSTREAM, RCIEP = 0x0, 0x1, 0x4, 0x5, 0x6, 0x9
PORTS = (ROOT_PORT, UPSTREAM, DOWNSTREAM)


# -- building config images -------------------------------------------------------------------------
def dwords(*values: int) -> bytes:
    """Little-endian 32-bit dwords."""
    return b"".join(v.to_bytes(4, "little") for v in values)


def words(*values: int) -> bytes:
    """Little-endian 16-bit words."""
    return b"".join(v.to_bytes(2, "little") for v in values)


def qwords(*values: int) -> bytes:
    """Little-endian 64-bit qwords."""
    return b"".join(v.to_bytes(8, "little") for v in values)


def function(
    port_type: Optional[int],
    caps: list[tuple[int, bytes]],
    size: int = 4096,
    offsets: Optional[list[int]] = None,
    version: int = 1,
) -> bytes:
    """A function whose extended capabilities ``(ID, bytes after the header)`` chain from 0x100.

    ``port_type`` None gives a PCI-X function instead of a PCI Express one (lspci then walks the
    extended list with no port type). Capabilities follow each other, dword aligned, unless
    ``offsets`` places them. The image is cut to ``size`` bytes.
    """
    bridge = port_type in PORTS
    buf = bytearray(4096)
    put(buf, 0x00, 2, 0x1234)
    put(buf, 0x02, 2, 0x5678)
    put(buf, 0x06, 2, 0x0010)  # Status: Capabilities List
    put(buf, 0x0A, 2, 0x0604 if bridge else 0x0200)
    buf[0x0E] = 1 if bridge else 0
    buf[0x34] = 0x40
    if port_type is None:
        buf[0x40] = 0x07  # PCI-X
    else:
        buf[0x40] = 0x10
        put(buf, 0x42, 2, 2 | port_type << 4)
    if offsets is None:
        offsets, where = [], BASE
        for _, body in caps:
            offsets.append(where)
            where = (where + 4 + len(body) + 3) & ~3
    for index, ((cap_id, body), where) in enumerate(zip(caps, offsets)):
        following = offsets[index + 1] if index + 1 < len(caps) else 0
        put(buf, where, 4, cap_id | version << 16 | following << 20)
        end = min(where + 4 + len(body), 4096)
        buf[where + 4 : end] = body[: end - where - 4]
    return bytes(buf[:size])


def context(image: bytes, port_type: Optional[int] = ENDPOINT, offset: int = BASE) -> DecodeContext:
    """What the model hands a decoder for the capability at ``offset``."""
    full = image + b"\xff" * (4096 - len(image))
    return DecodeContext(full, offset, len(image), 0x1234, 0x5678, full[0x0E] & 0x7F, port_type, 0)


def decode(module, cap_id: int, body: bytes, port_type: Optional[int] = ENDPOINT, version: int = 1, size: int = 4096):
    """Decode one capability built at 0x100 of an otherwise plain function."""
    image = function(port_type, [(cap_id, body)], size=size, version=version)
    return module.decode(context(image, port_type))


# -- Virtual Channel ---------------------------------------------------------------------------------
def vc_port(evc: int, lpevc: int = 0, clock: int = 0, entry_size: int = 0, arb_cap: int = 1, vat: int = 0,
            select: int = 0, status: int = 0) -> bytes:
    """Port VC Capability 1/2, Control and Status (12 bytes after the header)."""
    return dwords(evc | lpevc << 4 | clock << 8 | entry_size << 10, arb_cap | vat << 24) + words(select << 1, status)


def vc_resource(arb_cap: int = 1, reject: int = 0, slots: int = 0, pat: int = 0, tc_vc: int = 0, select: int = 0,
                vc_id: int = 0, enable: int = 0, status: int = 0) -> bytes:
    """One VC Resource: Capability, Control, reserved word, Status."""
    return dwords(arb_cap | reject << 15 | slots << 16 | pat << 24, tc_vc | select << 17 | vc_id << 24 | enable << 31) \
        + words(0, status)


def nibbles(values: list[int]) -> bytes:
    """4-bit table entries, phase 0 in the low nibble of the first byte."""
    return bytes(values[i] | values[i + 1] << 4 for i in range(0, len(values), 2))


VC_TABLE = [i % 8 for i in range(32)]
PAT_VC0 = [(i * 3) % 16 for i in range(32)]
VC_BODY = (
    vc_port(2, lpevc=1, entry_size=2, arb_cap=0b1011, vat=4, select=1, status=1)
    + vc_resource(arb_cap=0b11, reject=1, slots=0x1F, pat=5, tc_vc=0xFF, select=1, enable=1, status=2)
    + vc_resource(tc_vc=0x01, vc_id=1)
    + vc_resource(arb_cap=0x20, pat=6, select=5, vc_id=2, status=1)
    + bytes(0x40 - 0x34)
    + nibbles(VC_TABLE)
    + nibbles(PAT_VC0)
    + bytes(range(128))
)


def test_vc_port_and_resource_fields():
    f = decode(vc, 0x02, VC_BODY)
    cap1 = f.port_vc_capability_1
    assert cap1.extended_vc_count == 2 and cap1.low_priority_extended_vc_count == 1
    assert f.vc_count == 3 and f.port_arbitration_table_entry_bits == 4
    cap2 = f.port_vc_capability_2
    assert cap2.hardware_fixed_arbitration and cap2.wrr_32_phases and not cap2.wrr_64_phases and cap2.wrr_128_phases
    assert cap2.vc_arbitration_table_offset == 4
    assert f.port_vc_control.vc_arbitration_select == 1 and f.port_vc_status.vc_arbitration_table_status
    vc0, vc1, vc2 = f.vc_resources
    assert vc0.vc_resource_capability.reject_snoop_transactions and vc0.vc_resource_capability.wrr_32_phases
    assert vc0.vc_resource_capability.maximum_time_slots == 0x20
    assert vc0.vc_resource_control.tc_vc_map == 0xFF and vc0.vc_resource_control.vc_enable
    assert vc0.vc_resource_status.vc_negotiation_pending and not vc0.vc_resource_status.port_arbitration_table_status
    assert vc1.vc_resource_control.vc_id == 1 and not vc1.vc_resource_control.vc_enable
    assert vc1.port_arbitration_table is None
    assert vc2.vc_resource_capability.wrr_256_phases and vc2.vc_resource_status.port_arbitration_table_status
    assert f.problems == []


def test_vc_arbitration_tables_follow_the_selected_scheme():
    f = decode(vc, 0x02, VC_BODY)
    table = f.vc_arbitration_table
    assert (table.offset, table.phases, table.entry_bits) == (0x40, 32, 4)
    assert table.entries == VC_TABLE
    pat0 = f.vc_resources[0].port_arbitration_table
    assert (pat0.offset, pat0.phases) == (0x50, 32) and pat0.entries == PAT_VC0
    pat2 = f.vc_resources[2].port_arbitration_table
    assert pat2.phases == 256 and len(pat2.entries) == 256
    assert pat2.entries[:4] == [0, 0, 1, 0] and pat2.entries[-2:] == [0xF, 7]  # bytes 0x00, 0x01 ... 0x7f


def test_vc_fixed_arbitration_table_has_no_entries():
    f = decode(vc, 0x02, vc_port(0, vat=2, select=0) + vc_resource())
    assert f.vc_arbitration_table.phases is None and f.vc_arbitration_table.entries is None


def test_vc_resources_and_tables_are_bounded_by_readable_space():
    f = decode(vc, 0x02, VC_BODY, size=BASE + 0x10 + 12 * 2 + 4)
    assert len(f.vc_resources) == 2 and f.vc_count == 3
    assert f.vc_arbitration_table.entries is None
    assert f.vc_resources[0].port_arbitration_table.entries is None
    assert len(f.problems) == 3
    f = decode(vc, 0x02, vc_port(7), size=BASE + 0x10)
    assert f.vc_resources == [] and f.problems
    f = decode(vc, 0x02, vc_port(7), size=BASE + 8)
    assert f.vc_resources == [] and f.problems


# -- Root Complex Link Declaration --------------------------------------------------------------------
def rclink_body(element_type: int, links: list[tuple[int, int]], component: int = 0x12, port: int = 0x34) -> bytes:
    """Element Self Description, reserved, then (Link Description, Link Address) entries."""
    body = dwords(element_type | len(links) << 8 | component << 16 | port << 24, 0, 0)
    for desc, address in links:
        body += dwords(desc, 0) + qwords(address)
    return body


CONFIG_LINK = 0xE000_0000 | 5 << 20 | 3 << 15 | 2 << 12 | 3  # N=3 bus bits: bus 5, device 3, function 2
RCLINK_BODY = rclink_body(
    1,
    [
        (1 | 0x01 << 16 | 0x00 << 24, 0x1_FED1_9000),
        (1 | 2 | 4 | 0x02 << 16 | 0x07 << 24, CONFIG_LINK),
        (2 | 0x03 << 16, 0xF000_0000 | 0xAB << 20),  # N=0: 8 bus bits
    ],
)


def test_rclink_self_description_and_links():
    f = decode(rclink, 0x05, RCLINK_BODY)
    esd = f.element_self_description
    assert (esd.element_type, esd.number_of_link_entries, esd.component_id, esd.port_number) == (1, 3, 0x12, 0x34)
    memory, config, wide = f.link_entries
    assert memory.link_description.link_valid and not memory.link_description.link_type
    assert memory.link_address == 0x1_FED1_9000 and memory.config_address is None
    desc = config.link_description
    assert desc.link_type and desc.associate_rcrb_header and desc.target_component_id == 2
    assert desc.target_port_number == 7
    where = config.config_address
    assert (where.n, where.bus, where.device, where.function) == (3, 5, 3, 2)
    assert where.base_address == 0xE000_0000
    assert wide.config_address.n == 8 and wide.config_address.bus == 0xAB and not wide.link_description.link_valid


def test_rclink_entries_are_bounded_by_readable_space():
    f = decode(rclink, 0x05, rclink_body(0, [(0, 0)] * 255)[:0x100], size=BASE + 0x40)
    assert f.element_self_description.number_of_link_entries == 255
    assert len(f.link_entries) == 3 and f.problems


# -- RCEC Endpoint Association --------------------------------------------------------------------------
def test_rcec_bitmap_and_bus_numbers_by_version():
    f = decode(rcec, 0x07, dwords(0x8000_0013, 0x00_05_02_00), version=2)
    assert f.association_bitmap_for_rcieps == 0x8000_0013
    assert f.associated_devices == [0, 1, 4, 31]
    assert (f.associated_bus_numbers.next_bus, f.associated_bus_numbers.last_bus) == (2, 5)
    f = decode(rcec, 0x07, dwords(0x2, 0x00_05_02_00), version=1)
    assert f.associated_bus_numbers is None and f.associated_devices == [1]


# -- VSEC ------------------------------------------------------------------------------------------------
def test_vsec_header_and_length_checks():
    f = decode(vsec, 0x0B, dwords(0x1234 | 2 << 16 | 0x18 << 20, 0, 0, 0, 0))
    assert (f.vsec_id, f.vsec_rev, f.vsec_length) == (0x1234, 2, 0x18) and f.problems == []
    assert decode(vsec, 0x0B, dwords(0x1 | 4 << 20)).problems  # shorter than the headers
    assert decode(vsec, 0x0B, dwords(0x1 | 0xFFF << 20)).problems  # past 4 KiB


# -- Multicast -----------------------------------------------------------------------------------------------
MULTICAST_BODY = (
    words(0x3F | 12 << 8 | 1 << 15, 0x07 | 1 << 15)
    + qwords(0x1234_5678_9ABC_D000 | 0x3F, 0xF0, 0x0F, 0xFFFF_0000_0000_0000, 0xABCD_EF00_0000_0000 | 40)
)


def test_multicast_registers():
    f = decode(multicast, 0x12, MULTICAST_BODY, DOWNSTREAM)
    mcap = f.multicast_capability
    assert mcap.mc_max_group == 64 and mcap.mc_window_size_requested == 12 and mcap.mc_ecrc_regeneration_supported
    assert f.mc_window_size_bytes == 4096
    assert f.multicast_control.mc_num_group == 8 and f.multicast_control.mc_enable
    assert f.mc_base_address.mc_index_position == 0x3F and f.mc_base_address.mc_base_address == 0x1234_5678_9ABC_D000
    assert (f.mc_receive, f.mc_block_all, f.mc_block_untranslated) == (0xF0, 0x0F, 0xFFFF_0000_0000_0000)
    assert f.mc_overlay_bar.mc_overlay_size == 40 and f.mc_overlay_bar.mc_overlay_bar == 0xABCD_EF00_0000_0000
    assert f.mc_overlay_size_bytes == 1 << 40 and f.port_type == DOWNSTREAM
    assert decode(multicast, 0x12, words(0, 0) + qwords(0, 0, 0, 0, 5)).mc_overlay_size_bytes is None


# -- Resizable BAR -------------------------------------------------------------------------------------------------
def rebar_entry(index: int, count: int, size: int, sizes: int, extended: int = 0) -> bytes:
    """Capability (sizes from bit 4) and Control (index, count, size, extended sizes)."""
    return dwords(sizes << 4, index | count << 5 | size << 8 | extended << 16)


def test_rebar_entries_and_sizes():
    body = rebar_entry(0, 2, 8, 1 | 1 << 8, extended=1) + rebar_entry(2, 0, 1, 0b110)
    f = decode(rebar, 0x15, body)
    assert f.number_of_resizable_bars == 2 and len(f.entries) == 2
    first, second = f.entries
    assert first.resizable_bar_control.bar_index == 0 and first.current_size == 256 << 20
    assert first.supported_sizes == [1 << 20, 256 << 20, 1 << 48]
    assert second.resizable_bar_control.bar_index == 2 and second.supported_sizes == [2 << 20, 4 << 20]
    assert f.problems == []


@pytest.mark.parametrize("count", [0, 7])
def test_rebar_count_out_of_specification_keeps_the_first_entry(count):
    f = decode(rebar, 0x15, rebar_entry(1, count, 0, 1) * 7)
    assert f.number_of_resizable_bars == count and len(f.entries) == 1 and f.problems


def test_rebar_entries_are_bounded_by_readable_space():
    f = decode(rebar, 0x24, rebar_entry(0, 6, 0, 1) * 6, size=BASE + 4 + 8 * 2 + 3)
    assert len(f.entries) == 2 and f.problems


# -- TPH Requester ----------------------------------------------------------------------------------------------
def tph_capability(location: int, size: int = 0, flags: int = 0) -> int:
    """Capability register: mode flags (bits 0-2, 8), ST Table Location, ST Table Size - 1."""
    return flags | location << 9 | size << 16


def test_tph_st_table_in_capability():
    body = dwords(tph_capability(1, 3, 0b111 | 1 << 8), 2 | 1 << 8) + words(0x0102, 0x0304, 0x0506, 0x0708)
    f = decode(tph, 0x17, body)
    c = f.tph_requester_capability
    assert c.no_st_mode_supported and c.interrupt_vector_mode_supported and c.device_specific_mode_supported
    assert c.extended_tph_requester_supported and c.st_table_size == 4
    assert f.tph_requester_control.st_mode_select == 2 and f.tph_requester_control.tph_requester_enable == 1
    assert f.st_table_location_name == "tph_capability"
    assert [(e.st_lower, e.st_upper) for e in f.st_table] == [(2, 1), (4, 3), (6, 5), (8, 7)]


@pytest.mark.parametrize("location, name", [(0, "none"), (2, "msix_table"), (3, "reserved")])
def test_tph_st_table_elsewhere(location, name):
    f = decode(tph, 0x17, dwords(tph_capability(location, 7), 0))
    assert f.st_table is None and f.st_table_location_name == name


def test_tph_st_table_is_bounded_by_readable_space():
    f = decode(tph, 0x17, dwords(tph_capability(1, 0x7FF), 0), size=BASE + 0x0C + 10)
    assert len(f.st_table) == 5 and f.tph_requester_capability.st_table_size == 2048 and f.problems


# -- DVSEC and CXL --------------------------------------------------------------------------------------------------
def dvsec_body(vendor: int, dvsec_id: int, revision: int, registers: bytes, length: Optional[int] = None) -> bytes:
    """Headers 1 and 2, then registers from +0x0A; Length covers the whole structure by default."""
    length = 0x0A + len(registers) if length is None else length
    return dwords(vendor | revision << 16 | length << 20) + words(dvsec_id) + registers


CXL_RANGE_1 = (1, 0x1_0000_0000 | 0x5 | 1 << 2 | 3 << 8 | 2 << 13, 0x20, 0x8000_0000)  # size, base
CXL_DEVICE_REGISTERS = (
    words(0x1 | 0x4 | 0x8 | 2 << 4 | 1 << 14, 0x2 | 3 << 3 | 2 << 8 | 1 << 11, 1 << 14, 0x1, 0x2 | 1 << 15, 0x1,
          0x2 | 0x10 << 8)
    + dwords(1, 0x1000_0000 | 0x3 | 1 << 5 | 1 << 13, 0x20, 0x8000_0000)
    + dwords(0, 0x0, 0, 0)
)


def test_dvsec_headers_and_cxl_device():
    f = decode(dvsec, 0x23, dvsec_body(0x1E98, 0, 1, CXL_DEVICE_REGISTERS))
    assert (f.dvsec_vendor_id, f.dvsec_id, f.dvsec_revision, f.dvsec_length) == (0x1E98, 0, 1, 0x38)
    body = f.cxl
    assert body.kind == "cxl_device"
    c = body.dvsec_cxl_capability
    assert c.cache_capable and not c.io_capable and c.mem_capable and c.mem_hwinit_mode and c.hdm_count == 2
    assert c.viral_capable
    ctl = body.dvsec_cxl_control
    assert ctl.io_enable and ctl.cache_sf_coverage == 3 and ctl.cache_sf_granularity == 2 and ctl.cache_clean_eviction
    assert body.dvsec_cxl_status.viral_status and body.dvsec_cxl_control2.disable_caching
    assert body.dvsec_cxl_status2.cxl_reset_complete and body.dvsec_cxl_status2.power_management_initialization_complete
    assert body.dvsec_cxl_lock.config_lock
    assert body.dvsec_cxl_capability2.cache_size_unit == 2 and body.dvsec_cxl_capability2.cache_size == 0x10
    first = body.ranges[0]
    assert first.size == 0x1_1000_0000 and first.base == 0x20_8000_0000
    low = first.size_low
    assert low.memory_info_valid and low.memory_active and low.memory_class == 1 and low.memory_active_timeout == 1
    assert f.problems == []


def test_cxl_register_locator_blocks_follow_the_length():
    blocks = dwords(0x2 | 1 << 8 | 0x1234 << 16, 0x1, 0, 0, 0x4 | 0xFF << 8, 0) + dwords(0x3 | 3 << 8, 0)
    f = decode(dvsec, 0x23, dvsec_body(0x1E98, 8, 0, words(0) + blocks, length=0x0C + 8 * 3))
    first, empty, vendor = f.cxl.register_blocks
    assert first.low.register_bir == 2 and first.register_block_name == "component_registers"
    assert first.register_block_offset == 0x1_1234_0000
    assert empty.low.register_block_identifier == 0 and empty.register_block_name == "empty"
    assert vendor.register_block_name == "designated_vendor_specific_registers"


def test_cxl_flex_bus_revision_2_and_gpf():
    registers = words(0x7 | 1 << 13, 0x3FF, 0x7F | 1 << 14) + dwords(0xABCDEF, 1, 1, 2)
    f = decode(dvsec, 0x23, dvsec_body(0x1E98, 7, 2, registers))
    body = f.cxl
    assert body.flex_bus_port_capability.latency_optimized_256b_flit_capable
    assert body.flex_bus_port_control.retimer2_present and body.flex_bus_port_status.pbr_flit_enabled
    assert body.flex_bus_port_received_modified_ts_data_phase1.received_flex_bus_data_phase1 == 0xABCDEF
    assert body.flex_bus_port_status2.nop_hint_info == 2
    f = decode(dvsec, 0x23, dvsec_body(0x1E98, 7, 1, registers[:10]))
    assert "flex_bus_port_capability2" not in f.cxl
    f = decode(dvsec, 0x23, dvsec_body(0x1E98, 5, 0, words(0x5 | 4 << 8) + dwords(250)))
    assert f.cxl.gpf_phase_2_duration.base == 5 and f.cxl.gpf_phase_2_duration.scale == 4
    assert f.cxl.gpf_phase_2_power == 250


def test_dvsec_other_vendors_and_short_structures():
    f = decode(dvsec, 0x23, dvsec_body(0x8086, 3, 1, bytes(6)))
    assert f.cxl is None and f.dvsec_length == 16 and f.problems == []
    f = decode(dvsec, 0x23, dvsec_body(0x1E98, 3, 1, bytes(6)))  # port extensions need 0x28 bytes
    assert f.cxl.kind == "cxl_extensions_for_ports" and f.problems
    f = decode(dvsec, 0x23, dvsec_body(0x1E98, 0, 1, CXL_DEVICE_REGISTERS), size=BASE + 0x20)
    assert "ranges" not in f.cxl and f.problems


# -- DOE ------------------------------------------------------------------------------------------------------------
def test_doe_registers():
    f = decode(doe, 0x2E, dwords(1 | 0x2A << 1, 1 << 1 | 1 << 31, 1 << 2 | 1 << 31, 0x11, 0x22))
    assert f.doe_capabilities.doe_interrupt_support and f.doe_capabilities.doe_interrupt_message_number == 0x2A
    assert f.doe_control.doe_interrupt_enable and f.doe_control.doe_go and not f.doe_control.doe_abort
    assert f.doe_status.doe_error and f.doe_status.data_object_ready and not f.doe_status.doe_busy
    assert (f.doe_write_data_mailbox, f.doe_read_data_mailbox) == (0x11, 0x22) and f.problems == []
    assert decode(doe, 0x2E, dwords(0, 0), size=BASE + 0x10).problems


# -- round trips and the end of config space ----------------------------------------------------------------------
ROUND_TRIPS = {
    "vc": (vc.SCHEMA, vc_port(1) + vc_resource(arb_cap=3, tc_vc=1, enable=1) + vc_resource(vc_id=1)),
    "vc-resource": (vc.VC_RESOURCE, vc_resource(arb_cap=0x3F, reject=1, slots=5, pat=2, select=4, status=3)),
    "rclink": (rclink.SCHEMA, rclink_body(2, [(3, 0x1234), (1, CONFIG_LINK)])),
    "rcec": (rcec.SCHEMA, dwords(0xF0F0)),
    "vsec": (vsec.SCHEMA, dwords(0xABCD | 1 << 16 | 0x10 << 20)),
    "multicast": (multicast.SCHEMA, MULTICAST_BODY),
    "rebar-entry": (rebar.ENTRY, rebar_entry(3, 1, 4, 0xFF, 0x3)),
    "tph": (tph.SCHEMA, dwords(tph_capability(1, 1, 0x107), 0x103) + words(0x1111, 0x2222)),
    "dvsec": (dvsec.SCHEMA, dvsec_body(0x1E98, 9, 0, b"")),
    "cxl-device": (cxl.DEVICE_BODY, CXL_DEVICE_REGISTERS),
    "cxl-flex-bus-2": (cxl.FLEX_BUS_BODY_2, words(0x7, 0x3FF, 0x7F) + dwords(0xABCDEF, 1, 1, 2)),
    "cxl-port": (cxl.PORT_EXTENSIONS_BODY, words(1, 0x400F) + bytes([1, 2]) + words(3, 4, 5, 6) + dwords(7, 8, 9, 10)),
    "doe": (doe.SCHEMA, dwords(0xFFF, 0x8000_0003, 0x8000_0007, 1, 2)),
}


@pytest.mark.parametrize("name", sorted(ROUND_TRIPS))
def test_schema_round_trip_and_compiled_parse(name):
    schema, body = ROUND_TRIPS[name]
    data = body if name.startswith(("vc-", "rebar-", "cxl-")) else dwords(0x0001_0000 | 0x2) + body
    parsed = schema.parse(data)
    assert schema.build(parsed) == data
    assert schema.build(plain(parsed)) == data
    assert plain(schema.compile().parse(data)) == plain(parsed)


def test_rebar_schema_repeats_the_declared_entries():
    data = dwords(0x0001_0015) + rebar_entry(0, 3, 0, 1) + rebar_entry(1, 0, 0, 2) + rebar_entry(2, 0, 0, 4)
    parsed = rebar.SCHEMA.parse(data + rebar_entry(5, 0, 0, 8))
    assert [e.resizable_bar_control.bar_index for e in parsed.entries] == [0, 1, 2]
    assert rebar.SCHEMA.build(plain(parsed)) == data


MODULES = {
    "vc": (vc, 0x02, VC_BODY), "rclink": (rclink, 0x05, RCLINK_BODY), "rcec": (rcec, 0x07, dwords(1, 2)),
    "vsec": (vsec, 0x0B, dwords(0xFFF << 20)), "multicast": (multicast, 0x12, MULTICAST_BODY),
    "rebar": (rebar, 0x15, rebar_entry(0, 6, 0, 1) * 6), "tph": (tph, 0x17, dwords(tph_capability(1, 0x7FF), 0)),
    "dvsec": (dvsec, 0x23, dvsec_body(0x1E98, 0, 1, CXL_DEVICE_REGISTERS)),
    "dvsec-locator": (dvsec, 0x23, dvsec_body(0x1E98, 8, 0, b"", length=0xFFF)),
    "doe": (doe, 0x2E, dwords(1, 2, 3, 4, 5)),
}


@pytest.mark.parametrize("name", sorted(MODULES))
@pytest.mark.parametrize("size", [4096, 0x1000 - 2])
def test_capability_at_the_last_dword_decodes_and_records_problems(name, size):
    module, cap_id, body = MODULES[name]
    image = function(ROOT_PORT, [(0x18, b""), (cap_id, body)], offsets=[BASE, 0xFFC], version=2)[:size]
    fields = module.decode(context(image, ROOT_PORT, offset=0xFFC))
    assert fields is not None and fields.problems


# -- lspci on fixtures built here ------------------------------------------------------------------------------------
def rcec_fixture(bitmap: int, buses: int, version: int) -> bytes:
    return function(0xA, [(0x07, dwords(bitmap, buses))], version=version)


# Type, Class and interleave at the last entries of lspci's tables (past them lspci 3.9.0 reads
# beyond its arrays: undefined output, even a crash).
RANGE_LAST = 0xF000_0000 | 0x3 | 2 << 2 | 2 << 5 | 7 << 8 | 7 << 13


def cxl(dvsec_id: int, revision: int, registers: bytes, length: Optional[int] = None) -> tuple[int, bytes]:
    return 0x23, dvsec_body(0x1E98, dvsec_id, revision, registers, length)


FIXTURES: dict[str, bytes] = {
    "vc": function(ROOT_PORT, [(0x02, VC_BODY)]),
    "vc-reserved-encodings": function(ENDPOINT, [
        (0x09, vc_port(1, clock=2, entry_size=3, arb_cap=0xF0, vat=0, select=6)
         + vc_resource(arb_cap=0xC0, pat=0, select=7, vc_id=7, enable=1)
         + vc_resource(arb_cap=0xFF, slots=0x7F, select=6)),
    ]),
    "vc-unreadable-vcs": function(ROOT_PORT, [(0x02, VC_BODY)], size=BASE + 0x10 + 12 + 6),
    "vc-port-unreadable": function(ROOT_PORT, [(0x02, VC_BODY)], size=BASE + 0x14),
    "rclink": function(ROOT_PORT, [(0x05, RCLINK_BODY), (0x05, rclink_body(0xF5, [(0, 0)]))]),
    "rclink-truncated": function(ROOT_PORT, [(0x05, RCLINK_BODY)], size=BASE + 0x10 + 16 + 8),
    "rcec-v1": rcec_fixture(0x0000_0000, 0, 1),
    "rcec-runs": rcec_fixture(0b1110_1101_0000_0000_0000_0000_0000_0111 | 1 << 31, 0x00_10_02_00, 2),
    "rcec-to-31": rcec_fixture(0xC000_0001, 0x00_00_FF_00, 2),
    "rcec-single-31": rcec_fixture(0x8000_0000, 0x00_00_00_00, 2),
    "vsec": function(ENDPOINT, [(0x0B, dwords(0xABCD | 3 << 16 | 0x123 << 20))]),
    "vsec-unreadable": function(ENDPOINT, [(0x18, words(0, 0)), (0x0B, dwords(1))], size=BASE + 0xE),
    "multicast-endpoint": function(ENDPOINT, [(0x12, MULTICAST_BODY)]),
    "multicast-rciep-wide-window": function(RCIEP, [(0x12, words(1 | 31 << 8, 0) + qwords(0, 0, 0, 0, 0))]),
    "multicast-root": function(ROOT_PORT, [(0x12, MULTICAST_BODY)]),
    "multicast-upstream-small-overlay": function(UPSTREAM, [(0x12, words(0, 0) + qwords(1, 2, 3, 4, 5))]),
    "multicast-downstream-overlay-31": function(DOWNSTREAM, [(0x12, words(0x8000, 0) + qwords(0, 0, 0, 0, 31))]),
    "multicast-legacy": function(LEGACY_ENDPOINT, [(0x12, MULTICAST_BODY)]),
    "multicast-pci-x": function(None, [(0x12, MULTICAST_BODY)]),
    "multicast-truncated": function(ROOT_PORT, [(0x12, MULTICAST_BODY)], size=BASE + 0x30),
    "rebar": function(ENDPOINT, [
        (0x15, rebar_entry(0, 3, 8, 1 | 1 << 8 | 1 << 27, 0xFFFF) + rebar_entry(2, 0, 50, 0) + rebar_entry(4, 0, 45, 0)),
        (0x24, rebar_entry(1, 1, 19, 0x3FF)),
    ]),
    "rebar-count-0": function(ENDPOINT, [(0x15, rebar_entry(0, 0, 0, 1))]),
    "rebar-count-7": function(ENDPOINT, [(0x24, rebar_entry(0, 7, 0, 1) * 7)]),
    "rebar-truncated": function(ENDPOINT, [(0x15, rebar_entry(0, 6, 0, 1) * 6)], size=BASE + 4 + 8 * 2 + 4),
    "tph": function(ENDPOINT, [
        (0x17, dwords(tph_capability(0, 0, 0b110 | 1 << 8), 0)),
        (0x17, dwords(tph_capability(1, 1), 0) + words(1, 2)),
        (0x17, dwords(tph_capability(2, 0, 0b10), 0)),
        (0x17, dwords(tph_capability(3), 0)),
    ]),
    "tph-unreadable": function(ENDPOINT, [(0x18, words(0, 0)), (0x17, dwords(0x206))], size=BASE + 0xE),
    "dvsec-other-vendor": function(ENDPOINT, [(0x23, dvsec_body(0x8086, 0x12, 3, bytes(30)))]),
    "dvsec-short-cxl": function(ENDPOINT, [(0x23, dvsec_body(0x1E98, 0, 1, b"", length=15))]),
    "dvsec-unreadable": function(ENDPOINT, [(0x18, words(0, 0)), (0x23, dvsec_body(0x1E98, 0, 1, b""))],
                                 size=BASE + 0x8 + 8),
    "cxl-device": function(ENDPOINT, [
        cxl(0, 1, CXL_DEVICE_REGISTERS),
        cxl(0, 0, CXL_DEVICE_REGISTERS),  # CXL 1.1 revision: nothing printed
        cxl(0, 1, CXL_DEVICE_REGISTERS[:-4], length=0x34),  # shorter than 0x38: nothing printed
        cxl(0, 2, words(0, 0, 0, 0, 0, 0, 0x1 | 0xFF << 8) + dwords(0, 0, 0, 0, 0xFFFF_FFFF, RANGE_LAST, 7, 0xFF)),
        cxl(0, 1, words(0, 0, 0, 0, 0, 0, 0x5 | 3 << 8) + dwords(0, 0, 0, 0, 0, 0, 0, 0)),
    ]),
    "cxl-port-gpf-mld-map": function(ROOT_PORT, [
        cxl(3, 1, words(0x0A, 0x400F) + bytes([0x10, 0x1F]) + words(0x1234, 0x5678) + bytes(20)),
        cxl(3, 1, words(0x01, 0) + bytes(4) + bytes(22)),  # bit 0: not what lspci 3.9.0 tests
        cxl(3, 1, words(0, 0) + bytes(4), length=0x14),  # shorter than 0x28: nothing printed
        cxl(4, 0, words(0, 0x2 | 2 << 8, 0x3 | 9 << 8)),
        cxl(4, 0, words(0, 0xF | 7 << 8, 0x1 | 6 << 8)),
        cxl(5, 0, words(0x5 | 4 << 8) + dwords(1500)),
        cxl(5, 0, words(0x2 | 0xF << 8) + dwords(0)),
        cxl(9, 0, words(16, 0) + bytes(2)),
        cxl(9, 0, words(17, 0) + bytes(2)),
        cxl(2, 0, words(0) + dwords(*(0xABCD_0000 | i for i in range(8)))),
        cxl(1, 0, bytes(6)),
    ]),
    "cxl-flex-bus-and-locator": function(DOWNSTREAM, [
        cxl(7, 0, bytes(10)),
        cxl(7, 1, words(0x67, 0x3FF | 1 << 13, 0x7F | 1 << 13) + dwords(0x12_345678)),
        cxl(7, 2, words(0x67 | 3 << 13, 0x3FF | 3 << 13, 0x7F | 3 << 13) + dwords(0xFF_ABCDEF, 1, 1, 3)),
        cxl(8, 0, words(0) + dwords(0x2 | 1 << 8 | 0x1234 << 16, 0x1, 0, 0, 0x4 | 0xFF << 8, 7,
                                     0x1 | 4 << 8, 0, 0x1 | 9 << 8, 0, 0x1 | 3 << 8, 0, 0x5 | 2 << 8, 0)),
        cxl(8, 0, words(0) + dwords(0x1 | 1 << 8, 0, 0x1 | 2 << 8), length=0x0C + 8 + 7),
    ]),
    "cxl-length-to-the-end": function(ENDPOINT, [cxl(9, 0, words(4, 0), length=0xF00)]),
    "cxl-length-past-config": function(ENDPOINT, [cxl(9, 0, words(4, 0), length=0xFFF)]),
    "doe": function(ENDPOINT, [
        (0x2E, dwords(1 | 0x2A << 1, 1 << 1, 1 << 31, 0, 0)),
        (0x2E, dwords(0, 0, 0x1, 0, 0)),
        (0x2E, dwords(0, 0, 0x2, 0, 0)),
        (0x2E, dwords(0, 0, 0x4, 0, 0)),
    ]),
    "doe-unreadable": function(ENDPOINT, [(0x2E, dwords(1, 2, 3, 4, 5))], size=BASE + 0x14),
}

NAMES = (
    "Virtual Channel", "Root Complex Link", "Root Complex Event Collector Endpoint Association",
    "Vendor Specific Information", "Multicast", "Physical Resizable BAR", "Virtual Resizable BAR",
    "Transaction Processing Hints", "Designated Vendor-Specific", "Data Object Exchange",
)
CAP_LINE = re.compile(r"^\tCapabilities: \[([0-9a-f]{3})[^\]]*\] (.*)$")


def batch_blocks(block: str, names: tuple[str, ...] = NAMES) -> dict[str, list[str]]:
    """offset -> lines of this batch's extended capabilities in one device block."""
    found: dict[str, list[str]] = {}
    current = None
    for line in block.split("\n"):
        match = CAP_LINE.match(line)
        if match:
            current = match.group(1) if match.group(2).startswith(names) else None
            if current:
                found[current] = [line]
        elif current and line.startswith("\t\t"):
            found[current].append(line)
        else:
            current = None
    return found


def compare_blocks(path: Path, flags: str, names: tuple[str, ...] = NAMES) -> tuple[int, list[str]]:
    """(blocks lspci shows, descriptions of the ones pcikit does not reproduce)."""
    theirs = oracle.split_devices(oracle.run_lspci(path, flags))
    ours = oracle.split_devices(oracle.run_pcikit(path, flags))
    count, differing = 0, []
    for index, expected in enumerate(theirs):
        got = batch_blocks(ours[index], names) if index < len(ours) else {}
        for offset, lines in batch_blocks(expected, names).items():
            count += 1
            if got.get(offset) != lines:
                shown = "\n".join(got.get(offset, ["<missing>"]))
                differing.append(f"{path.name} {flags} device {index} [{offset}]:\n" + "\n".join(lines) + "\n---\n" + shown)
    return count, differing


@pytest.fixture(scope="module")
def fixture_dump(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ecaps_b") / "fixtures.txt"
    slots = [(f"{index // 32:02x}:{index % 32:02x}.0", data) for index, data in enumerate(FIXTURES.values())]
    path.write_text(dump_text(slots))
    return path


@pytest.mark.parametrize("flags", ["-v", "-vv", "-vvv"])
def test_fixtures_match_lspci(fixture_dump, flags):
    need_lspci()
    theirs = oracle.split_devices(oracle.run_lspci(fixture_dump, flags))
    assert len(theirs) == len(FIXTURES)
    shown = [batch_blocks(block) for block in theirs]
    empty = [name for name, blocks in zip(FIXTURES, shown) if not blocks]
    assert not empty, f"lspci shows none of these capabilities in {empty}"
    count, differing = compare_blocks(fixture_dump, flags)
    assert count >= len(FIXTURES)
    assert not differing, "\n\n".join(differing)


# -- lspci on the corpus ---------------------------------------------------------------------------------------------
CORPUS_FILES = [
    "pciutils-tests/cap-vc-and-rcl",
    "pciutils-tests/cap-vc-pat",
    "pciutils-tests/cap-rcec",
    "pciutils-tests/cap-multicast",
    "pciutils-tests/cap-rebar",
    "pciutils-tests/cap-dvsec-cxl",
    "pciutils-tests/cap-doe",
    "pciutils-tests/pri-pasid",
    "pciutils-tests/tree-asus-p6t6",
    "pciutils-tests/tree-fujitsu-p8010",
    "real/linux-pci-20240226-bug-report-delayed-wake-from-suspend.txt",
    "real/linux-pci-20201216-lspci-add-synopsys-designware-vsecs.txt",
    "real/linux-pci-20200410-lspci-add-basic-decode-support-for-c.txt",
    "odd/alsa-devel-20201210-amd-acp-raven-ridge-invalid-audio-mo.txt",
]


@pytest.mark.parametrize("flags", ["-v", "-vvv"])
def test_corpus_blocks_match_lspci(flags):
    corpus = need_corpus()
    need_lspci()
    total, differing, missing = 0, [], []
    for relative in CORPUS_FILES:
        path = corpus / relative
        if not path.is_file():
            missing.append(relative)
            continue
        count, bad = compare_blocks(path, flags)
        total += count
        differing.extend(bad)
    if missing == CORPUS_FILES:
        pytest.skip(f"none of the corpus files found under {corpus}")
    assert total > 0
    assert not differing, "\n\n".join(differing)
