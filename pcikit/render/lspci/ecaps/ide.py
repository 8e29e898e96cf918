"""Integrity & Data Encryption (pciutils cap_ide, from 3.12; XT and TEE-limited bits as built from 0f5b941).

3.12 names stream state 1 ``secure`` and prints address association limits and bases
without shifting the low parts into place; 3.13 corrects both and adds the CFG flag.
"""
from __future__ import annotations

from ..context import RenderContext, pm
from ..dialect import V3_13, V3_14

_HEADER_ENCRYPTION = ("no", "17:2", "25:2", "33:2", "41:2")
_STREAM_STATE = ("insecure", "reserved", "secure")
_STREAM_STATE_3_12 = ("insecure", "secure")  # 3.12 named state 1 secure; 3.13 follows the spec (2)
_AGGREGATION = ("-", "=2", "=4", "=8")
_STREAMS = 0x0C


def _table(names: tuple[str, ...], value: int) -> str:
    return names[value] if value < len(names) else f"??{value}"


def _algorithm(code: int) -> str:
    return "AES-GCM-256-96b" if code == 0 else "reserved"


class _Writer:
    """Line prefixes: the absolute offset in brackets at -vvv, as lspci's offstr()."""

    def __init__(self, ctx: RenderContext, base: int) -> None:
        self.ctx, self.base = ctx, base

    def line(self, relative: int, text: str) -> None:
        where = f"[{self.base + relative:x}]" if self.ctx.verbose >= 3 else ""
        self.ctx.write(f"\t\t{where}{text}\n")


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv the capability, control and every stream block lspci can fetch."""
    ctx.write("Integrity & Data Encryption\n")
    if ctx.verbose < 2:
        return
    if not cap.readable(0x04, 8):
        ctx.write("\t\t<unreadable>\n")
        return
    f = cap.fields
    c = f.ide_capability
    links = c.number_of_tcs_supported_for_link_ide if c.link_ide_stream_supported else 0
    selective = c.number_of_selective_ide_streams_supported if c.selective_ide_streams_supported else 0
    new = ctx.dialect >= V3_14
    ctx.write(
        f"\t\tIDECap: Lnk={links} Sel={selective} FlowThru{pm(c.flow_through_ide_stream_supported)}"
        f" PartHdr{pm(c.partial_header_encryption_supported)} Aggr{pm(c.aggregation_supported)}"
        f" PCPC{pm(c.pcrc_supported)} IDE_KM{pm(c.ide_km_protocol_supported)}"
        + (f" SelCfg{pm(c.selective_ide_for_configuration_requests_supported)}" if new else "")
        + f" Alg='{_algorithm(c.supported_algorithms)}' TCs={c.number_of_tcs_supported_for_link_ide}"
        f" TeeLim{pm(c.tee_limited_stream_supported)}" + (f" XT{pm(c.xt_supported)}" if new else "") + "\n"
    )
    ctx.write(f"\t\tIDECtl: FTEn{pm(f.ide_control.flow_through_ide_stream_enabled)}\n")
    out = _Writer(ctx, cap.offset)
    if links and not cap.readable(_STREAMS, 8 * links):
        ctx.write("\t\t<unreadable>\n")
        return
    relative = _STREAMS
    for index, stream in enumerate(f.link_ide_streams[:links]):
        _link_stream(out, relative, index, stream, new)
        relative += 8
    for index in range(selective):
        if not cap.readable(relative, 20) or index >= len(f.selective_ide_streams):
            ctx.write("\t\t<unreadable>\n")
            return
        relative = _selective_stream(ctx, cap, out, relative, index, f.selective_ide_streams[index])
        if relative is None:
            return


def _states(ctx: RenderContext) -> tuple[str, ...]:
    return _STREAM_STATE if ctx.dialect >= V3_13 else _STREAM_STATE_3_12


def _link_stream(out: _Writer, relative: int, index: int, stream, new: bool) -> None:
    c = stream.link_ide_stream_control
    out.line(
        relative,
        f"LinkIDE#{index} Ctl: En{pm(c.link_ide_stream_enable)}"
        + (f" XT{pm(c.link_ide_stream_xt_enable)}" if new else "")
        + f" NPR{_AGGREGATION[c.tx_aggregation_mode_npr]} PR{_AGGREGATION[c.tx_aggregation_mode_pr]}"
        f" CPL{_AGGREGATION[c.tx_aggregation_mode_cpl]}"
        # lspci prints the stream's Enable bit as PCRC
        f" PCRC{pm(c.link_ide_stream_enable)} HdrEnc={_table(_HEADER_ENCRYPTION, c.partial_header_encryption_mode)}"
        f" Alg='{_algorithm(c.selected_algorithm)}' TC{c.tc} ID{c.stream_id}",
    )
    s = stream.link_ide_stream_status
    out.line(
        relative + 4,
        f"LinkIDE#{index} Sta: Status={_table(_states(out.ctx), s.stream_state)}"
        f" RecvChkFail{pm(s.received_integrity_check_fail_message)}",
    )


def _selective_stream(ctx: RenderContext, cap, out: _Writer, relative: int, index: int, stream):
    """Print one Selective IDE stream; the offset after it, or None when lspci stopped."""
    blocks = stream.selective_ide_stream_capability.number_of_address_association_register_blocks
    out.line(relative, f"SelectiveIDE#{index} Cap: RID#={blocks}")
    c = stream.selective_ide_stream_control
    new = ctx.dialect >= V3_14
    out.line(
        relative + 4,
        f"SelectiveIDE#{index} Ctl: En{pm(c.selective_ide_stream_enable)}"
        + (f" XT{pm(c.selective_ide_stream_xt_enable)}" if new else "")
        + f" NPR{_AGGREGATION[c.tx_aggregation_mode_npr]} PR{_AGGREGATION[c.tx_aggregation_mode_pr]}"
        f" CPL{_AGGREGATION[c.tx_aggregation_mode_cpl]} PCRC{pm(c.pcrc_enable)}"
        + (f" CFG{pm(c.selective_ide_for_configuration_requests_enable)}" if ctx.dialect >= V3_13 else "")
        + f" HdrEnc={_table(_HEADER_ENCRYPTION, c.partial_header_encryption_mode)}"
        f" Alg='{_algorithm(c.selected_algorithm)}' TC{c.tc}"
        + (f" TeeLim{pm(c.tee_limited_stream)}" if new else "")
        + f" ID{c.stream_id}{' Default' if c.default_stream else ''}",
    )
    s = stream.selective_ide_stream_status
    out.line(
        relative + 8,
        f"SelectiveIDE#{index} Sta: {_table(_states(ctx), s.stream_state)}"
        f" RecvChkFail{pm(s.received_integrity_check_fail_message)}",
    )
    first, second = stream.ide_rid_association_1, stream.ide_rid_association_2
    out.line(
        relative + 12,
        f"SelectiveIDE#{index} RID: Valid{pm(second.valid)} Base={second.rid_base:x}"
        f" Limit={first.rid_limit:x} SegBase={second.segment_base:x}",
    )
    relative += 20
    if not cap.readable(relative, 12 * blocks) or len(stream.address_association) < blocks:
        ctx.write("\t\t<unreadable>\n")
        return None
    for number, block in enumerate(stream.address_association):
        first = block.ide_address_association_1
        if ctx.dialect >= V3_13:
            base, limit = block.memory_base, block.memory_limit
        else:
            base = block.memory_base_upper << 32 | first.memory_base_lower
            limit = block.memory_limit_upper << 32 | first.memory_limit_lower
        out.line(relative, f"SelectiveIDE#{index} RID#{number}: Valid{pm(first.valid)} Base={base:x} Limit={limit:x}")
        relative += 12
    return relative
