"""Physical Layer 32.0 GT/s extended capability (ID 0x002A, PCIe base spec 7.7.6).

Capabilities, Control and Status for equalization bypass, No Equalization
Needed and Modified TS usage modes; the received and transmitted Modified TS
data; from +0x20 one Lane Equalization Control byte per lane.
"""
from __future__ import annotations

from construct import Construct, Container, Int8ul, Int32ul, Struct

from ..attributes import HWINIT, ROS, RW, RW1CS, has
from ..bits import Bit, Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER
from .lanes import decode_with_equalization, with_lanes

# PCIe 7.7.6: Capabilities HwInit; each Control field RW where its capability is supported; the
# equalization results ROS, Link Equalization Request RW1CS, the other status RO; the received
# Modified TS data RO, the transmitted Modified TS data RW; the per-lane presets HwInit.
CAPABILITIES_32GT = Register(
    Int32ul,
    Bit("equalization_bypass_to_highest_rate_supported", 0, HWINIT),
    Bit("no_equalization_needed_supported", 1, HWINIT),
    Bit("modified_ts_usage_mode_0_supported", 8, HWINIT),
    Bit("modified_ts_usage_mode_1_supported", 9, HWINIT),
    Bit("modified_ts_usage_mode_2_supported", 10, HWINIT),
)

_CAP = "capabilities_32gt."

CONTROL_32GT = Register(
    Int32ul,
    Bit("equalization_bypass_to_highest_rate_disable", 0, RW,
        when=has(_CAP + "equalization_bypass_to_highest_rate_supported")),
    Bit("no_equalization_needed_disable", 1, RW, when=has(_CAP + "no_equalization_needed_supported")),
    Bits("modified_ts_usage_mode_selected", 8, 3, access=RW,
         when=has(_CAP + "modified_ts_usage_mode_1_supported", _CAP + "modified_ts_usage_mode_2_supported")),
)

STATUS_32GT = Register(
    Int32ul,
    Bit("equalization_32gts_complete", 0, ROS),
    Bit("equalization_32gts_phase_1_successful", 1, ROS),
    Bit("equalization_32gts_phase_2_successful", 2, ROS),
    Bit("equalization_32gts_phase_3_successful", 3, ROS),
    Bit("link_equalization_request_32gts", 4, RW1CS),
    Bit("modified_ts_received", 5),
    Bits("received_enhanced_link_behavior_control", 6, 2),
    Bit("transmitter_precoding_on", 8),
    Bit("transmitter_precoding_request", 9),
    Bit("no_equalization_needed_received", 10),
)

MODIFIED_TS_DATA_1 = Register(
    Int32ul,
    Bits("modified_ts_usage_mode", 0, 3),
    Bits("modified_ts_information_1", 3, 13),
    Bits("modified_ts_vendor_id", 16, 16),
)

MODIFIED_TS_DATA_2 = Register(
    Int32ul,
    Bits("modified_ts_information_2", 0, 24),
    Bits("alternate_protocol_negotiation_status", 24, 2),
)

TRANSMITTED_MODIFIED_TS_DATA_1 = MODIFIED_TS_DATA_1.retyped(RW)
TRANSMITTED_MODIFIED_TS_DATA_2 = Register(
    Int32ul,
    Bits("modified_ts_information_2", 0, 24, access=RW),
    Bits("alternate_protocol_negotiation_status", 24, 2),
)

LANE_EQUALIZATION_CONTROL_32GT = Register(
    Int8ul,
    Bits("downstream_port_32gts_transmitter_preset", 0, 4, access=HWINIT),
    Bits("upstream_port_32gts_transmitter_preset", 4, 4, access=HWINIT),
)

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "capabilities_32gt" / CAPABILITIES_32GT,
    "control_32gt" / CONTROL_32GT,
    "status_32gt" / STATUS_32GT,
    "received_modified_ts_data_1" / MODIFIED_TS_DATA_1,
    "received_modified_ts_data_2" / MODIFIED_TS_DATA_2,
    "transmitted_modified_ts_data_1" / TRANSMITTED_MODIFIED_TS_DATA_1,
    "transmitted_modified_ts_data_2" / TRANSMITTED_MODIFIED_TS_DATA_2,
)

LANES_OFFSET = 0x20
MODIFIED_TS_USAGE_MODES = {0: "pci_express", 1: "training_set_messages", 2: "alternate_protocol_negotiation"}


def schema_of(fields: Container) -> Construct:
    """The schema the register catalogue walks: the registers, then the per-lane equalization controls."""
    return with_lanes(SCHEMA, "lane_equalization_control", LANE_EQUALIZATION_CONTROL_32GT)


def decode(ctx: DecodeContext) -> Container:
    """Decode the registers and the per-lane equalization controls."""
    fields = decode_with_equalization(ctx, SCHEMA, LANES_OFFSET, LANE_EQUALIZATION_CONTROL_32GT, "32.0 GT/s")
    selected = fields.control_32gt.modified_ts_usage_mode_selected
    fields["modified_ts_usage_mode_selected_name"] = MODIFIED_TS_USAGE_MODES.get(selected)
    return fields
