"""Error checks: ``unreachable``, ``aer`` and ``dpc``.

``aer`` reads the AER extended capability (status, severity, mask, header log), the
Device Status error bits of functions without AER, and, for live devices, the kernel's
``aer_dev_correctable`` / ``aer_dev_nonfatal`` / ``aer_dev_fatal`` counters.
"""
from __future__ import annotations

from typing import Any, Iterator

from ..schema import registry
from ..schema.ecaps import aer as aer_schema
from .finding import ERROR, INFO, WARNING, Finding, make
from .topology import Topology, reachable

CAP_ID_AER = registry.extended_id("Advanced Error Reporting")
CAP_ID_DPC = registry.extended_id("Downstream Port Containment")

# DPC Trigger Reason (and its extension when the reason is 3).
_DPC_REASONS = {0: "unmasked uncorrectable error", 1: "ERR_NONFATAL received", 2: "ERR_FATAL received"}
_DPC_EXTENSIONS = {0: "RP PIO error", 1: "DPC Software Trigger"}


def check_unreachable(topo: Topology) -> list[Finding]:
    """A function that reads all ones or Vendor ID 0xffff (PCIe 7.5.1.1.1; 2.3.2 for the all-ones completion).

    A function whose Vendor ID is valid but whose 64-byte header is not all readable answers: it is
    reported as a warning that nothing past those bytes could be checked, never as all ones.
    """
    found = []
    for dev in topo.devices:
        if reachable(dev):
            continue
        readable = dev.config.size
        if readable >= 2 and dev.vendor_id != 0xFFFF:
            found.append(make(dev, "unreachable", WARNING,
                              f"only {readable} config bytes readable: the 64-byte header and everything "
                              "after it could not be checked", "64 bytes or more", f"{readable} bytes"))
            continue
        actual = "no config space" if readable < 2 else f"vendor ID {dev.vendor_id:#06x}"
        found.append(make(dev, "unreachable", ERROR,
                          f"config space reads all ones ({readable} bytes readable): absent, gone, in reset "
                          "or behind a dead link", "a valid vendor ID", actual))
    return found


def set_bits(register: Any, raw: int) -> list[str]:
    """Names of the bits set in ``raw`` as the schema Register declares them; unknown bits as ``bit N``."""
    names, known = [], 0
    for spec in register.fields:
        if spec.is_flag:
            known |= 1 << spec.lo
            if raw >> spec.lo & 1:
                names.append(spec.name)
    rest = raw & ~known
    names.extend(f"bit {bit}" for bit in range(32) if rest >> bit & 1)
    return names


def _header_log(fields: Any) -> str:
    return "header log " + " ".join(f"{dword:08x}" for dword in fields["header_log"])


def _aer_findings(dev, fields: Any) -> Iterator[Finding]:
    status = fields["uncorrectable_error_status"]["raw"]
    severity = fields["uncorrectable_error_severity"]["raw"]
    masked = fields["uncorrectable_error_mask"]["raw"]
    for label, level, bits in (("fatal", ERROR, status & severity), ("non-fatal", WARNING, status & ~severity)):
        if bits:
            names = set_bits(aer_schema.UNCORRECTABLE_ERRORS, bits)
            note = " (masked)" if bits & ~masked == 0 else ""
            yield make(dev, "aer", level, f"uncorrectable {label} error status: {', '.join(names)}{note}; "
                       f"{_header_log(fields)}", "no error status", ", ".join(names))
    correctable = fields["correctable_error_status"]["raw"]
    if correctable:
        names = set_bits(aer_schema.CORRECTABLE_ERRORS, correctable)
        yield make(dev, "aer", INFO, f"correctable error status: {', '.join(names)}", "no error status", ", ".join(names))


def _device_status_findings(dev, fields: Any) -> Iterator[Finding]:
    status = fields["device_status"]
    if status is None:
        return
    for flag, label, level in (("fatal_error_detected", "fatal", ERROR),
                               ("non_fatal_error_detected", "non-fatal", WARNING),
                               ("correctable_error_detected", "correctable", INFO)):
        if status[flag]:
            yield make(dev, "aer", level, f"Device Status: {label} error detected (no AER capability to say which)",
                       "no error detected", flag)


def check_aer(topo: Topology) -> list[Finding]:
    """AER status bits by severity with the header log (PCIe 6.2.2, 7.8.4); Device Status without AER (7.5.3.5).

    Live: the kernel's aer_dev_* counters since boot.
    """
    from .live import aer_counter_findings

    found: list[Finding] = []
    for dev in topo.devices:
        if not reachable(dev):
            continue
        cap = dev.find_capability(CAP_ID_AER, extended=True)
        if cap is not None and cap.fields is not None:
            found.extend(_aer_findings(dev, cap.fields))
        else:
            fields = topo.express(dev)
            if fields is not None:
                found.extend(_device_status_findings(dev, fields))
        if topo.live:
            found.extend(aer_counter_findings(dev, topo.sysfs_root))
    return found


def check_dpc(topo: Topology) -> list[Finding]:
    """DPC Trigger Status set: the port contained its link (PCIe 6.2.10, DPC Status register)."""
    found = []
    for dev in topo.devices:
        cap = dev.find_capability(CAP_ID_DPC, extended=True) if reachable(dev) else None
        if cap is None or cap.fields is None or not cap.fields["dpc_status"]["dpc_trigger_status"]:
            continue
        status = cap.fields["dpc_status"]
        reason = status["dpc_trigger_reason"]
        why = _DPC_REASONS.get(reason) or _DPC_EXTENSIONS.get(status["dpc_trigger_reason_extension"], "reserved reason")
        source = cap.fields["dpc_error_source_id"]
        found.append(make(dev, "dpc", ERROR, f"DPC triggered ({why}); link below is disabled; "
                          f"error source {source >> 8:02x}:{source >> 3 & 0x1f:02x}.{source & 7}",
                          "DPC Trigger Status clear", f"triggered: {why}"))
    return found
