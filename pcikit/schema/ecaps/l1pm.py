"""L1 PM Substates extended capability (ID 0x001E).

Times are decoded to microseconds / nanoseconds next to their raw scale and
value; reserved scales decode to None.
"""
from __future__ import annotations

from construct import Container, Int32ul, Struct

from ..attributes import RW, RW1C, has
from ..bits import Bit, Bits, Register
from ..context import DecodeContext
from . import EXTENDED_HEADER, parse_fixed
from .ltr import latency_ns

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Optional

L1PM_CAPABILITIES = Register(
    Int32ul,
    Bit("pci_pm_l1_2_supported", 0),
    Bit("pci_pm_l1_1_supported", 1),
    Bit("aspm_l1_2_supported", 2),
    Bit("aspm_l1_1_supported", 3),
    Bit("l1_pm_substates_supported", 4),
    Bit("link_activation_supported", 5),
    Bits("port_common_mode_restore_time", 8, 8),
    Bits("port_t_power_on_scale", 16, 2),
    Bits("port_t_power_on_value", 19, 5),
)

# PCIe 7.8.3.3-7.8.3.5: every enable is RW for a supported substate (hardwired 0 otherwise), reset
# 0; the L1.2 timing fields are RW where L1.2 (PCI-PM or ASPM) is supported. Common_Mode_Restore_Time
# resets to an implementation-specific value (the device's own), T_POWER_ON Value to 00101b.
_CAP = "l1pm_capabilities."
_L1_2 = has(_CAP + "pci_pm_l1_2_supported", _CAP + "aspm_l1_2_supported")
_LINK_ACTIVATION = has(_CAP + "link_activation_supported")

L1PM_CONTROL_1 = Register(
    Int32ul,
    Bit("pci_pm_l1_2_enable", 0, RW, when=has(_CAP + "pci_pm_l1_2_supported")),
    Bit("pci_pm_l1_1_enable", 1, RW, when=has(_CAP + "pci_pm_l1_1_supported")),
    Bit("aspm_l1_2_enable", 2, RW, when=has(_CAP + "aspm_l1_2_supported")),
    Bit("aspm_l1_1_enable", 3, RW, when=has(_CAP + "aspm_l1_1_supported")),
    Bit("link_activation_interrupt_enable", 4, RW, when=_LINK_ACTIVATION),
    Bit("link_activation_control", 5, RW, when=_LINK_ACTIVATION),
    Bits("common_mode_restore_time", 8, 8, access=RW, reset=None, when=_L1_2),
    Bits("ltr_l1_2_threshold_value", 16, 10, access=RW, when=_L1_2),
    Bits("ltr_l1_2_threshold_scale", 29, 3, access=RW, when=_L1_2),
)

L1PM_CONTROL_2 = Register(
    Int32ul,
    Bits("t_power_on_scale", 0, 2, access=RW, when=_L1_2),
    Bits("t_power_on_value", 3, 5, access=RW, reset=0b00101, when=_L1_2),
)

L1PM_STATUS = Register(Int32ul, Bit("link_activation_status", 0, RW1C, when=_LINK_ACTIVATION))

SCHEMA = Struct(
    "header" / EXTENDED_HEADER,
    "l1pm_capabilities" / L1PM_CAPABILITIES,
    "l1pm_control_1" / L1PM_CONTROL_1,
    "l1pm_control_2" / L1PM_CONTROL_2,
    "l1pm_status" / L1PM_STATUS,
)

T_POWER_ON_SCALE_US = (2, 10, 100)


def t_power_on_us(scale: int, value: int) -> Optional[int]:
    """T_POWER_ON in microseconds, or None for the reserved scale 3."""
    return T_POWER_ON_SCALE_US[scale] * value if scale < len(T_POWER_ON_SCALE_US) else None


def decode(ctx: DecodeContext) -> Container:
    """Decode the L1 PM Substates registers and the times they encode."""
    fields = parse_fixed(ctx, SCHEMA)
    capabilities = fields.l1pm_capabilities
    capabilities["port_t_power_on_us"] = t_power_on_us(
        capabilities.port_t_power_on_scale, capabilities.port_t_power_on_value
    )
    control_1 = fields.l1pm_control_1
    control_1["ltr_l1_2_threshold_ns"] = latency_ns(
        control_1.ltr_l1_2_threshold_value, control_1.ltr_l1_2_threshold_scale
    )
    control_2 = fields.l1pm_control_2
    control_2["t_power_on_us"] = t_power_on_us(control_2.t_power_on_scale, control_2.t_power_on_value)
    return fields
