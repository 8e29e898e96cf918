"""Extended-capability register attributes as a driver sees them through MockDevice.

Expectations come from the PCIe Base Specification's register descriptions (section numbers in
each test); the images are built here, byte by byte.
"""
from __future__ import annotations

import pytest

from pcikit.testing import MockDevice

from .test_catalogue import DOWNSTREAM, ENDPOINT, ROOT_PORT, UPSTREAM, _put, express_function

ECAP = 0x100


def with_ecap(cap_id: int, *registers: tuple[int, int, int], port_type: int = ENDPOINT,
              header_type: int = 0) -> MockDevice:
    """A PCIe function whose only extended capability is ``cap_id`` at 0x100, with (offset, width,
    value) registers written relative to it."""
    image = express_function(port_type, header_type=header_type)
    _put(image, ECAP, 4, cap_id | 1 << 16)
    for offset, width, value in registers:
        _put(image, ECAP + offset, width, value)
    return MockDevice(bytes(image))


def test_ats_enable_and_smallest_translation_unit_are_rw_and_reset_to_zero():  # 10.5.1.3
    dev = with_ecap(0x000F)
    dev.config.write16(ECAP + 6, 0xFFFF)
    assert dev.config.read16(ECAP + 6) == 0x801F
    dev.reset()
    assert dev.config.read16(ECAP + 6) == 0


@pytest.mark.parametrize("capability, writable", [(0x0000, 0x0001), (0x0006, 0x0007)])
def test_pasid_enables_need_their_supported_bits(capability, writable):  # 7.8.9.3
    dev = with_ecap(0x001B, (4, 2, capability | 0x1400))
    dev.config.write16(ECAP + 6, 0x0007)
    assert dev.config.read16(ECAP + 6) == writable


def test_pri_status_errors_are_rw1c_and_stopped_is_ro():  # 10.5.2.3
    dev = with_ecap(0x0013, (6, 2, 0x0103))
    dev.config.write16(ECAP + 6, 0x0001)
    assert dev.config.read16(ECAP + 6) == 0x0102
    dev.config.write16(ECAP + 4, 0x0003)  # Enable RW; Reset always reads 0
    assert dev.config.read16(ECAP + 4) == 0x0001
    dev.config.write32(ECAP + 0x0C, 0x40)  # Outstanding Page Request Allocation
    assert dev.config.read32(ECAP + 0x0C) == 0x40


def test_dpc_trigger_status_is_rw1c_and_sticky_across_flr():  # 7.9.14.4
    dev = with_ecap(0x001D, port_type=DOWNSTREAM, header_type=1)
    dev.config.poke(ECAP + 8, 2, 0x0009)  # the port reports DPC Trigger Status and Interrupt Status
    dev.config.write16(ECAP + 6, 0x0003)  # DPC Trigger Enable
    dev.reset()
    assert dev.config.read16(ECAP + 8) == 0x0009  # RW1CS: kept
    assert dev.config.read16(ECAP + 6) == 0  # DPC Control: RW, reset 0
    dev.config.write16(ECAP + 8, 0x0001)
    assert dev.config.read16(ECAP + 8) == 0x0008
    dev.reset(cold=True)
    assert dev.config.read16(ECAP + 8) == 0


def test_dpc_rp_pio_mask_resets_to_ones_on_root_ports_with_rp_extensions():  # 7.9.14.7
    dev = with_ecap(0x001D, (4, 2, 1 << 5), port_type=ROOT_PORT, header_type=1)
    dev.config.write32(ECAP + 0x10, 0)
    assert dev.config.read32(ECAP + 0x10) == 0
    dev.reset(cold=True)
    assert dev.config.read32(ECAP + 0x10) == 0x0007_0707


@pytest.mark.parametrize("capability, control", [(0x01, 0xFF01), (0x07, 0xFF03)])
def test_ptm_enable_is_rw_and_root_select_needs_ptm_root_capable(capability, control):  # 7.9.15.3
    dev = with_ecap(0x001F, (4, 4, capability))
    dev.config.write32(ECAP + 8, 0xFFFF_FFFF)
    assert dev.config.read32(ECAP + 8) == control


def test_l1pm_enables_follow_the_supported_substates():  # 7.8.3.3
    aspm_l1_1_only = 1 << 3 | 1 << 4
    dev = with_ecap(0x001E, (4, 4, aspm_l1_1_only), port_type=UPSTREAM, header_type=1)
    dev.config.write32(ECAP + 8, 0xFFFF_FFFF)
    assert dev.config.read32(ECAP + 8) == 1 << 3  # no L1.2: its timing fields are hardwired too


def test_l1pm_l1_2_timing_fields_and_t_power_on_reset():  # 7.8.3.3, 7.8.3.4
    dev = with_ecap(0x001E, (4, 4, 0x1F), (8, 4, 0x0000_0A00))
    dev.config.write32(ECAP + 8, 0xFFFF_FFFF)
    assert dev.config.read32(ECAP + 8) == 0xE3FF_FF0F
    dev.config.write32(ECAP + 0x0C, 0)
    dev.reset()
    assert dev.config.read32(ECAP + 0x0C) == 0b00101 << 3  # T_POWER_ON Value defaults to 00101b
    # Common_Mode_Restore_Time's default is implementation specific: the device's own value.
    assert dev.config.read32(ECAP + 8) == 0x0000_0A00


@pytest.mark.parametrize("capability, control", [(0x0000, 0x0070), (0x0003, 0x0073)])
def test_ari_function_group_enables_follow_the_ari_capability(capability, control):  # 7.8.7.3
    dev = with_ecap(0x000E, (4, 2, capability))
    dev.config.write16(ECAP + 6, 0xFFFF)
    assert dev.config.read16(ECAP + 6) == control


def test_ltr_latencies_are_rw():  # 7.8.2.2
    dev = with_ecap(0x0018)
    dev.config.write32(ECAP + 4, 0xFFFF_FFFF)
    assert dev.config.read32(ECAP + 4) == 0x1FFF_1FFF


def test_vc_resource_control_map_bit_0_is_ro_and_the_rest_rw():  # 7.9.1.7
    dev = with_ecap(0x0002, (0x14, 4, 0x8000_00FF))  # VC0: TC/VC Map FFh, VC Enable
    dev.config.write32(ECAP + 0x14, 0)
    assert dev.config.read32(ECAP + 0x14) == 0x8000_0001
    dev.config.write32(ECAP + 0x14, 0x000E_00FE)  # TC1-7 and Port Arbitration Select
    assert dev.config.read32(ECAP + 0x14) == 0x800E_00FF


@pytest.mark.parametrize("port_type, header_type, block_all", [(ENDPOINT, 0, 0), (DOWNSTREAM, 1, 0xFFFF_FFFF)])
def test_multicast_block_all_is_rw_on_ports_and_rsvdp_on_endpoints(port_type, header_type, block_all):  # 7.9.11.7
    dev = with_ecap(0x0012, (4, 2, 0x0003), port_type=port_type, header_type=header_type)
    dev.config.write16(ECAP + 6, 0x8003)  # Multicast Control: MC_Enable and MC_Num_Group, RW everywhere
    assert dev.config.read16(ECAP + 6) == 0x8003
    dev.config.write32(ECAP + 0x18, 0xFFFF_FFFF)
    assert dev.config.read32(ECAP + 0x18) == block_all


@pytest.mark.parametrize("port_type, header_type, control", [(ENDPOINT, 0, 0), (DOWNSTREAM, 1, 0x3)])
def test_link_control_3_equalization_bits_on_downstream_ports(port_type, header_type, control):  # 7.7.3.2
    dev = with_ecap(0x0019, port_type=port_type, header_type=header_type)
    dev.config.write32(ECAP + 4, 0x0000_0003)
    assert dev.config.read32(ECAP + 4) == control


@pytest.mark.parametrize("capability, entry", [(0x0000_0201, 0x00FF), (0x0000_0301, 0xFFFF)])
def test_tph_st_upper_needs_extended_tph_requester_supported(capability, entry):  # 7.9.13.4
    dev = with_ecap(0x0017, (4, 4, capability))  # ST table in the capability, one entry
    dev.config.write16(ECAP + 0x0C, 0xFFFF)
    assert dev.config.read16(ECAP + 0x0C) == entry
    dev.config.write32(ECAP + 8, 0xFFFF_FFFF)
    assert dev.config.read32(ECAP + 8) == 0x0307


def test_power_budgeting_data_select_is_rw_and_data_ro():  # 7.8.1.2, 7.8.1.3
    dev = with_ecap(0x0004, (8, 4, 0x0000_8019))
    dev.config.write8(ECAP + 4, 0x05)
    dev.config.write32(ECAP + 8, 0)
    assert dev.config.read8(ECAP + 4) == 0x05 and dev.config.read32(ECAP + 8) == 0x0000_8019


def test_vc_id_and_vc_enable_are_rw_for_vcs_other_than_vc0():  # 7.9.1.7
    dev = with_ecap(0x0002, (4, 4, 1), (0x14, 4, 0x8000_00FF))  # Extended VC Count 1; VC0 enabled
    vc0, vc1 = ECAP + 0x14, ECAP + 0x20
    dev.config.write32(vc0, 0x0700_00FE)
    assert dev.config.read32(vc0) == 0x8000_00FF  # VC0: VC ID hardwired 000b, VC Enable 1b
    dev.config.write32(vc1, 0x8300_0002)  # VC1: VC ID 3, TC1, VC Enable
    assert dev.config.read32(vc1) == 0x8300_0002
    dev.reset()
    assert dev.config.read32(vc1) & 0x8700_0000 == 0  # VC ID and VC Enable reset to 0


def test_vc_id_cannot_be_modified_while_the_vc_is_enabled():  # 7.9.1.7: VC ID
    dev = with_ecap(0x0002, (4, 4, 1), (0x14, 4, 0x8000_00FF))
    vc1 = ECAP + 0x20
    dev.config.write32(vc1, 0x8300_0002)  # VC ID 3 and VC Enable in one write: VC1 was disabled
    dev.config.write32(vc1, 0x8500_0002)  # enabled now: the new VC ID is not taken
    assert dev.config.read32(vc1) == 0x8300_0002
    dev.config.write32(vc1, 0x0500_0002)  # clearing VC Enable: the ID was still frozen for this write
    assert dev.config.read32(vc1) == 0x0300_0002
    dev.config.write32(vc1, 0x0500_0002)  # disabled: VC ID takes writes again
    assert dev.config.read32(vc1) == 0x0500_0002
    dev.config.write32(vc1, 0x8600_0002)
    dev.reset()  # VC Enable resets to 0, so VC ID is writable after the reset
    dev.config.write32(vc1, 0x0200_0000)
    assert dev.config.read32(vc1) == 0x0200_0000


def test_tc_vc_map_resets_to_ffh_in_vc0_and_00h_in_the_others():  # 7.9.1.7: TC/VC Map default
    dev = with_ecap(0x0002, (4, 4, 2), (0x14, 4, 0x8000_0003), (0x20, 4, 0x0000_00F0), (0x2C, 4, 0x0000_000C))
    vc0, vc1, vc2 = ECAP + 0x14, ECAP + 0x20, ECAP + 0x2C  # the device's own maps: 03h, F0h, 0Ch
    dev.reset()
    assert dev.config.read32(vc0) & 0xFF == 0xFF  # bit 0 hardwired 1, bits 7:1 default 1s
    assert dev.config.read32(vc1) & 0xFF == 0x00 and dev.config.read32(vc2) & 0xFF == 0x00
    dev.config.write32(vc0, 0x8000_0000)
    assert dev.config.read32(vc0) & 0xFF == 0x01  # TC0 stays mapped to VC0: bit 0 is RO


@pytest.mark.parametrize("supported, enabled", [(0b0000101, 0b0000101), (0, 0), (0b1111111, 0b1111111)])
def test_lower_skp_os_generation_vector_is_rw_for_the_speeds_link_capabilities_2_lists(supported, enabled):
    # 7.7.3.2 Enable Lower SKP OS Generation Vector: RW for the speeds 7.5.3.18's Lower SKP OS
    # Generation Supported Speeds Vector (Link Capabilities 2, bits 15:9) lists, RsvdP for the rest.
    image = express_function(DOWNSTREAM, header_type=1)
    _put(image, 0x40 + 0x2C, 4, supported << 9)  # Link Capabilities 2 of the PCI Express capability
    _put(image, ECAP, 4, 0x0019 | 1 << 16)
    dev = MockDevice(bytes(image))
    dev.config.write32(ECAP + 4, 0x7F << 9)
    assert dev.config.read32(ECAP + 4) == enabled << 9
    dev.reset()
    assert dev.config.read32(ECAP + 4) == 0  # default 0000000b


def test_secondary_pcie_lane_error_status_is_rw1cs_per_lane():  # 7.7.3.3
    dev = with_ecap(0x0019, port_type=DOWNSTREAM, header_type=1)  # x1 link (Link Capabilities 0x11)
    dev.config.poke(ECAP + 8, 4, 0x1)  # lane 0 saw an error
    dev.reset()
    assert dev.config.read32(ECAP + 8) == 0x1  # sticky across a reset other than cold
    dev.config.write32(ECAP + 8, 0)
    assert dev.config.read32(ECAP + 8) == 0x1
    dev.config.write32(ECAP + 8, 0x1)
    assert dev.config.read32(ECAP + 8) == 0
    dev.config.poke(ECAP + 8, 4, 0x1)
    dev.reset(cold=True)
    assert dev.config.read32(ECAP + 8) == 0


def test_secondary_pcie_lane_error_status_has_one_bit_per_lane_of_the_link():  # 7.7.3.3: RsvdZ past it
    dev = with_ecap(0x0019, port_type=DOWNSTREAM, header_type=1)
    dev.config.poke(ECAP + 8, 4, 0x3)  # bit 1 is past the x1 link's lanes
    dev.config.write32(ECAP + 8, 0x3)
    assert dev.config.read32(ECAP + 8) == 0x2
