"""Extended capabilities, batch A: AER, DSN, ACS, ARI, ATS, SR-IOV, PRI, LTR, Secondary PCIe,
PASID, L1 PM Substates, PTM, DPC.

Schemas are checked on bytes laid out by hand from the PCIe spec's register maps (field values
follow from the bit positions, parse/build round trips, compiled parse equals interpreted). The
lspci text is checked against the real lspci 3.9.0: on dump fixtures built here for the cases the
corpus lacks (reserved scales, truncation, root-only registers, odd VF BARs) and on corpus dumps,
block by block for these capabilities only.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

import pytest

from pcikit.access.memory import BytesConfig
from pcikit.address import Address
from pcikit.model import Capability, Device
from pcikit.render.fields import plain
from pcikit.schema.context import DecodeContext
from pcikit.schema.ecaps import (
    acs, aer, ari, ats, dpc, dsn, l1pm, ltr, pasid, pri, ptm, secondary_pcie, sriov,
)

from . import oracle
from .conftest import dump_text, need_corpus, need_oracle, put

BASE = 0x100
ROOT_PORT, UPSTREAM, DOWNSTREAM, ENDPOINT, RCEC = 0x4, 0x5, 0x6, 0x0, 0xA


# -- building config images -----------------------------------------------------------------------
def _header(cap_id: int, next_offset: int = 0, version: int = 1) -> int:
    return cap_id | version << 16 | next_offset << 20


def express_function(
    port_type: int,
    caps: list[tuple[int, bytes]],
    size: int = 4096,
    max_link_width: int = 4,
    offsets: Optional[list[int]] = None,
) -> bytes:
    """A PCIe function (type 1 header for ports) with ``caps`` chained from 0x100.

    Each cap is (ID, bytes after the header dword). ``offsets`` places them explicitly;
    by default they follow each other, dword aligned. The image is cut to ``size``.
    """
    bridge = port_type in (ROOT_PORT, UPSTREAM, DOWNSTREAM)
    buf = bytearray(4096)
    put(buf, 0x00, 2, 0x1234)
    put(buf, 0x02, 2, 0x5678)
    put(buf, 0x06, 2, 0x0010)  # Status: Capabilities List
    put(buf, 0x0A, 2, 0x0604 if bridge else (0x0807 if port_type == RCEC else 0x0200))
    buf[0x0E] = 1 if bridge else 0
    buf[0x34] = 0x40
    buf[0x40] = 0x10  # PCI Express, version 2
    put(buf, 0x42, 2, 2 | port_type << 4)
    put(buf, 0x4C, 4, max_link_width << 4)  # Link Capabilities: Maximum Link Width
    if offsets is None:
        offsets, where = [], BASE
        for _, body in caps:
            offsets.append(where)
            where = (where + 4 + len(body) + 3) & ~3
    for index, ((cap_id, body), where) in enumerate(zip(caps, offsets)):
        following = offsets[index + 1] if index + 1 < len(caps) else 0
        put(buf, where, 4, _header(cap_id, following))
        end = min(where + 4 + len(body), 4096)
        buf[where + 4 : end] = body[: end - where - 4]
    return bytes(buf[:size])


def words(*values: int) -> bytes:
    """Little-endian 16-bit words."""
    return b"".join(v.to_bytes(2, "little") for v in values)


def dwords(*values: int) -> bytes:
    """Little-endian 32-bit dwords."""
    return b"".join(v.to_bytes(4, "little") for v in values)


def context(image: bytes, port_type: Optional[int] = ENDPOINT, offset: int = BASE, size: int = 4096) -> DecodeContext:
    """What the model hands a decoder for the capability at ``offset``."""
    dev = Device(Address(0, 0, 0, 0), BytesConfig(image[:min(size, len(image))]))
    ctx = dev.decode_context(Capability(dev, offset, 0, 0, extended=True), DecodeContext)
    ctx.port_type = port_type  # the port type under test, whatever the built function's says
    return ctx


def decode(module, cap_id: int, body: bytes, port_type: int = ENDPOINT, **kw):
    """Decode one capability built into an otherwise plain function."""
    return module.decode(context(express_function(port_type, [(cap_id, body)], **kw), port_type))


# -- schemas: bytes from the spec's layouts --------------------------------------------------------
AER_BODY = dwords(
    1 << 4 | 1 << 21,  # Uncorrectable Status: Data Link Protocol, ACS Violation
    1 << 14,  # Uncorrectable Mask: Completion Timeout
    1 << 5 | 1 << 18,  # Uncorrectable Severity: Surprise Down, Malformed TLP
    1 << 0 | 1 << 13,  # Correctable Status: Receiver Error, Advisory Non-Fatal
    1 << 12,  # Correctable Mask: Replay Timer Timeout
    0x12 | 1 << 5 | 1 << 8 | 1 << 12,  # AER Cap/Control: FEP 0x12, ECRC gen capable, check enable, CTO log
    0x11111111, 0x22222222, 0x33333333, 0x44444444,  # Header Log
    0x5,  # Root Error Command: correctable + fatal reporting
    1 << 1 | 1 << 6 | 0x1B << 27,  # Root Error Status: multiple ERR_COR, fatal msgs, message number 27
    0xBEEF << 16 | 0x0100,  # Error Source Identification
)


def test_aer_fields_follow_the_spec_bits():
    f = decode(aer, 0x01, AER_BODY, ROOT_PORT)
    assert f.uncorrectable_error_status.data_link_protocol_error and f.uncorrectable_error_status.acs_violation
    assert not f.uncorrectable_error_status.poisoned_tlp_received
    assert f.uncorrectable_error_mask.completion_timeout
    assert f.uncorrectable_error_severity.surprise_down_error and f.uncorrectable_error_severity.malformed_tlp
    assert f.correctable_error_status.receiver_error and f.correctable_error_status.advisory_non_fatal_error
    assert f.correctable_error_mask.replay_timer_timeout
    control = f.capabilities_and_control
    assert control.first_error_pointer == 0x12
    assert control.ecrc_generation_capable and control.ecrc_check_enable and not control.ecrc_check_capable
    assert control.completion_timeout_prefix_header_log_capable
    assert list(f.header_log) == [0x11111111, 0x22222222, 0x33333333, 0x44444444]
    root = f.root
    assert root.root_error_command.correctable_error_reporting_enable
    assert root.root_error_command.fatal_error_reporting_enable
    assert not root.root_error_command.non_fatal_error_reporting_enable
    assert root.root_error_status.multiple_err_cor_received and root.root_error_status.fatal_error_messages_received
    assert root.root_error_status.advanced_error_interrupt_message_number == 0x1B
    assert root.error_source_identification.err_cor_source_identification == 0x0100
    assert root.error_source_identification.err_fatal_nonfatal_source_identification == 0xBEEF


@pytest.mark.parametrize(
    "port_type, has_root",
    [(ENDPOINT, False), (UPSTREAM, False), (DOWNSTREAM, False), (None, False), (ROOT_PORT, True), (RCEC, True)],
)
def test_aer_root_registers_only_for_root_ports_and_rcecs(port_type, has_root):
    f = aer.decode(context(express_function(ENDPOINT, [(0x01, AER_BODY)]), port_type))
    assert (f.root is not None) == has_root


def test_dsn_is_upper_then_lower_dword():
    f = decode(dsn, 0x03, dwords(0x44332211, 0x88776655))
    assert f.serial_number == 0x8877665544332211


def test_acs_bits_and_egress_vector():
    # Capability: source validation, egress control (bit 5), direct translated; vector size 40 bits.
    f = decode(acs, 0x0D, words(0x1 | 0x20 | 0x40 | 40 << 8, 0x2 | 0x80 | 0x2 << 8) + dwords(0xAAAA5555, 0xFF))
    c = f.acs_capability
    assert c.source_validation and c.p2p_egress_control and c.direct_translated_p2p and not c.upstream_forwarding
    assert f.acs_control.translation_blocking_enable and f.acs_control.io_request_blocking_enable
    assert f.acs_control.dsp_memory_target_access_control == 2
    assert f.egress_control_vector_size == 40
    assert f.egress_control_vector == [0xAAAA5555, 0xFF]


def test_acs_egress_vector_size_zero_means_256_and_is_bounded_by_readable_space():
    body = words(0x20, 0) + dwords(*range(8))
    f = decode(acs, 0x0D, body, size=BASE + 8 + 12)
    assert f.egress_control_vector_size == 256
    assert f.egress_control_vector == [0, 1, 2]
    assert f.problems


def test_ari_ats_pri_pasid_fields():
    f = decode(ari, 0x0E, words(0x2 | 0x84 << 8, 0x1 | 5 << 4))
    assert f.ari_capability.acs_function_groups_capability and not f.ari_capability.mfvc_function_groups_capability
    assert f.ari_capability.next_function_number == 0x84
    assert f.ari_control.mfvc_function_groups_enable and f.ari_control.function_group == 5
    f = decode(ats, 0x0F, words(0, 0x8000 | 3))
    assert f.ats_capability.invalidate_queue_depth_raw == 0 and f.invalidate_queue_depth == 32
    assert f.ats_control.enable and f.smallest_translation_unit == 4096 << 3
    f = decode(pri, 0x13, words(0x1, 0x100 | 0x8000) + dwords(0x200, 0x20))
    assert f.page_request_control.enable and not f.page_request_control.reset
    assert f.page_request_status.stopped and f.page_request_status.prg_response_pasid_required
    assert (f.outstanding_page_request_capacity, f.outstanding_page_request_allocation) == (0x200, 0x20)
    f = decode(pasid, 0x1B, words(0x4 | 20 << 8, 0x1 | 0x2))
    assert f.pasid_capability.privileged_mode_supported and not f.pasid_capability.execute_permission_supported
    assert f.pasid_capability.max_pasid_width == 20
    assert f.pasid_control.pasid_enable and f.pasid_control.execute_permission_enable


def test_ltr_values_in_ns_and_reserved_scales():
    f = decode(ltr, 0x18, words(0x3FF | 2 << 10, 5 | 6 << 10))
    assert f.max_snoop_latency.value == 0x3FF and f.max_snoop_latency.latency_ns == 0x3FF * 1024
    assert f.max_no_snoop_latency.scale == 6 and f.max_no_snoop_latency.latency_ns is None


def test_ptm_and_dpc_fields():
    f = decode(ptm, 0x1F, dwords(0x1 | 0x4 | 16 << 8, 0x3 | 0xFF << 8))
    assert f.ptm_capability.ptm_requester_capable and f.ptm_capability.ptm_root_capable
    assert not f.ptm_capability.ptm_responder_capable and f.ptm_capability.local_clock_granularity == 16
    assert f.ptm_control.ptm_enable and f.ptm_control.root_select and f.ptm_control.effective_granularity == 0xFF
    body = words(0x1F | 0x20 | 0x80 | 6 << 8, 0x2 | 0x8 | 0x40, 0x1 | 0x3 << 1 | 0x2 << 5 | 0x11 << 8, 0x0310)
    f = decode(dpc, 0x1D, body + dwords(0x4, 0, 0, 0, 0x10000, 1, 2, 3, 4), ROOT_PORT)
    c = f.dpc_capability
    assert c.dpc_interrupt_message_number == 0x1F and c.rp_extensions_for_dpc and c.dpc_software_triggering_supported
    assert c.rp_pio_log_size == 6 and not c.poisoned_tlp_egress_blocking_supported
    assert f.dpc_control.dpc_trigger_enable == 2 and f.dpc_control.dpc_interrupt_enable
    assert f.dpc_control.dpc_software_trigger
    s = f.dpc_status
    assert s.dpc_trigger_status and s.dpc_trigger_reason == 3 and s.dpc_trigger_reason_extension == 2
    assert s.rp_pio_first_error_pointer == 0x11 and f.dpc_error_source_id == 0x0310
    assert f.rp_pio.rp_pio_status.cfg_cto and f.rp_pio.rp_pio_exception.mem_ur_cpl
    assert list(f.rp_pio.rp_pio_header_log) == [1, 2, 3, 4]
    assert decode(dpc, 0x1D, words(0, 0, 0, 0)).rp_pio is None


def test_l1pm_times():
    capabilities = 0x1F | 40 << 8 | 1 << 16 | 6 << 19  # all supported, restore 40us, 10us x 6
    control_1 = 0x5 | 30 << 8 | 100 << 16 | 2 << 29  # threshold 100 x 1024 ns
    f = decode(l1pm, 0x1E, dwords(capabilities, control_1, 2 | 9 << 3, 0))
    c = f.l1pm_capabilities
    assert c.aspm_l1_2_supported and c.port_common_mode_restore_time == 40 and c.port_t_power_on_us == 60
    c1 = f.l1pm_control_1
    assert c1.pci_pm_l1_2_enable and c1.aspm_l1_2_enable and not c1.aspm_l1_1_enable
    assert c1.common_mode_restore_time == 30 and c1.ltr_l1_2_threshold_ns == 100 * 1024
    assert f.l1pm_control_2.t_power_on_us == 900
    f = decode(l1pm, 0x1E, dwords(3 << 16, 7 << 29, 3, 0))
    assert f.l1pm_capabilities.port_t_power_on_us is None
    assert f.l1pm_control_1.ltr_l1_2_threshold_ns is None and f.l1pm_control_2.t_power_on_us is None


def test_secondary_pcie_lanes_follow_maximum_link_width():
    lanes = [0x1 | 2 << 4 | 3 << 8 | 4 << 12, 0x7F7F, 0x0505, 0x0A0A, 0x1111, 0x2222]
    body = dwords(0x3 | 0x7F << 9, 1 << 3 | 1 << 20) + words(*lanes)
    f = decode(secondary_pcie, 0x19, body, max_link_width=4)
    assert f.link_control_3.perform_equalization and f.link_control_3.link_equalization_request_interrupt_enable
    assert f.link_control_3.enable_lower_skp_os_generation_vector == 0x7F
    assert f.lane_error_status.raw == 1 << 3 | 1 << 20
    assert f.max_link_width == 4 and len(f.lane_equalization_control) == 4
    first = f.lane_equalization_control[0]
    assert (first.downstream_port_transmitter_preset, first.downstream_port_receiver_preset_hint) == (1, 2)
    assert (first.upstream_port_transmitter_preset, first.upstream_port_receiver_preset_hint) == (3, 4)
    # A x16 port whose config space ends after two lanes: the array stops there.
    f = decode(secondary_pcie, 0x19, body, max_link_width=16, size=BASE + 0x10)
    assert len(f.lane_equalization_control) == 2 and f.problems


def test_secondary_pcie_without_express_capability_has_no_lanes():
    image = bytearray(express_function(ENDPOINT, [(0x19, dwords(0, 0) + words(1, 2))]))
    image[0x06] = 0  # no capability list
    f = secondary_pcie.decode(context(bytes(image), None))
    assert f.max_link_width is None and f.lane_equalization_control == []


SRIOV_BARS = [
    0xA0000000,  # BAR0 32-bit non-prefetchable
    0x0000000C,  # BAR1 64-bit prefetchable, address 0x12_0000_0000
    0x00000012,
    0xFFFFFFFF,  # BAR3 all ones: skipped
    0xC0000002,  # BAR4 "below 1M" type: no upper dword taken
    0xB0000004,  # BAR5 64-bit: no BAR6, the next dword is the migration state offset
]


def sriov_body(bars: list[int] = SRIOV_BARS, msa: int = 0x12345678 | 0x5) -> bytes:
    """SR-IOV registers after the header (0x04-0x3f)."""
    return (
        dwords(0x1 | 0x4 | 0x155 << 21)  # capabilities: migration, 10-bit tags, IMN 0x155
        + words(0x1 | 0x8 | 0x10, 0x1)  # control: VF Enable, MSE, ARI; status: migration
        + words(8, 64, 7) + bytes([0x3C, 0])  # initial, total, num VFs, FDL
        + words(0x80, 2, 0, 0x10ED)  # first VF offset, stride, reserved, VF device ID
        + dwords(0x553, 0x1)  # supported and system page sizes
        + dwords(*bars, msa)
    )


def test_sriov_registers_and_vf_bars():
    f = decode(sriov, 0x10, sriov_body())
    assert f.sriov_capabilities.vf_migration_capable and f.sriov_capabilities.vf_10bit_tag_requester_supported
    assert f.sriov_capabilities.vf_migration_interrupt_message_number == 0x155
    assert f.sriov_control.vf_enable and f.sriov_control.vf_mse and f.sriov_control.ari_capable_hierarchy
    assert f.sriov_status.vf_migration_status
    assert (f.initial_vfs, f.total_vfs, f.num_vfs, f.function_dependency_link) == (8, 64, 7, 0x3C)
    assert (f.first_vf_offset, f.vf_stride, f.vf_device_id) == (0x80, 2, 0x10ED)
    assert (f.supported_page_sizes, f.system_page_size) == (0x553, 1)
    assert f.vf_migration_state_array_offset.bir == 5
    assert f.vf_migration_state_array_offset.offset == 0x12345678
    bars = [(b.index, b.bits, b.address, b.prefetchable, b.memory_type) for b in f.vf_bars]
    assert bars == [
        (0, 32, 0xA0000000, False, 0),
        (1, 64, 0x12_0000_0000, True, 2),
        (4, 32, 0xC0000000, False, 1),
        (5, 64, 0x1234567D_B0000000, False, 2),
    ]
    assert f.problems == ["VF BAR5 is 64-bit but is the last VF BAR"]


SCHEMA_CASES = {
    "aer": (aer, AER_BODY),
    "dsn": (dsn, dwords(0x44332211, 0x88776655)),
    "acs": (acs, words(0x7F | 8 << 8, 0x1FFF)),
    "ari": (ari, words(0x3 | 0x10 << 8, 0x73)),
    "ats": (ats, words(0xFF, 0x801F)),
    "sriov": (sriov, sriov_body()),
    "pri": (pri, words(0x3, 0x8103) + dwords(0x100, 0x80)),
    "ltr": (ltr, words(0x1C01, 0x0802)),
    "secondary_pcie": (secondary_pcie, dwords(0xFE03, 0xFFFF0001)),
    "pasid": (pasid, words(0x1406, 0x7)),
    "l1pm": (l1pm, dwords(0x00FB281F, 0xA064280F, 0x4B, 0x1)),
    "ptm": (ptm, dwords(0x1F07, 0x0A03)),
    "dpc": (dpc, words(0x1FFF, 0xFF, 0x1F7F, 0x1234)),
}


@pytest.mark.parametrize("name", sorted(SCHEMA_CASES))
def test_schema_round_trip_and_compiled_parse(name):
    module, body = SCHEMA_CASES[name]
    size = module.SCHEMA.sizeof()
    data = (dwords(_header(0x1, 0)) + body + bytes(size))[:size]
    parsed = module.SCHEMA.parse(data)
    assert module.SCHEMA.build(parsed) == data
    assert plain(module.SCHEMA.compile().parse(data)) == plain(parsed)
    assert module.SCHEMA.build(plain(parsed)) == data


@pytest.mark.parametrize("name", sorted(SCHEMA_CASES))
def test_capability_at_the_last_dword_decodes(name):
    module, body = SCHEMA_CASES[name]
    image = express_function(ROOT_PORT, [(0x18, b""), (0x1, body)], offsets=[BASE, 0xFFC])
    fields = module.decode(context(image, ROOT_PORT, offset=0xFFC))
    assert fields is not None


# -- lspci on fixtures built here --------------------------------------------------------------------
def _l1pm(capabilities: int, control_1: int, control_2: int) -> tuple[int, bytes]:
    return 0x1E, dwords(capabilities, control_1, control_2, 0)


def l1pm_capabilities(supported: int, restore_us: int, scale: int, value: int) -> int:
    """L1 PM Substates Capabilities: supported bits 4:0, restore time, T_POWER_ON scale and value."""
    return supported | restore_us << 8 | scale << 16 | value << 19


def l1pm_control_1(enabled: int, common_mode_us: int, threshold_value: int, threshold_scale: int) -> int:
    """L1 PM Substates Control 1: enable bits 3:0, T_COMMON_MODE, LTR_L1.2_THRESHOLD value and scale."""
    return enabled | common_mode_us << 8 | threshold_value << 16 | threshold_scale << 29


FIXTURES: dict[str, bytes] = {
    "aer-endpoint": express_function(ENDPOINT, [(0x01, AER_BODY)]),
    "aer-root-port": express_function(ROOT_PORT, [(0x01, AER_BODY)]),
    "aer-rcec": express_function(RCEC, [(0x01, AER_BODY)]),
    "aer-downstream": express_function(DOWNSTREAM, [(0x01, AER_BODY)]),
    "aer-all-ones": express_function(ROOT_PORT, [(0x01, b"\xff" * 0x34)]),
    "aer-truncated": express_function(ENDPOINT, [(0x01, AER_BODY)], size=BASE + 0x2A),
    "aer-root-truncated": express_function(ROOT_PORT, [(0x01, AER_BODY)], size=BASE + 0x34),
    "aer-at-last-dword": express_function(ROOT_PORT, [(0x18, words(1, 1)), (0x01, AER_BODY)], offsets=[BASE, 0xFFC]),
    "dsn": express_function(ENDPOINT, [(0x03, dwords(0x44332211, 0x88776655)), (0x0E, words(0x0203, 0x12))]),
    "acs-ari-ats": express_function(
        DOWNSTREAM,
        [(0x0D, words(0x55 | 8 << 8, 0x2A) + dwords(0xF0)), (0x0E, words(0x1 | 0xFF << 8, 0x2 | 7 << 4)),
         (0x0F, words(0x1F, 0x8011)), (0x0D, words(0x2A, 0x55))],
    ),
    "pri-pasid": express_function(
        ENDPOINT,
        [(0x13, words(0x2, 0x103) + dwords(0x12345678, 0x9ABCDEF0)), (0x1B, words(0x1F06, 0x5)),
         (0x13, words(0x1, 0x8000) + dwords(0, 0)), (0x1B, words(0x0802, 0x2))],
    ),
    "pri-truncated": express_function(ENDPOINT, [(0x13, words(1, 1) + dwords(1, 1))], size=BASE + 0x0C),
    "ltr-scales": express_function(
        ENDPOINT,
        [(0x18, words(v | s << 10, (0x3FF - v) | (7 - s) << 10)) for s, v in enumerate([1, 0x3FF, 17, 100])]
        + [(0x18, words(0x3FF | 6 << 10, 0x3FF | 7 << 10))],
    ),
    "secondary-pcie": express_function(
        ROOT_PORT,
        [(0x19, dwords(0x1, 0) + words(*[0x7F7F] * 8)), (0x19, dwords(0x2, 0x80018009) + words(*[0] * 8)),
         (0x19, dwords(0x3, 0xFFFFFFFF)), (0x19, dwords(0, 0xFFFF0000))],
        max_link_width=8,
    ),
    "secondary-pcie-truncated": express_function(ROOT_PORT, [(0x19, dwords(0x1, 0x1))], size=BASE + 0x0C),
    "l1pm": express_function(
        DOWNSTREAM,
        [
            # Everything supported: 100us x 31, threshold 1023 x 32 Mi ns, T_PwrOn 10us x 9.
            _l1pm(l1pm_capabilities(0x1F, 40, 2, 31), l1pm_control_1(0xF, 40, 1023, 5), 1 | 9 << 3),
            # PCI-PM L1.2 without ASPM L1.2: times but no threshold.
            _l1pm(l1pm_capabilities(0x1B, 5, 0, 7), l1pm_control_1(0x5, 5, 255, 0), 2 | 1 << 3),
            # Reserved scales: power-on scale 3, threshold scale 6.
            _l1pm(l1pm_capabilities(0x1F, 255, 3, 31), l1pm_control_1(0xF, 255, 1023, 6), 3 | 31 << 3),
            # No L1.2 at all: no times whatever the registers hold.
            _l1pm(l1pm_capabilities(0x1A, 255, 0, 0), 0xFFFFFFFF, 0xFF),
            # ASPM L1.2 only, reserved threshold scale 7.
            _l1pm(l1pm_capabilities(0x04, 0, 1, 3), l1pm_control_1(0, 255, 1023, 7), 0 | 6 << 3),
        ],
    ),
    "l1pm-unreadable": express_function(ENDPOINT, [_l1pm(0x1F, 0, 0)], size=BASE + 0x0C),
    "ptm": express_function(
        ENDPOINT,
        [(0x1F, dwords(0x7 | 0 << 8, 0x3 | 0 << 8)), (0x1F, dwords(0x2 | 0xFF << 8, 0x1 | 0xFF << 8)),
         (0x1F, dwords(0x5 | 0xFE << 8, 0x2 | 0x10 << 8)), (0x1F, dwords(0xFFFFFFFF, 0xFFFFFFFF))],
    ),
    "ptm-unreadable": express_function(ENDPOINT, [(0x1F, dwords(1, 1))], size=BASE + 0x0B),
    "dpc": express_function(
        DOWNSTREAM,
        [(0x1D, words(0x1FFF, 0xFF, 0x1F7F, 0xABCD)), (0x1D, words(0x1A5, 0x43, 0x0B25, 0x0001)),
         (0x1D, words(0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF))],
    ),
    "sriov": express_function(ENDPOINT, [(0x10, sriov_body())]),
    "sriov-odd-bars": express_function(
        ENDPOINT,
        [
            # I/O bit, reserved memory type 11 twice, prefetchable at 0, a 64-bit BAR whose
            # upper half is all ones (printed, unlike an all-ones BAR of its own).
            (0x10, sriov_body([0x1, 0xE000000E, 0x0000000F, 0x8, 0xFFFFFFF4, 0xFFFFFFFF], 0)),
            # 64-bit pairs at 0-1 and 3-4, a type-11 BAR5; all-ones migration state offset.
            (0x10, sriov_body([0xFFFFFFFC, 0x7, 0x0, 0x4, 0, 0x6], 0xFFFFFFFF)),
        ],
    ),
    "sriov-truncated": express_function(ENDPOINT, [(0x10, sriov_body())], size=BASE + 0x3C),
    # Last: lspci ends the unreadable DSN's line with nothing, so no blank line follows the device.
    "dsn-unreadable": express_function(ENDPOINT, [(0x18, words(0, 0)), (0x03, dwords(1, 2))], size=BASE + 0x10),
}

EXTENDED_LINE = re.compile(r"^\tCapabilities: \[[0-9a-f]{3}[\] ]", re.M)


def extended_section(block: str) -> str:
    """Everything from the first extended capability line to the end of a device block."""
    match = EXTENDED_LINE.search(block)
    return block[match.start() :] if match else ""


@pytest.fixture(scope="module")
def fixture_dump(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ecaps_a") / "fixtures.txt"
    slots = [(f"00:{index:02x}.0", data) for index, data in enumerate(FIXTURES.values())]
    path.write_text(dump_text(slots))
    return path


@pytest.mark.parametrize("version", oracle.VERSIONS)
@pytest.mark.parametrize("flags", ["-v", "-vv", "-vvv"])
def test_fixtures_match_lspci(fixture_dump, flags, version):
    need_oracle(version)
    theirs = oracle.split_devices(oracle.run_lspci(fixture_dump, flags, version=version))
    ours = oracle.split_devices(oracle.run_pcikit(fixture_dump, flags, version=version))
    assert len(theirs) == len(FIXTURES)
    assert len(ours) == len(theirs)
    differing = []
    for name, expected, got in zip(FIXTURES, theirs, ours):
        want = extended_section(expected)
        assert want, f"{name}: lspci shows no extended capabilities"
        if extended_section(got) != want:
            differing.append(f"{name}:\n--- lspci\n{want}\n--- pcikit\n{extended_section(got)}")
    assert not differing, "\n".join(differing)


# -- lspci on the corpus: blocks of these capabilities, compared by offset -------------------------
CORPUS_FILES = [
    "pciutils-tests/cap-aer-root",
    "pciutils-tests/cap-aer-hdr",
    "pciutils-tests/cap-aer-log",
    "pciutils-tests/cap-rcec",
    "pciutils-tests/cap-dvsec-cxl",
    "pciutils-tests/cap-pasid-pri",
    "pciutils-tests/pri-pasid",
    "pciutils-tests/cap-ptm-1",
    "pciutils-tests/cap-ptm-2",
    "pciutils-tests/cap-l1-pm",
    "pciutils-tests/cap-exp-lnkcap2",
    "pciutils-tests/cap-ea-1",
    "pciutils-tests/cap-pcie-2",
    "pciutils-tests/tree-fsl-p2020",
    "real/linux-pci-20240226-bug-report-delayed-wake-from-suspend.txt",
    "real/gh-huananzhi-x99-bd4.txt",
    "odd/gh-daos-intel-p3700-partial-272b.txt",
]

NAMES = {
    "Advanced Error Reporting": "aer", "Device Serial Number": "dsn", "Access Control Services": "acs",
    "Alternative Routing-ID Interpretation": "ari", "Address Translation Service": "ats",
    "Single Root I/O Virtualization": "sriov", "Page Request Interface": "pri",
    "Latency Tolerance Reporting": "ltr", "Secondary PCI Express": "secondary_pcie",
    "Process Address Space ID": "pasid", "L1 PM Substates": "l1pm", "Precision Time Measurement": "ptm",
    "Downstream Port Containment": "dpc",
}
CAP_LINE = re.compile(r"^\tCapabilities: \[([0-9a-f]{3})[^\]]*\] (.*)$")


def batch_blocks(block: str) -> dict[str, tuple[str, list[str]]]:
    """offset -> (capability, its lines) for this batch's extended capabilities in a device block."""
    found: dict[str, tuple[str, list[str]]] = {}
    current = None
    for line in block.split("\n"):
        match = CAP_LINE.match(line)
        if match:
            name = next((short for long, short in NAMES.items() if match.group(2).startswith(long)), None)
            current = match.group(1) if name else None
            if current:
                found[current] = (name, [line])
        elif current and line.startswith("\t\t"):
            found[current][1].append(line)
        else:
            current = None
    return found


@pytest.mark.parametrize("version", oracle.VERSIONS)
def test_corpus_blocks_match_lspci(version):
    corpus = need_corpus()
    need_oracle(version)
    seen: set[str] = set()
    differing = []
    for relative in CORPUS_FILES:
        path = corpus / relative
        if not path.is_file():
            continue
        theirs = oracle.split_devices(oracle.run_lspci(path, "-vvv", version=version))
        ours = oracle.split_devices(oracle.run_pcikit(path, "-vvv", version=version))
        for index, expected in enumerate(theirs):
            got = batch_blocks(ours[index]) if index < len(ours) else {}
            for offset, (name, lines) in batch_blocks(expected).items():
                seen.add(name)
                if got.get(offset, (name, []))[1] != lines:
                    differing.append(f"{relative} device {index} [{offset}] {name}")
    assert not differing, "\n".join(differing)
    assert seen == set(NAMES.values()), f"not exercised: {set(NAMES.values()) - seen}"
