"""Capability IDs -> the schema module that decodes them, and their spec names.

Modules are imported lazily, on the first capability of their kind, so that
start-up stays cheap. An ID with no module (or whose module is absent) decodes
to the ``unknown`` fallback: header only, no fields.
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Optional

# id: (module under pcikit.schema.caps, spec name)
STANDARD: dict[int, tuple[Optional[str], str]] = {
    0x00: (None, "Null"),
    0x01: ("pm", "Power Management"),
    0x02: ("agp", "AGP"),
    0x03: ("vpd", "Vital Product Data"),
    0x04: ("slotid", "Slot Identification"),
    0x05: ("msi", "MSI"),
    0x06: (None, "CompactPCI Hot Swap"),
    0x07: ("pcix", "PCI-X"),
    0x08: ("ht", "HyperTransport"),
    0x09: ("vendor", "Vendor Specific"),
    0x0A: ("debug", "Debug Port"),
    0x0B: (None, "CompactPCI Central Resource Control"),
    0x0C: (None, "PCI Hot-Plug"),
    0x0D: ("ssvid", "Bridge Subsystem Vendor ID"),
    0x0E: (None, "AGP 8x"),
    0x0F: (None, "Secure Device"),
    0x10: ("express", "PCI Express"),
    0x11: ("msix", "MSI-X"),
    0x12: ("sata", "SATA Data/Index Configuration"),
    0x13: ("af", "Advanced Features"),
    0x14: ("ea", "Enhanced Allocation"),
    0x15: ("fpb", "Flattening Portal Bridge"),
}

# id: (module under pcikit.schema.ecaps, spec name)
EXTENDED: dict[int, tuple[Optional[str], str]] = {
    0x00: (None, "Null"),
    0x01: ("aer", "Advanced Error Reporting"),
    0x02: ("vc", "Virtual Channel"),
    0x03: ("dsn", "Device Serial Number"),
    0x04: ("power_budgeting", "Power Budgeting"),
    0x05: ("rclink", "Root Complex Link Declaration"),
    0x06: (None, "Root Complex Internal Link Control"),
    0x07: ("rcec", "Root Complex Event Collector Endpoint Association"),
    0x08: (None, "Multi-Function Virtual Channel"),
    0x09: ("vc", "Virtual Channel (MFVC present)"),
    0x0A: (None, "Root Complex Register Block Header"),
    0x0B: ("vsec", "Vendor-Specific Extended Capability"),
    0x0C: (None, "Configuration Access Correlation"),
    0x0D: ("acs", "Access Control Services"),
    0x0E: ("ari", "Alternative Routing-ID Interpretation"),
    0x0F: ("ats", "Address Translation Services"),
    0x10: ("sriov", "Single Root I/O Virtualization"),
    0x11: (None, "Multi-Root I/O Virtualization"),
    0x12: ("multicast", "Multicast"),
    0x13: ("pri", "Page Request Interface"),
    0x15: ("rebar", "Resizable BAR"),
    0x16: (None, "Dynamic Power Allocation"),
    0x17: ("tph", "TPH Requester"),
    0x18: ("ltr", "Latency Tolerance Reporting"),
    0x19: ("secondary_pcie", "Secondary PCI Express"),
    0x1A: (None, "Protocol Multiplexing"),
    0x1B: ("pasid", "Process Address Space ID"),
    0x1C: (None, "LN Requester"),
    0x1D: ("dpc", "Downstream Port Containment"),
    0x1E: ("l1pm", "L1 PM Substates"),
    0x1F: ("ptm", "Precision Time Measurement"),
    0x20: (None, "PCI Express over M-PHY"),
    0x21: (None, "FRS Queueing"),
    0x22: (None, "Readiness Time Reporting"),
    0x23: ("dvsec", "Designated Vendor-Specific Extended Capability"),
    0x24: ("rebar", "VF Resizable BAR"),
    0x25: ("data_link", "Data Link Feature"),
    0x26: ("phy16", "Physical Layer 16.0 GT/s"),
    0x27: ("lane_margining", "Lane Margining at the Receiver"),
    0x28: (None, "Hierarchy ID"),
    0x29: (None, "Native PCIe Enclosure Management"),
    0x2A: ("phy32", "Physical Layer 32.0 GT/s"),
    0x2B: (None, "Alternate Protocol"),
    0x2C: (None, "System Firmware Intermediary"),
    0x2D: (None, "Shadow Functions"),
    0x2E: ("doe", "Data Object Exchange"),
    0x2F: ("dev3", "Device 3"),
    0x30: ("ide", "Integrity and Data Encryption"),
    0x31: ("phy64", "Physical Layer 64.0 GT/s"),
    0x32: ("flit_logging", "Flit Logging"),
    0x33: (None, "Flit Performance Measurement"),
    0x34: ("flit_error_injection", "Flit Error Injection"),
    0x36: ("mmio_rbl", "MMIO Register Block Locator"),
}

_cache: dict[str, Optional[ModuleType]] = {}


def _load(package: str, name: Optional[str]) -> Optional[ModuleType]:
    if name is None:
        return None
    key = f"{package}.{name}"
    if key not in _cache:
        try:
            _cache[key] = importlib.import_module(f"pcikit.schema.{key}")
        except ModuleNotFoundError as exc:
            if exc.name != f"pcikit.schema.{key}":
                raise
            _cache[key] = None
    return _cache[key]


def standard_name(cap_id: int) -> str:
    """Spec name of a standard capability ID (``Capability 0x..`` when unknown)."""
    entry = STANDARD.get(cap_id)
    return entry[1] if entry else f"Capability 0x{cap_id:02x}"


def extended_name(cap_id: int) -> str:
    """Spec name of an extended capability ID."""
    entry = EXTENDED.get(cap_id)
    return entry[1] if entry else f"Extended Capability 0x{cap_id:04x}"


def standard_module(cap_id: int) -> Optional[ModuleType]:
    """The schema module for a standard capability, or None (unknown fallback)."""
    return _load("caps", STANDARD.get(cap_id, (None, ""))[0])


def extended_module(cap_id: int) -> Optional[ModuleType]:
    """The schema module for an extended capability, or None (unknown fallback)."""
    return _load("ecaps", EXTENDED.get(cap_id, (None, ""))[0])
