"""Device 3 (pciutils cap_dev3, from 3.14)."""
from __future__ import annotations

from ..context import RenderContext, pm

_L0P_EXIT_LATENCY = (
    "Less than 1us", "1us to less than 2us", "2us to less than 4us", "4us to less than 8us",
    "8us to less than 16us", "16us to less than 32us", "32us-64us", "More than 64us",
)
_LINK_WIDTHS = {0: "x1", 1: "x2", 2: "x4", 3: "x8", 4: "x16", 7: "Dynamic"}


def link_width(code: int) -> str:
    """lspci's link_width_str()."""
    return _LINK_WIDTHS.get(code, f"Unknown ({code})")


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv DevCap3, DevCtl3 and DevSta3 as far as readable."""
    ctx.write("Device 3\n")
    if ctx.verbose < 2 or not cap.readable(0x04, 4):
        return
    f = cap.fields
    c = f.device_capabilities_3
    text = (
        f"\t\tDevCap3: DMWr Request Routing{pm(c.dmwr_request_routing_supported)},"
        f" 14-Bit Tag Completer{pm(c.tag_14bit_completer_supported)},"
        f" 14-Bit Tag Requester{pm(c.tag_14bit_requester_supported)}\n\t\t\t L0p{pm(c.l0p_supported)}"
    )
    if c.l0p_supported:
        text += (
            f", Port L0p Exit Latency: {_L0P_EXIT_LATENCY[c.port_l0p_exit_latency]},"
            f" Retimer L0p Exit Latency: {_L0P_EXIT_LATENCY[c.retimer_l0p_exit_latency]}"
        )
    ctx.write(
        f"{text}\n\t\t\t UIO Mem RdWr Completer{pm(c.uio_mem_rdwr_completer_supported)},"
        f" UIO Mem RdWr Requester{pm(c.uio_mem_rdwr_requester_supported)}\n"
    )
    if not cap.readable(0x08, 2):
        return
    c = f.device_control_3
    ctx.write(
        f"\t\tDevCtl3: DMWr Requester{pm(c.dmwr_requester_enable)}, DMWr Egress Blocking{pm(c.dmwr_egress_blocking)},"
        f" 14-Bit Tag Requester{pm(c.tag_14bit_requester_enable)}\n"
        f"\t\t\t L0p{pm(c.l0p_enable)}, Target Link Width: {link_width(c.target_link_width)}\n"
        f"\t\t\t UIO Mem RdWr Requester{pm(c.uio_mem_rdwr_requester_enable)},"
        f" UIO Request 256B Boundary{pm(not c.uio_request_256b_boundary_disable)}\n"
    )
    if not cap.readable(0x0C, 2):
        return
    s = f.device_status_3
    ctx.write(
        f"\t\tDevSta3: Initial Link Width: {link_width(s.initial_link_width)},"
        f" Segment Captured{pm(s.segment_captured)}, Remote L0p{pm(s.remote_l0p_supported)}\n"
    )
