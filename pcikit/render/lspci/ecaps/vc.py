"""Virtual Channel (pciutils cap_vc): port registers, then one block per VC.

lspci names the VC Arbitration Table "Port Arbitration Table" and prints only
its location; per VC it notes that a Port Arbitration Table exists.
"""
from __future__ import annotations

from ..context import RenderContext, flag

PORT_ARB_NAMES = ("Fixed", "WRR32", "WRR64", "WRR128", "??4", "??5", "??6", "??7")
VC_ARB_NAMES = ("Fixed", "WRR32", "WRR64", "WRR128", "TWRR128", "WRR256", "??6", "??7")


def _arbitration(bits: int, names: tuple[str, ...]) -> str:
    """``\\tFixed+ WRR32- ...``: reserved schemes only when their bit is set."""
    parts = [f"{name}{flag(bits, 1 << i)}" for i, name in enumerate(names) if not name.startswith("?") or bits >> i & 1]
    return "\t" + " ".join(parts)


def _resource(ctx: RenderContext, resource) -> None:
    rcap = resource.vc_resource_capability
    rctrl = resource.vc_resource_control
    rstatus = resource.vc_resource_status
    ctx.write(
        f"Caps:\tPATOffset={rcap.port_arbitration_table_offset:02x} MaxTimeSlots={rcap.maximum_time_slots} "
        f"RejSnoopTrans{flag(rcap.reject_snoop_transactions)}\n"
    )
    ctx.write("\t\t\tArb:" + _arbitration(rcap.port_arbitration_capability, VC_ARB_NAMES) + "\n")
    ctx.write(
        f"\t\t\tCtrl:\tEnable{flag(rctrl.vc_enable)} ID={rctrl.vc_id} "
        f"ArbSelect={VC_ARB_NAMES[rctrl.port_arbitration_select]} TC/VC={rctrl.tc_vc_map:02x}\n"
    )
    ctx.write(
        f"\t\t\tStatus:\tNegoPending{flag(rstatus.vc_negotiation_pending)} "
        f"InProgress{flag(rstatus.port_arbitration_table_status)}\n"
    )
    if rcap.port_arbitration_table_offset:
        ctx.write("\t\t\tPort Arbitration Table <?>\n")


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv the port capabilities and every VC resource."""
    ctx.write("Virtual Channel\n")
    f = cap.fields
    if ctx.verbose < 2 or f is None or not cap.readable(4, 0x18):
        return
    cap1, cap2 = f.port_vc_capability_1, f.port_vc_capability_2
    clock = "100ns" if cap1.reference_clock == 0 else f"??{cap1.reference_clock}"
    ctx.write(
        f"\t\tCaps:\tLPEVC={cap1.low_priority_extended_vc_count} RefClk={clock} "
        f"PATEntryBits={f.port_arbitration_table_entry_bits}\n"
    )
    ctx.write("\t\tArb:" + _arbitration(cap2.vc_arbitration_capability, PORT_ARB_NAMES) + "\n")
    ctx.write(f"\t\tCtrl:\tArbSelect={PORT_ARB_NAMES[f.port_vc_control.vc_arbitration_select]}\n")
    ctx.write(f"\t\tStatus:\tInProgress{flag(f.port_vc_status.vc_arbitration_table_status)}\n")
    if cap2.vc_arbitration_table_offset:
        ctx.write(f"\t\tPort Arbitration Table [{cap.offset + 16 * cap2.vc_arbitration_table_offset:x}] <?>\n")
    resources = f.vc_resources
    for index in range(f.vc_count):
        ctx.write(f"\t\tVC{index}:\t")
        if index < len(resources):
            _resource(ctx, resources[index])
        else:
            ctx.write("<unreadable>\n")
