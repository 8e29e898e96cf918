"""Standard capabilities: AGP, VPD, Slot ID, PCI-X, HyperTransport, Debug Port, SATA, AF, EA, FPB.

Expectations come from bytes built here after the spec layouts, and from the
real lspci (pciutils 3.9.0) run on dumps built here, on a fake sysfs tree (for
VPD, which dumps cannot carry) and on the shared corpus. Only the capability
blocks of these capabilities are compared with lspci.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Callable, Optional

import pytest

from pcikit.access import BytesConfig
from pcikit.access.base import KernelInfo
from pcikit.address import Address
from pcikit.model import Device
from pcikit.render.lspci.caps import render_standard
from pcikit.render.lspci.caps.vpd import vpd_string
from pcikit.render.lspci.context import LspciOptions, RenderContext
from pcikit.schema.caps import af, agp, debug, ea, fpb, ht, pcix, sata, slotid, vpd
from pcikit.schema.context import DecodeContext
from pcikit.offline import dump_devices
from pcikit.sources import live_devices

from .conftest import CORPUS, dump_text, lspci_dialect, need_corpus, need_lspci, put

MY_IDS = {0x02, 0x03, 0x04, 0x07, 0x08, 0x0A, 0x12, 0x13, 0x14, 0x15}
CAP_NAMES = (
    "AGP version", "Vital Product Data", "Slot ID:", "PCI-X ", "HyperTransport", "Debug port",
    "SATA HBA", "PCI Advanced Features", "Enhanced Allocation", "Capability ID 0x15",
)


# -- building config images --------------------------------------------------------------------
def header(header_type: int = 0) -> bytearray:
    """A 256-byte config image with a capability list (pointer set by :func:`chain`)."""
    buf = bytearray(256)
    put(buf, 0, 2, 0x8086)
    put(buf, 2, 2, 0x1234)
    put(buf, 6, 2, 0x0010)  # Status.CapList
    buf[0x0B] = 0x06 if header_type else 0x02
    buf[0x0A] = {0: 0x00, 1: 0x04, 2: 0x07}[header_type]
    buf[0x0E] = header_type
    return buf


def chain(caps: list[tuple[int, bytes]], header_type: int = 0) -> bytearray:
    """Config image whose capability list holds ``(offset, bytes)`` in order; next pointers filled."""
    buf = header(header_type)
    buf[0x14 if header_type == 2 else 0x34] = caps[0][0]
    for index, (offset, body) in enumerate(caps):
        buf[offset : offset + len(body)] = body
        buf[offset + 1] = caps[index + 1][0] if index + 1 < len(caps) else 0
    return buf


def le(value: int, width: int) -> bytes:
    """Little-endian bytes."""
    return value.to_bytes(width, "little")


def decode_ctx(body: bytes, header_type: int = 0, read_vpd: Optional[Callable[[], Optional[bytes]]] = None,
               size: int = 256, offset: int = 0x40) -> DecodeContext:
    """A decode context with ``body`` at ``offset`` of a 0xff-padded image."""
    image = bytearray(b"\xff" * 4096)
    image[:size] = bytes(size)
    image[offset : offset + len(body)] = body
    return DecodeContext(bytes(image), offset, size, 0x8086, 0x1234, header_type, None, body[0], read_vpd)


def roundtrip(schema, data: bytes) -> None:
    """Parse, compiled parse and build back to the same bytes."""
    parsed = schema.parse(data)
    assert schema.compile().parse(data) == parsed
    assert schema.build(parsed) == data


# -- comparing with lspci ------------------------------------------------------------------------
def slot_key(token: str) -> str:
    """lspci's slot token with the domain made explicit."""
    return token if token.count(":") == 2 else f"0000:{token}"


def lspci_blocks(text: str) -> dict[tuple[str, str], list[str]]:
    """Capability blocks of ours: (slot, '[xx]') -> the block's lines."""
    blocks: dict[tuple[str, str], list[str]] = {}
    for device in (d for d in text.split("\n\n") if d.strip()):
        lines = device.split("\n")
        slot = slot_key(lines[0].split(" ", 1)[0])
        current = None
        for line in lines[1:]:
            if line.startswith("\tCapabilities: [") and "] " in line:
                bracket, rest = line[len("\tCapabilities: "):].split(" ", 1)
                current = None
                if len(bracket) == 4 and (rest.startswith(CAP_NAMES) or rest == ""):
                    current = blocks.setdefault((slot, bracket), [])
                    current.append(line)
            elif current is not None and line.startswith("\t\t"):
                current.append(line)
            else:
                current = None
    return blocks


def pcikit_blocks(devices: list[Device], verbose: int) -> dict[tuple[str, str], list[str]]:
    """The same blocks rendered by pcikit in-process."""
    blocks = {}
    for dev in devices:
        for cap in dev.capabilities:
            if cap.cap_id not in MY_IDS:
                continue
            ctx = RenderContext(LspciOptions(verbose=verbose, dialect=lspci_dialect()), None, dev)
            ctx.write(f"\tCapabilities: [{cap.offset:02x}] ")
            render_standard(ctx, cap)
            text = "".join(ctx.out)
            blocks[(str(dev.address), f"[{cap.offset:02x}]")] = text[:-1].split("\n") if text.endswith("\n") \
                else text.split("\n")
    return blocks


def run_lspci(*args: str) -> str:
    """lspci's stdout (stderr, e.g. libkmod warnings, dropped)."""
    result = subprocess.run([need_lspci(), *args], capture_output=True, text=True, env=dict(os.environ, LC_ALL="C"))
    assert result.returncode == 0, result.stderr
    return result.stdout


def assert_same_blocks(theirs: dict, ours: dict) -> None:
    """Every lspci block of our capabilities is reproduced line for line."""
    assert theirs, "lspci showed none of these capabilities"
    for key, lines in theirs.items():
        assert ours.get(key) == lines, f"{key}"
    assert set(ours) == set(theirs)


# -- AGP ------------------------------------------------------------------------------------------
AGP_STATUS = (0x1F << 24) | (1 << 16) | (5 << 13) | (3 << 10) | (1 << 9) | (1 << 7) | (1 << 5) | (1 << 4) | 0b011
AGP_COMMAND = (0x07 << 24) | (2 << 13) | (1 << 10) | (1 << 8) | (1 << 5) | 0b100


def agp_body(version: int, status: int, command: int) -> bytes:
    """AGP capability: ID, next, version byte, reserved, status, command."""
    return bytes([0x02, 0, version, 0]) + le(status, 4) + le(command, 4)


def test_agp_fields_and_roundtrip():
    body = agp_body(0x20, AGP_STATUS, AGP_COMMAND)
    roundtrip(agp.SCHEMA, body)
    f = agp.decode(decode_ctx(body))
    assert (f.version.major, f.version.minor) == (2, 0)
    st = f.status
    assert st.request_queue == 0x20 and st.isochronous and st.async_request_size == 5
    assert st.calibration_cycle == 3 and st.sideband_addressing and not st.ita_coherent
    assert st.gart_64bit and st.addressing_64bit and st.fast_writes and not st.agp3_mode
    assert f.status_rates == [1, 2] and f.command_rates == [4] and not f.agp3
    assert f.command.request_queue_depth == 8 and f.command.agp_enable


def test_agp3_mode_rates():
    f = agp.decode(decode_ctx(agp_body(0x30, 0x0B, 0x02)))
    assert f.agp3 and f.status_rates == [4, 8] and f.command_rates == [8]
    f = agp.decode(decode_ctx(agp_body(0x20, 0x0B, 0)))  # AGP3 bit ignored below version 3
    assert not f.agp3 and f.status_rates == [1, 2] and f.command_rates == []


# -- Slot ID, Debug Port, SATA, AF -----------------------------------------------------------------
def test_slotid_fields_and_roundtrip():
    body = bytes([0x04, 0, 0x25, 0x2A])
    roundtrip(slotid.SCHEMA, body)
    f = slotid.decode(decode_ctx(body))
    assert f.expansion_slot.expansion_slots_provided == 5 and f.expansion_slot.first_in_chassis
    assert f.chassis_number == 0x2A


def test_debug_port_fields_and_roundtrip():
    body = bytes([0x0A, 0]) + le((2 << 13) | 0x0A0, 2)
    roundtrip(debug.SCHEMA, body)
    f = debug.decode(decode_ctx(body))
    assert f.debug_port.bar_number == 2 and f.debug_port.offset == 0xA0 and f.bar_register == 0x14
    assert debug.decode(decode_ctx(bytes([0x0A, 0]) + le(7 << 13, 2))).bar_register is None


def test_sata_fields():
    body = bytes([0x12, 0, 0x10, 0]) + le((0x123 << 4) | 5, 4)
    roundtrip(sata.SCHEMA, body)
    f = sata.decode(decode_ctx(body))
    assert (f.revision.major, f.revision.minor) == (1, 0)
    assert f.bar == 1 and f.sata_capability_1.bar_offset_raw == 0x123 and f.bar_offset == 0x48C
    assert f.index is None and not f.in_config_space
    body = bytes([0x12, 0, 0x10, 0]) + le(0xF, 4) + le(0x11, 4) + le(0x22, 4)
    roundtrip(sata.SCHEMA, body)
    f = sata.decode(decode_ctx(body))
    assert f.in_config_space and f.bar is None and (f.index, f.data) == (0x11, 0x22)


def test_af_fields_and_roundtrip():
    body = bytes([0x13, 0, 6, 0x03, 0x01, 0x01])
    roundtrip(af.SCHEMA, body)
    f = af.decode(decode_ctx(body))
    assert f.length == 6 and f.af_capabilities.tp and f.af_capabilities.flr
    assert f.af_control.initiate_flr and f.af_status.tp


# -- PCI-X ----------------------------------------------------------------------------------------
PCIX_COMMAND = 0x0001 | (2 << 2) | (5 << 4)
PCIX_STATUS = (0x12 << 8) | (3 << 3) | 1 | (1 << 16) | (1 << 17) | (1 << 20) | (3 << 21) | (7 << 23) | (2 << 26) \
    | (1 << 30)


def test_pcix_device_fields_and_roundtrip():
    body = bytes([0x07, 0]) + le(PCIX_COMMAND, 2) + le(PCIX_STATUS, 4)
    roundtrip(pcix.SCHEMA, body)
    f = pcix.decode(decode_ctx(body))
    assert f.kind == "device" and f.ecc is None
    assert f.command.data_parity_error_recovery_enable and not f.command.enable_relaxed_ordering
    assert f.max_memory_read_byte_count == 2048 and f.max_outstanding_split_transactions == 12
    st = f.status
    assert (st.bus, st.device, st.function) == (0x12, 3, 1)
    assert st.device_64bit and st.capable_133mhz and st.device_complexity and st.capable_266mhz
    assert f.designed_max_memory_read_byte_count == 4096 and f.designed_max_outstanding_split_transactions == 32
    assert f.designed_max_cumulative_read_size == 32


def test_pcix_version_2_has_ecc_registers():
    body = bytes([0x07, 0]) + le(2 << 12, 2) + le(0, 4) + le(1, 4) + le(2, 4) + le(3, 4) + le(4, 4)
    roundtrip(pcix.SCHEMA, body)
    f = pcix.decode(decode_ctx(body))
    assert f.command.version == 2 and f.ecc.ecc_control_status == 1 and f.ecc.ecc_attribute == 4


def test_pcix_bridge_fields_and_roundtrip():
    body = bytes([0x07, 0]) + le(0x3F | (3 << 6), 2) + le((5 << 8) | (2 << 3) | 0x3F0000, 4) \
        + le((0x20 << 16) | 0x10, 4) + le((0x40 << 16) | 0x8, 4)
    roundtrip(pcix.BRIDGE_SCHEMA, body)
    f = pcix.decode(decode_ctx(body, header_type=1))
    assert f.kind == "bridge" and f.secondary_clock_frequency == "133MHz"
    assert f.secondary_status.split_request_delayed and f.bridge_status.bus == 5
    assert f.bridge_status.split_completion_overrun and f.bridge_status.split_request_delayed
    assert f.upstream_split_transaction_control.split_transaction_capacity == 0x10
    assert f.downstream_split_transaction_control.split_transaction_commitment_limit == 0x40
    assert pcix.decode(decode_ctx(body, header_type=2)).kind is None


# -- HyperTransport -----------------------------------------------------------------------------
def ht_primary(rid: int) -> bytes:
    """Slave/Primary interface block (28 bytes)."""
    command = 3 | (4 << 5) | (1 << 10) | (1 << 12)
    body = bytearray(28)
    body[0:4] = bytes([0x08, 0]) + le(command, 2)
    put(body, 4, 2, 0x20 | (3 << 8) | (1 << 13))  # link control 0: Init, CRC error 3, LSEn
    put(body, 6, 2, 0x11 | (0x7 << 8) | (1 << 15))  # link config 0
    put(body, 8, 2, 0x50)  # link control 1: LkFail, EOC
    put(body, 10, 2, 0x3355)
    body[12] = rid
    body[13] = 0x05 | 0x20  # 800MHz, overflow error
    put(body, 14, 2, 0x0365 | 0x8000)  # capability bits, including 1.4/1.6 GHz and Vend
    body[16] = 0x13
    body[17] = 0x0E
    put(body, 18, 2, 0x0001)
    put(body, 22, 2, 0x8105)
    body[24], body[25], body[26] = 0x12, 0x34, 0x56
    return bytes(body)


def ht_secondary(rid: int, extended_registers: bool) -> bytes:
    """Host/Secondary interface block (24 bytes)."""
    command = 0x2000 | 1 | (5 << 2) | (1 << 8) | (1 << 11)
    body = bytearray(24)
    body[0:4] = bytes([0x08, 0]) + le(command, 2)
    put(body, 4, 2, 0x60 | (1 << 15))
    put(body, 6, 2, 0x7011 | (1 << 3))
    body[8] = rid
    body[9] = 0x0F | 0x80
    put(body, 10, 2, 0xFFFF)
    put(body, 12, 2, 0x0021 | (0x100 if extended_registers else 0) | 0x200)
    put(body, 18, 2, 0x4242)
    body[20], body[21] = 0xAB, 0xCD
    return bytes(body)


def ht_command(command: int, size: int = 4) -> bytes:
    """A block known only by its Command register."""
    return (bytes([0x08, 0]) + le(command, 2)).ljust(size, b"\0")


def test_ht_primary_fields_and_roundtrip():
    body = ht_primary(0x60)
    roundtrip(ht.PRIMARY_SCHEMA, body)
    f = ht.decode(decode_ctx(body))
    assert f.block_type == "primary_interface" and f.revision == "3.00" and f.extended_revision
    assert f.command.base_unitid == 3 and f.command.unit_count == 4 and f.command.master_host
    assert f.link_control_0.crc_error == 3 and f.link_control_0.initialization_complete
    assert f.link_config_0.max_link_width_in == 1 and f.link_config_0.link_width_in == 7
    assert f.link_frequency_error_0.frequency == 5 and f.link_frequency_error_0.overflow_error
    assert f.link_frequency_capability_0.supports_1400mhz and f.link_frequency_capability_0.supports_vendor_specific
    assert f.feature.isochronous_flow_control_mode and f.feature.addressing_64bit
    assert (f.memory_base_upper, f.memory_limit_upper, f.bus_number) == (0x12, 0x34, 0x56)


def test_ht_secondary_and_other_blocks():
    body = ht_secondary(0x25, True)
    roundtrip(ht.SECONDARY_SCHEMA, body)
    f = ht.decode(decode_ctx(body))
    assert f.block_type == "secondary_interface" and f.revision == "1.05"
    assert f.command.warm_reset and f.command.device_number == 5 and f.command.host_hide
    assert f.feature.extended_register_set and f.error_handling.raw == 0x4242
    mapping = ht_command(0xA801, 12)[:4] + le(0xFEE12345, 4) + le(0x1, 4)
    roundtrip(ht.MSI_MAPPING_SCHEMA, mapping)
    f = ht.decode(decode_ctx(mapping))
    assert f.block_type == "msi_mapping" and f.command.enable and not f.command.fixed
    assert f.mapping_address_base == 0x1_FEE00000
    f = ht.decode(decode_ctx(ht_command(0x8800 | 0x23)))
    assert f.block_type == "revision_id" and f.revision == "1.03"
    assert ht.decode(decode_ctx(ht_command(0xC000))).block_type == "retry_mode"
    f = ht.decode(decode_ctx(ht_command(0x4800)))
    assert f.block_type == "unknown" and f.capability_type == 0x09


# -- Enhanced Allocation ------------------------------------------------------------------------
def ea_entry(bei: int, primary: int, secondary: int, base: int, max_offset: int, *, enable: bool = True,
             writable: bool = False) -> bytes:
    """One EA entry: header, base, max offset and the upper dwords they ask for."""
    wide_base, wide_max = base >> 32 != 0, max_offset >> 32 != 0
    size = 2 + wide_base + wide_max
    head = size | (bei << 4) | (primary << 8) | (secondary << 16) | (writable << 30) | (enable << 31)
    body = le(head, 4) + le((base & 0xFFFFFFFC) | (wide_base << 1), 4)
    body += le((max_offset & 0xFFFFFFFC) | (wide_max << 1), 4)
    if wide_base:
        body += le(base >> 32, 4)
    if wide_max:
        body += le(max_offset >> 32, 4)
    return body


EA_ENTRIES = [
    ea_entry(0, 0x00, 0xFF, 0x8430_0000_0000, 0x3FFF_FFFF),
    ea_entry(4, 0x01, 0x00, 0xFE00_0000, 0x1_FFFF_FFFF, writable=True),
    ea_entry(9, 0x04, 0x03, 0x1000, 0xFFF, enable=False),
    ea_entry(6, 0x07, 0x08, 0x2000, 0x3FF),
    ea_entry(8, 0xFD, 0xFE, 0x3000, 0x7FF),
    ea_entry(15, 0x05, 0x06, 0x4000, 0x7FF),
]


def test_ea_entries():
    body = bytes([0x14, 0, len(EA_ENTRIES), 0]) + b"".join(EA_ENTRIES)
    roundtrip(ea.SCHEMA, body[:4])
    f = ea.decode(decode_ctx(body))
    assert f.num_entries == 6 and not f.bridge and f.problems == []
    first, second = f.entries[0], f.entries[1]
    roundtrip(ea.ENTRY, EA_ENTRIES[0])
    assert first.header.enable and first.header.entry_size == 3 and first.bei_name == "BAR 0"
    assert first.base_address == 0x8430_0000_0000 and first.max_offset_value == 0x3FFF_FFFF
    assert first.base_upper == 0x8430 and first.max_offset_upper is None
    assert second.header.writable and second.max_offset_upper == 1 and second.limit == 0xFE00_0000 + 0x1_FFFF_FFFF
    assert f.entries[2].bei_name == "VF BAR 0" and f.entries[5].bei_name == "reserved"
    assert f.entries[0].secondary_properties_name == "entry unavailable for use"


def test_ea_bridge_and_bounds():
    body = bytes([0x14, 0, 1, 0, 2, 5, 0, 0]) + EA_ENTRIES[0]
    roundtrip(ea.BRIDGE_SCHEMA, body[:8])
    f = ea.decode(decode_ctx(body, header_type=1))
    assert f.bridge and (f.fixed_secondary_bus, f.fixed_subordinate_bus) == (2, 5) and len(f.entries) == 1
    # 63 entries claimed, each of Entry Size 7: the walk stops at the end of readable space
    huge = bytes([0x14, 0, 63, 0]) + (le(7, 4) + bytes(28)) * 8
    f = ea.decode(decode_ctx(huge, offset=0xC0))
    assert len(f.entries) == 1 and f.problems
    f = ea.decode(decode_ctx(bytes([0x14, 0, 1, 0]) + le(1, 4) + bytes(8)))
    assert len(f.entries) == 1 and "too small" in f.problems[0]


# -- Flattening Portal Bridge -------------------------------------------------------------------
def test_fpb_fields_and_roundtrip():
    caps = 0b111 | (4 << 3) | (2 << 8) | (1 << 16) | (5 << 24)
    body = bytes([0x15, 0, 0, 0]) + le(caps, 4) + le(1 | (3 << 4) | (0x123 << 19), 4) + le(0x48 << 3, 4) \
        + le(1 | (2 << 4) | (0xABC << 20), 4) + le(1 | (7 << 4) | (0x9 << 28), 4) + le(0x12, 4) \
        + le(0x20 | (2 << 14), 4) + le(0xDEADBEEF, 4)
    roundtrip(fpb.SCHEMA, body)
    f = fpb.decode(decode_ctx(body))
    assert f.fpb_capabilities.num_sec_dev == 4 and f.fpb_capabilities.mem_high_decode_mechanism_supported
    assert f.rid_vector_size_bits == 1024 and f.mem_low_vector_size_bits == 512 and f.mem_high_vector_size_bits == 8192
    assert f.rid_vector_granularity_rids == 64 and f.rid_vector_control_1.rid_vector_start == 0x123 << 3
    assert f.rid_vector_control_2.rid_secondary_start == 0x48 << 3
    assert f.mem_low_vector_granularity_bytes == 4 << 20 and f.mem_low_vector_control.mem_low_vector_start == 0xABC00000
    assert f.mem_high_vector_granularity_bytes == 32 << 30 and f.mem_high_vector_start == 0x12_9000_0000
    assert f.vector_select == "mem_high" and f.vector_access_control.vector_access_offset == 0x20
    reserved = fpb.decode(decode_ctx(bytes([0x15, 0, 0, 0]) + le(1 << 8, 4) + le(1 << 4, 4) + bytes(28)))
    assert reserved.rid_vector_size_bits is None and reserved.rid_vector_granularity_rids is None


# -- VPD contents ----------------------------------------------------------------------------------
def large(tag: int, body: bytes) -> bytes:
    """A large resource: tag, 16-bit length, data."""
    return bytes([tag]) + le(len(body), 2) + body


def keyword(name: bytes, value: bytes) -> bytes:
    """A VPD-R/VPD-W keyword: two characters, length, data."""
    return name + bytes([len(value)]) + value


def vpd_image(rv_fix: int = 0, name: bytes = b"Example Card") -> bytes:
    """Identifier, VPD-R (PN EC MN SN V1 YA Y1 CP Q9 RV) with a checksum, VPD-W (RW), end tag."""
    fields = b"".join(keyword(k, v) for k, v in [
        (b"PN", b"PN-1"), (b"EC", b"A0"), (b"MN", b"1234"), (b"SN", b"SER\\1\x07"), (b"V1", b"vendor"),
        (b"YA", b"asset"), (b"Y1", b"system\x00"), (b"CP", b"\x01\x10\x00\x00"), (b"Q9", b"\xAA\xBB"),
    ])
    head = large(0x82, name) + bytes([0x90]) + le(len(fields) + 3 + 4, 2) + fields + b"RV\x04"
    checksum = (-sum(head) + rv_fix) & 0xFF
    return head + bytes([checksum, 0, 0, 0]) + large(0x91, keyword(b"RW", bytes(9))) + b"\x78"


def test_parse_vpd_resources_and_checksum():
    parsed = vpd.parse_vpd(vpd_image())
    assert parsed.ended == "end_tag"
    ident, ro, rw = parsed.resources
    assert ident.kind == "identifier_string" and ident.text == "Example Card" and ident.complete
    names = {k.keyword: (k.name, k.format) for k in ro.keywords}
    assert names["PN"] == ("Part number", "text") and names["V1"] == ("Vendor specific", "text")
    assert names["YA"] == ("Asset tag", "text") and names["Y1"] == ("System specific", "text")
    assert names["CP"] == ("Extended capability", "binary") and names["Q9"] == ("Unknown", "binary")
    rv = ro.keywords[-1]
    assert rv.keyword == "RV" and rv.checksum_valid and rv.reserved_length == 3
    assert rw.kind == "vpd_w" and rw.keywords[0].free_length == 9
    assert not vpd.parse_vpd(vpd_image(rv_fix=1)).resources[1].keywords[-1].checksum_valid


def test_parse_vpd_endings():
    assert vpd.parse_vpd(None).ended == "not_readable"
    assert vpd.parse_vpd(b"").ended == "not_readable"
    assert vpd.parse_vpd(b"\x82\x05").ended == "not_readable"  # length cut off: nothing was read
    data = vpd_image()
    cut = vpd.parse_vpd(data[:40])
    assert cut.ended == "no_end_tag" and len(cut.resources) == 2
    assert vpd.parse_vpd(large(0x82, b"x")).ended == "no_end_tag"
    unknown = vpd.parse_vpd(large(0x84, b"abc") + b"\x78")
    assert unknown.ended == "unknown_resource" and unknown.resources[0].tag == 0x04 and unknown.resources[0].large
    small = vpd.parse_vpd(b"\x21\x00\x78")
    assert small.resources[0].tag == 0x04 and not small.resources[0].large
    long_name = vpd.parse_vpd(large(0x82, bytes(range(32, 127)) * 7)[:300])
    assert len(long_name.resources[0].value) == 256 and not long_name.resources[0].complete


def test_parse_vpd_hostile_lengths():
    assert vpd.parse_vpd(b"\x82\xff\xff" + bytes(100)).ended == "no_end_tag"  # runs past 32 KiB
    ro = vpd.parse_vpd(large(0x90, b"PN\x40ab") + b"\x78")
    assert ro.resources[0].keywords == [] and ro.ended == "end_tag"
    names = large(0x82, b"") * 0x2AAB  # empty identifier strings past 32 KiB: the window bounds the walk
    parsed = vpd.parse_vpd(names)
    assert parsed.ended == "no_end_tag" and len(parsed.resources) == 0x2AAA


def test_vpd_string_escapes():
    assert vpd_string(b"a\\b\x01\x7f\x00") == "a\\\\b\\x01\\x7f"
    assert vpd_string(b"\x00x") == "\\x00x"


def test_kernel_read_vpd(tmp_path: Path):
    path = tmp_path / "vpd"
    path.write_bytes(vpd_image())
    assert KernelInfo(vpd_path=str(path)).read_vpd() == vpd_image()
    assert KernelInfo(vpd_path=str(tmp_path / "absent")).read_vpd() is None
    assert KernelInfo().read_vpd() is None


def test_vpd_from_a_dump_is_not_readable():
    dev = Device(Address(0, 0, 1, 0), BytesConfig(bytes(chain([(0x40, bytes([3, 0, 0, 0]) + bytes(4))]))))
    f = dev.capabilities[0].fields
    assert f.vpd.ended == "not_readable" and f.vpd_address.raw == 0


# -- lspci on dumps built here --------------------------------------------------------------------
def synthetic_devices() -> list[tuple[bytes, int]]:
    """(image, size) of devices exercising every branch lspci has for these capabilities."""
    agp3 = agp_body(0x35, 0x0B | (1 << 9), 0x0)
    devices = [
        (chain([(0x40, agp_body(0x20, AGP_STATUS, AGP_COMMAND)), (0x60, agp3), (0x80, agp_body(0x30, 0x07, 0x04))]),
         256),
        (chain([(0x40, bytes([0x04, 0, 0x25, 0x2A])), (0x50, bytes([0x04, 0, 0xDF, 0x00]))]), 256),
        (chain([(0x40, bytes([0x07, 0]) + le(PCIX_COMMAND, 2) + le(PCIX_STATUS, 4))]), 256),
        (chain([(0x40, bytes([0x07, 0]) + le(0x3F | (5 << 6), 2) + le((5 << 8) | 0x3F0000, 4)
                 + le((0x20 << 16) | 0x10, 4) + le(0x8, 4))], header_type=1), 256),
        (chain([(0x40, ht_primary(0x60)), (0x60, ht_primary(0x21)), (0x80, ht_primary(0x10)),
                (0xA0, ht_secondary(0x25, True)), (0xC0, ht_secondary(0x60, False)),
                (0xE0, ht_secondary(0x05, True))]), 256),
        (chain([(0x40, ht_command(0xA801, 12)[:4] + le(0xFEE12345, 4) + le(0x1, 4)),
                (0x50, ht_command(0xA803, 12)), (0x60, ht_command(0x8800 | 0x23)),
                (0x64, ht_command(0x4000)), (0x68, ht_command(0x8000)), (0x6C, ht_command(0x9000)),
                (0x70, ht_command(0x9800)), (0x74, ht_command(0xA000)), (0x78, ht_command(0xB000)),
                (0x7C, ht_command(0xB800)), (0x80, ht_command(0xC000)), (0x84, ht_command(0xC800)),
                (0x88, ht_command(0xD000)), (0x8C, ht_command(0x4800)), (0x90, ht_command(0xF800)),
                (0xF0, ht_primary(0x60)[:16])]), 256),
        (chain([(0x40, bytes([0x0A, 0]) + le((1 << 13) | 0xA0, 2)), (0x44, bytes([0x0A, 0, 0xFF, 0xFF])),
                (0x48, bytes([0x12, 0, 0x10, 0]) + le((0x123 << 4) | 4, 4)),
                (0x50, bytes([0x12, 0, 0x21, 0]) + le(0xF, 4)), (0x58, bytes([0x12, 0, 0x10, 0]) + le(2, 4)),
                (0x60, bytes([0x13, 0, 6, 0x03, 0x01, 0x01])), (0x68, bytes([0x13, 0, 6, 0x00, 0x00, 0x00])),
                (0xF8, bytes([0x12, 0, 0x10, 0]) + le(5, 4))]), 256),
        (chain([(0x40, bytes([0x14, 0, len(EA_ENTRIES), 0]) + b"".join(EA_ENTRIES))]), 256),
        (chain([(0x40, bytes([0x14, 0, 2, 0, 3, 9, 0, 0]) + EA_ENTRIES[0] + EA_ENTRIES[1])], header_type=1), 256),
        (chain([(0x40, bytes([0x14, 0, 5, 0]) + b"".join(EA_ENTRIES))]), 0x40 + 4 + 16 + 20 + 3),
        (chain([(0x40, bytes([0x03, 0, 0, 0]) + bytes(4)),
                (0x48, bytes([0x15, 0, 0x34, 0x12]) + le(0x0301, 4))]), 256),
        (chain([(0x40, bytes([0x13, 0, 6, 0x03, 0x01, 0x01]))]), 0x45),
        (chain([(0x40, bytes([0x12, 0, 0x10, 0]) + le(5, 4))]), 0x46),
        (chain([(0x40, bytes([0x07, 0]) + le(PCIX_COMMAND, 2) + le(PCIX_STATUS, 4))], header_type=2), 256),
    ]
    return devices


@pytest.fixture(scope="module")
def synthetic_dump(tmp_path_factory) -> Path:
    """All synthetic devices in one dump file, one per slot."""
    pairs = [(f"00:{index + 1:02x}.0", bytes(data[:size])) for index, (data, size) in enumerate(synthetic_devices())]
    path = tmp_path_factory.mktemp("caps") / "standard.dump"
    path.write_text(dump_text(pairs))
    return path


@pytest.mark.parametrize("verbose", [1, 2, 3])
def test_synthetic_dump_matches_lspci(synthetic_dump: Path, verbose: int):
    theirs = lspci_blocks(run_lspci("-F", str(synthetic_dump), "-" + "v" * verbose))
    ours = pcikit_blocks(dump_devices(synthetic_dump), verbose)
    assert_same_blocks(theirs, ours)


# -- lspci on the corpus ------------------------------------------------------------------------------
CORPUS_FILES = [
    "pciutils-tests/cap-ht", "pciutils-tests/cap-MSI-mapping", "pciutils-tests/cap-ea-1",
    "pciutils-tests/cap-debug-port", "pciutils-tests/cap-pci-af", "pciutils-tests/PCI-X-bridges-and-domains",
    "pciutils-tests/tree-fujitsu-p8010", "pciutils-tests/tree-asus-p6t6", "real/gh-talos2-power9.txt",
    "real/gh-h310-port.txt",
]


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_matches_lspci(name: str):
    path = need_corpus() / name
    if not path.is_file():
        pytest.skip(f"{name} not in the corpus at {CORPUS}")
    theirs = lspci_blocks(run_lspci("-F", str(path), "-vvv"))
    ours = pcikit_blocks(dump_devices(path), 3)
    assert_same_blocks(theirs, ours)


# -- lspci on a fake sysfs tree, for VPD ------------------------------------------------------------
VPD_CASES = [
    vpd_image(),
    vpd_image(rv_fix=1),
    vpd_image()[:40],
    b"",
    large(0x84, b"abc") + b"\x78",
    b"\x21\x00\x78",
    large(0x82, bytes(range(32, 127)) * 7)[:300],
    large(0x82, b"name\x00") + large(0x90, keyword(b"RV", b"") + keyword(b"V\x00", b"x")) + b"\x78",
    large(0x90, b"PN\x40ab") + b"\x78",
    None,
]


def fake_sysfs(root: Path, images: list[Optional[bytes]]) -> None:
    """A sysfs tree lspci (-A linux-sysfs) and pcikit both read: one function per VPD image."""
    config = chain([(0x40, bytes([0x03, 0, 0, 0]) + bytes(4))])
    for index, image in enumerate(images):
        path = root / "bus" / "pci" / "devices" / f"0000:00:{index + 1:02x}.0"
        path.mkdir(parents=True)
        (path / "config").write_bytes(bytes(config))
        (path / "vendor").write_text("0x8086\n")
        (path / "device").write_text("0x1234\n")
        (path / "class").write_text("0x020000\n")
        (path / "irq").write_text("0\n")
        (path / "resource").write_text("0x0000000000000000 0x0000000000000000 0x0000000000000000\n" * 7)
        if image is not None:
            (path / "vpd").write_bytes(image)


@pytest.mark.parametrize("verbose", [1, 2])
def test_vpd_on_fake_sysfs_matches_lspci(tmp_path: Path, verbose: int):
    fake_sysfs(tmp_path, VPD_CASES)
    theirs = lspci_blocks(run_lspci("-A", "linux-sysfs", "-O", f"sysfs.path={tmp_path}/bus/pci",
                                    "-" + "v" * verbose))
    ours = pcikit_blocks(live_devices(str(tmp_path)), verbose)
    assert_same_blocks(theirs, ours)
