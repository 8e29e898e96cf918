"""Single Root I/O Virtualization (pciutils cap_sriov), VF BARs included."""
from __future__ import annotations

from ..context import RenderContext, pm
from ..dialect import V3_11


def _vf_bar(bar) -> str:
    # lspci labels every memory type but 00 as 64-bit, and prints the upper
    # dword only for a real 64-bit BAR (type 10).
    address = f"{bar.upper:08x}{bar.address & 0xFFFFFFFF:08x}" if bar.upper is not None else f"{bar.address:08x}"
    width = "32" if bar.memory_type == 0 else "64"
    prefetch = "" if bar.prefetchable else "non-"
    return f"\t\tRegion {bar.index}: Memory at {address} ({width}-bit, {prefetch}prefetchable)\n"


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv the SR-IOV registers, the VF BARs and the migration state array."""
    ctx.write("Single Root I/O Virtualization (SR-IOV)\n")
    f = cap.fields
    if ctx.verbose < 2 or not cap.readable(0x04, 0x3C):
        return
    c = f.sriov_capabilities
    number = c.vf_migration_interrupt_message_number
    ctx.write(
        f"\t\tIOVCap:\tMigration{pm(c.vf_migration_capable)} 10BitTagReq{pm(c.vf_10bit_tag_requester_supported)} "
        + (f"IntMsgNum {number}\n" if ctx.dialect >= V3_11 else f"Interrupt Message Number: {number:03x}\n")
    )
    c = f.sriov_control
    ctx.write(
        f"\t\tIOVCtl:\tEnable{pm(c.vf_enable)} Migration{pm(c.vf_migration_enable)} "
        f"Interrupt{pm(c.vf_migration_interrupt_enable)} MSE{pm(c.vf_mse)} "
        f"ARIHierarchy{pm(c.ari_capable_hierarchy)} 10BitTagReq{pm(c.vf_10bit_tag_requester_enable)}\n"
    )
    ctx.write(f"\t\tIOVSta:\tMigration{pm(f.sriov_status.vf_migration_status)}\n")
    ctx.write(
        f"\t\tInitial VFs: {f.initial_vfs}, Total VFs: {f.total_vfs}, Number of VFs: {f.num_vfs}, "
        f"Function Dependency Link: {f.function_dependency_link:02x}\n"
    )
    ctx.write(f"\t\tVF offset: {f.first_vf_offset}, stride: {f.vf_stride}, Device ID: {f.vf_device_id:04x}\n")
    ctx.write(
        f"\t\tSupported Page Size: {f.supported_page_sizes:08x}, System Page Size: {f.system_page_size:08x}\n"
    )
    for bar in f.vf_bars:
        ctx.write(_vf_bar(bar))
    msa = f.vf_migration_state_array_offset
    ctx.write(f"\t\tVF Migration: offset: {msa.offset:08x}, BIR: {msa.bir:x}\n")
