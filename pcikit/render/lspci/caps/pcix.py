"""PCI-X (pciutils cap_pcix): device and bridge layouts."""
from __future__ import annotations

from ..context import RenderContext, pm

_FREQUENCY = ("conv", "66MHz", "100MHz", "133MHz", "?4", "?5", "?6", "?7")


def _device(ctx: RenderContext, cap) -> None:
    ctx.write("PCI-X non-bridge device\n")
    if ctx.verbose < 2 or not cap.readable(4, 4):
        return
    f = cap.fields
    cmd, st = f.command, f.status
    ctx.write(
        f"\t\tCommand: DPERE{pm(cmd.data_parity_error_recovery_enable)} ERO{pm(cmd.enable_relaxed_ordering)} "
        f"RBC={f.max_memory_read_byte_count} OST={f.max_outstanding_split_transactions}\n"
    )
    ctx.write(
        f"\t\tStatus: Dev={st.bus:02x}:{st.device:02x}.{st.function} 64bit{pm(st.device_64bit)} "
        f"133MHz{pm(st.capable_133mhz)} SCD{pm(st.split_completion_discarded)} "
        f"USC{pm(st.unexpected_split_completion)} DC={'bridge' if st.device_complexity else 'simple'} "
        f"DMMRBC={f.designed_max_memory_read_byte_count} DMOST={f.designed_max_outstanding_split_transactions} "
        f"DMCRS={f.designed_max_cumulative_read_size} RSCEM{pm(st.received_split_completion_error_message)} "
        f"266MHz{pm(st.capable_266mhz)} 533MHz{pm(st.capable_533mhz)}\n"
    )


def _split_control(name: str, reg) -> str:
    return (
        f"\t\t{name}: Capacity={reg.split_transaction_capacity} "
        f"CommitmentLimit={reg.split_transaction_commitment_limit}\n"
    )


def _bridge(ctx: RenderContext, cap) -> None:
    ctx.write("PCI-X bridge device\n")
    if ctx.verbose < 2 or not cap.readable(4, 12):
        return
    f = cap.fields
    sec, st = f.secondary_status, f.bridge_status
    ctx.write(
        f"\t\tSecondary Status: 64bit{pm(sec.device_64bit)} 133MHz{pm(sec.capable_133mhz)} "
        f"SCD{pm(sec.split_completion_discarded)} USC{pm(sec.unexpected_split_completion)} "
        f"SCO{pm(sec.split_completion_overrun)} SRD{pm(sec.split_request_delayed)} "
        f"Freq={_FREQUENCY[sec.secondary_clock_frequency]}\n"
    )
    ctx.write(
        f"\t\tStatus: Dev={st.bus:02x}:{st.device:02x}.{st.function} 64bit{pm(st.device_64bit)} "
        f"133MHz{pm(st.capable_133mhz)} SCD{pm(st.split_completion_discarded)} "
        f"USC{pm(st.unexpected_split_completion)} SCO{pm(st.split_completion_overrun)} "
        f"SRD{pm(st.split_request_delayed)}\n"
    )
    ctx.write(_split_control("Upstream", f.upstream_split_transaction_control))
    ctx.write(_split_control("Downstream", f.downstream_split_transaction_control))


def render(ctx: RenderContext, cap) -> None:
    """``PCI-X non-bridge device`` or ``PCI-X bridge device``; nothing at all for other headers."""
    kind = cap.fields.kind
    if kind == "device":
        _device(ctx, cap)
    elif kind == "bridge":
        _bridge(ctx, cap)
