"""L1 PM Substates (pciutils cap_l1pm)."""
from __future__ import annotations

from ..context import RenderContext, pm

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Optional


def _us(value: Optional[int]) -> str:
    return f"{value}us" if value is not None else "<error>"


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv L1SubCap, L1SubCtl1 and L1SubCtl2 (times only when L1.2 is supported)."""
    ctx.write("L1 PM Substates\n")
    if ctx.verbose < 2:
        return
    f = cap.fields
    if not cap.readable(0x04, 12):
        ctx.write("\t\t<unreadable>\n")
        return
    c = f.l1pm_capabilities
    ctx.write(
        f"\t\tL1SubCap: PCI-PM_L1.2{pm(c.pci_pm_l1_2_supported)} PCI-PM_L1.1{pm(c.pci_pm_l1_1_supported)} "
        f"ASPM_L1.2{pm(c.aspm_l1_2_supported)} ASPM_L1.1{pm(c.aspm_l1_1_supported)} "
        f"L1_PM_Substates{pm(c.l1_pm_substates_supported)}\n"
    )
    l1_2 = c.pci_pm_l1_2_supported or c.aspm_l1_2_supported
    if l1_2:
        ctx.write(
            f"\t\t\t  PortCommonModeRestoreTime={c.port_common_mode_restore_time}us "
            f"PortTPowerOnTime={_us(c.port_t_power_on_us)}\n"
        )
    c1 = f.l1pm_control_1
    ctx.write(
        f"\t\tL1SubCtl1: PCI-PM_L1.2{pm(c1.pci_pm_l1_2_enable)} PCI-PM_L1.1{pm(c1.pci_pm_l1_1_enable)} "
        f"ASPM_L1.2{pm(c1.aspm_l1_2_enable)} ASPM_L1.1{pm(c1.aspm_l1_1_enable)}\n"
    )
    if l1_2:
        line = f"\t\t\t   T_CommonMode={c1.common_mode_restore_time}us"
        if c.aspm_l1_2_supported:
            threshold = c1.ltr_l1_2_threshold_ns
            line += " LTR1.2_Threshold=" + (f"{threshold}ns" if threshold is not None else "<error>")
        ctx.write(line + "\n")
    line = "\t\tL1SubCtl2:"
    if l1_2:
        line += f" T_PwrOn={_us(f.l1pm_control_2.t_power_on_us)}"
    ctx.write(line + "\n")
