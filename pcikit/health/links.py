"""Link checks: ``link-speed``, ``link-width``, ``link-down`` and ``aspm``.

Speeds are the PCIe encodings (1 = 2.5 GT/s ... 6 = 64 GT/s); a function's supported
speeds are its Link Capabilities 2 Supported Link Speeds Vector, or every speed up to
Link Capabilities Max Link Speed when the vector is zero (capability version 1).
"""
from __future__ import annotations

from typing import Any, Optional

from ..schema.caps.express import LINK_SPEED_GTS
from .finding import ERROR, INFO, WARNING, Finding, make
from .topology import Link, Topology, reachable

ASPM_L0S, ASPM_L1 = 0x1, 0x2


def speed_text(code: int) -> str:
    """``8 GT/s`` for encoding 3; reserved encodings as ``speed code N``."""
    gts = LINK_SPEED_GTS.get(code)
    return f"{gts:g} GT/s" if gts is not None else f"speed code {code}"


def supported_speeds(fields: Any) -> int:
    """Bit n-1 set for each supported speed encoding n (Supported Link Speeds Vector)."""
    cap2 = fields["link_capabilities_2"]
    if cap2 is not None and cap2["supported_link_speeds_vector"]:
        return cap2["supported_link_speeds_vector"]
    top = fields["link_capabilities"]["max_link_speed"]
    return (1 << top) - 1 if 1 <= top <= 7 else 0


def common_speed(a: Any, b: Optional[Any]) -> int:
    """The highest speed both ends support (just ``a``'s when ``b`` is None); 0 when unknown."""
    mask = supported_speeds(a)
    if b is None:
        return mask.bit_length()
    shared = mask & supported_speeds(b)
    return shared.bit_length() if shared else min(mask.bit_length(), supported_speeds(b).bit_length())


def _trained(fields: Any) -> bool:
    status = fields["link_status"]
    return status["negotiated_link_width"] != 0 and status["current_link_speed"] in LINK_SPEED_GTS


def _no_port_note(link: Link) -> str:
    return "" if link.port is not None else "; upstream port not in the source, judged against the device's own capability"


def _speed_finding(topo: Topology, link: Link) -> Optional[Finding]:
    dev_fields = topo.express(link.device)
    port_fields = None if link.port is None else topo.express(link.port)
    current = dev_fields["link_status"]["current_link_speed"]
    capable = common_speed(dev_fields, port_fields)
    if not capable or current >= capable:
        return None
    expected, actual = speed_text(capable), speed_text(current)
    if link.port is None:
        return make(link.device, "link-speed", INFO, f"link at {actual}, device supports {expected}"
                    + _no_port_note(link), expected, actual)
    target = port_fields["link_control_2"]["target_link_speed"] if port_fields["link_control_2"] else 0
    if 1 <= target < capable and current >= target:
        return make(link.device, "link-speed", INFO,
                    f"link at {actual}, both ends support {expected}; the port's Target Link Speed caps it "
                    f"at {speed_text(target)}", expected, actual, link.port)
    return make(link.device, "link-speed", WARNING,
                f"link downtrained: {actual}, both ends support {expected}", expected, actual, link.port)


def check_link_speed(topo: Topology) -> list[Finding]:
    """Current Link Speed below the highest speed both ends support (PCIe 7.5.3.6, 7.5.3.8, 7.5.3.18)."""
    found = []
    for link in topo.links():
        if _trained(topo.express(link.device)):
            finding = _speed_finding(topo, link)
            if finding is not None:
                found.append(finding)
    return found


def check_link_width(topo: Topology) -> list[Finding]:
    """Negotiated Link Width below the lesser Maximum Link Width of the two ends (PCIe 7.5.3.6, 7.5.3.8)."""
    found = []
    for link in topo.links():
        dev_fields = topo.express(link.device)
        if not _trained(dev_fields):
            continue
        width = dev_fields["link_status"]["negotiated_link_width"]
        capable = dev_fields["link_capabilities"]["maximum_link_width"]
        if link.port is not None:
            capable = min(capable, topo.express(link.port)["link_capabilities"]["maximum_link_width"])
        if not capable or width >= capable:
            continue
        severity = INFO if link.port is None else WARNING
        subject = "device supports" if link.port is None else "both ends support"
        found.append(make(link.device, "link-width", severity,
                          f"link at x{width}, {subject} x{capable}" + _no_port_note(link),
                          f"x{capable}", f"x{width}", link.port))
    return found


def _link_state(fields: Any) -> Optional[str]:
    """Why a port's link is not up (disabled, training, DL_Down), or None when it is."""
    control, status, caps = fields["link_control"], fields["link_status"], fields["link_capabilities"]
    if control is not None and control["link_disable"]:
        return "disabled"
    if status["link_training"]:
        return "training"
    if caps["data_link_layer_link_active_reporting_capable"] and not status["data_link_layer_link_active"]:
        return "DL_Down"
    return None


def check_link_down(topo: Topology) -> list[Finding]:
    """A downstream port with a device behind it, or Presence Detect, whose link is not up (PCIe 7.5.3.8, 7.5.3.11)."""
    found = []
    for port in topo.downstream_ports():
        fields = topo.express(port)
        behind = topo.behind(port)
        slot_status = fields["slot_status"]
        present = slot_status is not None and slot_status["presence_detect_state"]
        if not behind and not present:
            continue
        state = _link_state(fields)
        if state is None:
            continue
        answering = [dev for dev in behind if reachable(dev)]
        if answering:  # a function below a link that is not up cannot answer: the snapshot caught a transition
            found.append(make(port, "link-down", WARNING, f"link {state}, yet device {answering[0].address} behind "
                              "it answers: state read mid-transition (flapping or retraining link?)", "DL_Active", state))
            continue
        why = f"device {behind[0].address} behind it reads all ones" if behind else "Presence Detect State set"
        found.append(make(port, "link-down", ERROR, f"link {state} with {why}", "DL_Active", state))
    return found


def _aspm_words(topo: Topology, dev) -> tuple[int, int]:
    fields = topo.express(dev)
    control = fields["link_control"]
    return (control["aspm_control"] if control is not None else 0), fields["link_capabilities"]["aspm_support"]


def _aspm_text(bits: int) -> str:
    names = [name for bit, name in ((ASPM_L0S, "L0s"), (ASPM_L1, "L1")) if bits & bit]
    return " ".join(names) or "disabled"


def check_aspm(topo: Topology) -> list[Finding]:
    """ASPM L1 enabled on one end only, or L0s enabled towards an end without L0s support (PCIe 5.4.1, 7.5.3.7)."""
    found = []
    for link in topo.links():
        if link.port is None:
            continue
        dev_ctl, dev_sup = _aspm_words(topo, link.device)
        port_ctl, port_sup = _aspm_words(topo, link.port)
        problems = []
        if (dev_ctl ^ port_ctl) & ASPM_L1:
            problems.append("L1 enabled on one end only")
        if (dev_ctl & ASPM_L0S and not port_sup & ASPM_L0S) or (port_ctl & ASPM_L0S and not dev_sup & ASPM_L0S):
            problems.append("L0s enabled while the other end does not support L0s")
        if problems:
            found.append(make(link.device, "aspm", WARNING,
                              f"ASPM {'; '.join(problems)} (device {_aspm_text(dev_ctl)}, port {_aspm_text(port_ctl)})",
                              _aspm_text(port_ctl), _aspm_text(dev_ctl), link.port))
    return found
