"""Flit Error Injection (pciutils cap_flit_ei, lspci 3.14 as built from 0f5b941)."""
from __future__ import annotations

from ..context import RenderContext, pm

_FLIT_TYPES = ("any", "any non-IDLE", "only payload", "only NOP")
_ERROR_TYPES = ("random", "correctable single group", "correctable three groups", "uncorrectable")
_STATES = ("not started", "started", "completed", "error")
_CONSECUTIVE = {0: "none", 1: "1", 2: "2", 3: "3", 4: "Unknown (4)", 5: "5", 6: "6", 7: "pseudo-random"}
_ORDERED_SET_LINES = (
    (("TS0", "ts0"), ("TS1", "ts1"), ("TS2", "ts2")),
    (("SKP", "skp"), ("EIEOS", "eieos"), ("EIOS", "eios")),
    (("SDS", "sds"), ("Polling", "polling"), ("Configuration", "configuration")),
    (("L0", "l0"), ("non-EQ recovery", "recovery_non_equalization"), ("Eq01", "equalization_phase_0_1")),
    (("Eq2", "equalization_phase_2"), ("Eq3", "equalization_phase_3")),
)


def render(ctx: RenderContext, cap) -> None:
    """Name line; with -vv the flit and ordered set injection controls and status."""
    ctx.write("Flit Error Injection\n")
    if ctx.verbose < 2 or not cap.readable(0x04, 32):
        return
    f = cap.fields
    c1, c2, s = f.flit_error_injection_control_1, f.flit_error_injection_control_2, f.flit_error_injection_status
    ctx.write(
        f"\t\tFlitEiCtl1:   En{pm(c1.flit_error_injection_enable)} Tx{pm(c1.inject_errors_on_transmitted_flits)}"
        f" Rx{pm(c1.inject_errors_on_received_flits)} 2.5GT/s{pm(c1.enable_2_5gts)} 5.0GT/s{pm(c1.enable_5_0gts)}"
        f" 8.0GT/s{pm(c1.enable_8_0gts)} 16.0GT/s{pm(c1.enable_16_0gts)} 32.0GT/s{pm(c1.enable_32_0gts)}"
        f" 64.0GT/s{pm(c1.enable_64_0gts)}\n"
        f"\t\t\t      Number of errors: {c1.number_of_errors_injected},"
        f" Spacing between errors: {c1.spacing_between_injected_errors},"
        f" Flit Type: {_FLIT_TYPES[c1.injection_on_flit_type]}\n"
        f"\t\tFlitEiCtl2:   Consecutive: {_CONSECUTIVE[c2.consecutive_error_injection]},"
        f" Type: {_ERROR_TYPES[c2.error_type_being_injected]}, Offset: {c2.error_offset_within_flit},"
        f" Magnitude: {c2.error_magnitude}\n"
        f"\t\tFlitEiSts:    Tx: {_STATES[s.flit_error_tx_injection_status]},"
        f" Rx: {_STATES[s.flit_error_rx_injection_status]}\n"
    )
    o = f.ordered_set_error_injection_control_1
    sets = ("ts0", "ts1", "ts2", "skp", "eieos", "eios")
    states = ("sds", "polling", "configuration", "l0", "recovery_non_equalization", "equalization_phase_0_1",
              "equalization_phase_2", "equalization_phase_3")
    first = " ".join(f"{name.upper()}{pm(o[f'inject_{name}'])}" for name in sets)
    labels = ("SDS", "Poll", "Conf", "L0", "NoEq", "Eq01", "Eq2", "Eq3")
    second = " ".join(f"{label}{pm(o[f'inject_{name}'])}" for label, name in zip(labels, states))
    ctx.write(
        f"\t\tFlitEiOsCtl1: En{pm(o.ordered_set_error_injection_enable)}"
        f" Tx{pm(o.inject_errors_on_transmitted_ordered_sets)} Rx{pm(o.inject_errors_on_received_ordered_sets)}"
        f" {first}\n\t\t\t      {second}\n"
    )
    o2 = f.ordered_set_error_injection_control_2
    ctx.write(
        f"\t\tFlitEiOsCtl2: Bytes: {o2.error_injection_bytes:04x}, Lanes: {o2.lane_number_for_error_injection:04x}\n"
    )
    for title, status in (("FlitEiOsTx:", f.ordered_set_error_tx_injection_status),
                          ("FlitEiOsRx:", f.ordered_set_error_rx_injection_status)):
        for number, line in enumerate(_ORDERED_SET_LINES):
            lead = f"\t\t{title:<14}" if number == 0 else "\t\t\t      "
            ctx.write(lead + ", ".join(f"{label}: {_STATES[status[name]]}" for label, name in line) + "\n")
