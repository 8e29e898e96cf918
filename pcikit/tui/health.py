"""Health at a glance: what is wrong with a device, read from the decoded model.

Each check returns :class:`Finding` objects with a severity (``warning`` or
``error``); :func:`status` folds them into the one glyph the device list shows.
Facts come from the model's decoded fields (PCIe Link Capabilities/Status, AER
status registers, MSI-X Message Control, PMCSR), never from raw offsets here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Optional

from ..model import Device
from ..schema.caps.express import DOWNSTREAM_PORT, LINKLESS_PORT_TYPES, PCI_TO_PCIE_BRIDGE, ROOT_PORT

CAP_ID_PM = 0x01
CAP_ID_EXP = 0x10
CAP_ID_MSIX = 0x11
ECAP_ID_AER = 0x0001
OK, INFO, WARNING, ERROR = "ok", "info", "warning", "error"
_RANK = {OK: 0, INFO: 0, WARNING: 1, ERROR: 2}
GLYPHS = {OK: ("●", "green"), WARNING: ("▲", "yellow"), ERROR: ("✖", "bold red"), None: ("·", "dim")}


@dataclass(frozen=True)
class Finding:
    """One thing worth a look: ``severity`` is info, warning or error; ``topic`` groups it
    (link, aer, config, msix, power, decode)."""

    severity: str
    topic: str
    text: str


def worst(findings: Iterable[Finding]) -> str:
    """``ok``, ``warning`` or ``error``: the most severe finding (``info`` counts as ok)."""
    severity = max((f.severity for f in findings), key=_RANK.__getitem__, default=OK)
    return OK if severity == INFO else severity


def _set_bits(register: Any) -> list[str]:
    """Names of the set single-bit fields of a decoded register."""
    return [str(k) for k, v in register.items() if v is True and not str(k).startswith("_")]


def _express(dev: Device) -> Any:
    cap = dev.find_capability(CAP_ID_EXP)
    return cap.fields if cap is not None else None


def link_speeds(fields: Any) -> Optional[tuple[float, int, float, int]]:
    """(current GT/s, current width, capable GT/s, capable width) of a PCIe capability, if it has a link."""
    try:
        speed, width = fields.link_speed_gts, fields.link_width
        max_speed, max_width = fields.max_link_speed_gts, fields.max_link_width
    except (AttributeError, KeyError):
        return None
    if None in (speed, width, max_speed, max_width) or not max_width:
        return None
    return speed, width, max_speed, max_width


def _gts(speed: float) -> str:
    return f"{speed:g} GT/s"


_DOWNSTREAM_FACING = (ROOT_PORT, DOWNSTREAM_PORT, PCI_TO_PCIE_BRIDGE)


def check_link(dev: Device, above: Optional[Device] = None, below: Optional[Device] = None) -> list[Finding]:
    """Link trained below what both ends can do (a port with no link up is not a finding).

    The other end is ``below`` (the device behind it) for root and downstream ports, else
    ``above`` (the port it hangs under); when known it bounds what the link can train to.
    """
    fields = _express(dev)
    link = link_speeds(fields) if fields is not None else None
    if link is None or fields.port_type_raw in LINKLESS_PORT_TYPES:
        return []
    other = below if fields.port_type_raw in _DOWNSTREAM_FACING else above
    speed, width, max_speed, max_width = link
    if width == 0:  # no link trained (empty slot, or link down)
        if fields.port_type_raw in (ROOT_PORT, DOWNSTREAM_PORT):
            return []
        return [Finding(ERROR, "link", "link down (width x0)")]
    other_fields = _express(other) if other is not None else None
    partner = link_speeds(other_fields) if other_fields is not None else None
    cap_speed, cap_width = max_speed, max_width
    if partner is not None:
        cap_speed, cap_width = min(max_speed, partner[2]), min(max_width, partner[3])
    if speed < cap_speed or width < cap_width:
        text = f"link {_gts(speed)} x{width}, capable {_gts(max_speed)} x{max_width}"
        if partner is not None and (cap_speed, cap_width) != (max_speed, max_width):
            text += f" (other end {_gts(partner[2])} x{partner[3]})"
        return [Finding(WARNING, "link", "downtrained: " + text)]
    return []


def check_config(dev: Device) -> list[Finding]:
    """Config space that reads all ones: the function is gone or its link is down."""
    if dev.config.size >= 4 and dev.vendor_id == 0xFFFF:
        return [Finding(ERROR, "config", "config space reads all ones (device gone or link down)")]
    return []


def check_aer(dev: Device) -> list[Finding]:
    """AER status bits set (uncorrectable: error; correctable: warning), and PCIe Device Status."""
    found = []
    cap = dev.find_capability(ECAP_ID_AER, extended=True)
    fields = cap.fields if cap is not None else None
    if fields is not None:
        for name, severity in (("uncorrectable_error_status", ERROR), ("correctable_error_status", WARNING)):
            register = fields.get(name)
            bits = _set_bits(register) if register is not None else []
            if bits:
                kind = name.split("_")[0]
                found.append(Finding(severity, "aer", f"AER {kind}: " + ", ".join(bits)))
    express = _express(dev)
    status = express.get("device_status") if express is not None else None
    if status is not None and not found:
        detected = [b for b in ("fatal_error_detected", "non_fatal_error_detected") if status.get(b)]
        if detected:
            found.append(Finding(ERROR, "aer", "Device Status: " + ", ".join(detected)))
        elif status.get("correctable_error_detected"):
            found.append(Finding(WARNING, "aer", "Device Status: correctable_error_detected"))
    return found


def check_msix(dev: Device) -> list[Finding]:
    """MSI-X enabled but function-masked: no vector can fire."""
    cap = dev.find_capability(CAP_ID_MSIX)
    fields = cap.fields if cap is not None else None
    if fields is not None and fields.enable and fields.function_mask:
        return [Finding(WARNING, "msix", "MSI-X enabled but function-masked (no vector can fire)")]
    return []


def check_power(dev: Device) -> list[Finding]:
    """A function not in D0 (information: runtime power management suspends idle functions)."""
    cap = dev.find_capability(CAP_ID_PM)
    fields = cap.fields if cap is not None else None
    pmcsr = fields.get("pmcsr") if fields is not None else None
    if pmcsr is not None and pmcsr.power_state:
        state = {1: "D1", 2: "D2", 3: "D3hot"}.get(pmcsr.power_state, f"state {pmcsr.power_state}")
        return [Finding(INFO, "power", f"power state {state}")]
    return []


def findings(dev: Device, above: Optional[Device] = None, below: Optional[Device] = None) -> list[Finding]:
    """Every finding for ``dev``; ``above``/``below`` are its neighbours on the bus (see check_link)."""
    out = check_config(dev)
    if out:
        return out
    out += check_link(dev, above, below) + check_aer(dev) + check_msix(dev) + check_power(dev)
    out += [Finding(WARNING, "decode", problem) for problem in dev.problems]
    return out


def status_glyph(severity: Optional[str]) -> tuple[str, str]:
    """(glyph, style) for a severity; None (not yet checked) is a dim dot."""
    return GLYPHS[severity]
