"""The one table a capability ID is declared in: decoder, lspci renderer, names.

Each entry names the schema module that decodes the ID (under ``pcikit.schema.caps``
or ``.ecaps``), its spec name, and what lspci does with it: the renderer module
(under ``pcikit.render.lspci.caps`` or ``.ecaps``) and the first pciutils release
that decodes the ID, and the name lspci prints where it does not (``... <?>``),
with the first release that knows that name. Releases are ``(major, minor)``
tuples, compared with the renderer's ``LspciVersion``.

Modules are imported lazily, on the first capability of their kind, so that
start-up stays cheap. An ID with no module (or whose module is absent) decodes
to the ``unknown`` fallback: header only, no fields.
"""
from __future__ import annotations

import importlib
from types import ModuleType

from .capability_ids import BRIDGE_SUBSYSTEM_VENDOR_ID, PCI_EXPRESS, PCI_X

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import NamedTuple, Optional
else:
    from ..tuples import NamedTuple

EVERY_RELEASE = (0, 0)
LSPCI_3_11 = (3, 11)
LSPCI_3_12 = (3, 12)
LSPCI_3_14 = (3, 14)


class Entry(NamedTuple):
    """One capability ID: who decodes it, who renders it as lspci does, what it is called."""

    module: Optional[str]  # decoder module; None: the unknown fallback
    name: str  # spec name
    lspci: Optional[str] = None  # lspci renderer module; None: no lspci release decodes the ID
    lspci_from: tuple[int, int] = EVERY_RELEASE  # first lspci release that decodes it
    lspci_name: Optional[str] = None  # what lspci prints when it does not decode it; None: the bare ID
    lspci_name_from: tuple[int, int] = EVERY_RELEASE  # first lspci release that prints lspci_name

STANDARD: dict[int, Entry] = {
    0x00: Entry(None, "Null", lspci_name="Null"),
    0x01: Entry("pm", "Power Management", lspci="pm"),
    0x02: Entry("agp", "AGP", lspci="agp"),
    0x03: Entry("vpd", "Vital Product Data", lspci="vpd"),
    0x04: Entry("slotid", "Slot Identification", lspci="slotid"),
    0x05: Entry("msi", "MSI", lspci="msi"),
    0x06: Entry(None, "CompactPCI Hot Swap", lspci_name="CompactPCI hot-swap <?>"),
    PCI_X: Entry("pcix", "PCI-X", lspci="pcix"),
    0x08: Entry("ht", "HyperTransport", lspci="ht"),
    0x09: Entry("vendor", "Vendor Specific", lspci="vendor"),
    0x0A: Entry("debug", "Debug Port", lspci="debug"),
    0x0B: Entry(None, "CompactPCI Central Resource Control", lspci_name="CompactPCI central resource control <?>"),
    0x0C: Entry(None, "PCI Hot-Plug", lspci_name="Hot-plug capable"),
    BRIDGE_SUBSYSTEM_VENDOR_ID: Entry("ssvid", "Bridge Subsystem Vendor ID", lspci="ssvid"),
    0x0E: Entry(None, "AGP 8x", lspci_name="AGP3 <?>"),
    0x0F: Entry(None, "Secure Device", lspci_name="Secure device <?>"),
    PCI_EXPRESS: Entry("express", "PCI Express", lspci="express"),
    0x11: Entry("msix", "MSI-X", lspci="msix"),
    0x12: Entry("sata", "SATA Data/Index Configuration", lspci="sata"),
    0x13: Entry("af", "Advanced Features", lspci="af"),
    0x14: Entry("ea", "Enhanced Allocation", lspci="ea"),
    0x15: Entry("fpb", "Flattening Portal Bridge"),
}

EXTENDED: dict[int, Entry] = {
    0x00: Entry(None, "Null", lspci_name="Null"),
    0x01: Entry("aer", "Advanced Error Reporting", lspci="aer"),
    0x02: Entry("vc", "Virtual Channel", lspci="vc"),
    0x03: Entry("dsn", "Device Serial Number", lspci="dsn"),
    0x04: Entry("power_budgeting", "Power Budgeting", lspci_name="Power Budgeting <?>"),
    0x05: Entry("rclink", "Root Complex Link Declaration", lspci="rclink"),
    0x06: Entry(None, "Root Complex Internal Link Control", lspci_name="Root Complex Internal Link <?>"),
    0x07: Entry("rcec", "Root Complex Event Collector Endpoint Association", lspci="rcec"),
    0x08: Entry(None, "Multi-Function Virtual Channel", lspci_name="Multi-Function Virtual Channel <?>"),
    0x09: Entry("vc", "Virtual Channel (MFVC present)", lspci="vc"),
    0x0A: Entry(None, "Root Complex Register Block Header", lspci_name="Root Complex Register Block <?>"),
    0x0B: Entry("vsec", "Vendor-Specific Extended Capability", lspci="vsec"),
    0x0C: Entry(None, "Configuration Access Correlation"),
    0x0D: Entry("acs", "Access Control Services", lspci="acs"),
    0x0E: Entry("ari", "Alternative Routing-ID Interpretation", lspci="ari"),
    0x0F: Entry("ats", "Address Translation Services", lspci="ats"),
    0x10: Entry("sriov", "Single Root I/O Virtualization", lspci="sriov"),
    0x11: Entry(None, "Multi-Root I/O Virtualization", lspci_name="Multi-Root I/O Virtualization <?>"),
    0x12: Entry("multicast", "Multicast", lspci="multicast"),
    0x13: Entry("pri", "Page Request Interface", lspci="pri"),
    0x15: Entry("rebar", "Resizable BAR", lspci="rebar"),
    0x16: Entry(None, "Dynamic Power Allocation", lspci_name="Dynamic Power Allocation <?>"),
    0x17: Entry("tph", "TPH Requester", lspci="tph"),
    0x18: Entry("ltr", "Latency Tolerance Reporting", lspci="ltr"),
    0x19: Entry("secondary_pcie", "Secondary PCI Express", lspci="secondary_pcie"),
    0x1A: Entry(None, "Protocol Multiplexing", lspci_name="Protocol Multiplexing <?>"),
    0x1B: Entry("pasid", "Process Address Space ID", lspci="pasid"),
    0x1C: Entry(None, "LN Requester", lspci_name="LN Requester <?>"),
    0x1D: Entry("dpc", "Downstream Port Containment", lspci="dpc"),
    0x1E: Entry("l1pm", "L1 PM Substates", lspci="l1pm"),
    0x1F: Entry("ptm", "Precision Time Measurement", lspci="ptm"),
    0x20: Entry(None, "PCI Express over M-PHY", lspci_name="PCI Express over M_PHY <?>"),
    0x21: Entry(None, "FRS Queueing", lspci_name="FRS Queueing <?>"),
    0x22: Entry(None, "Readiness Time Reporting", lspci_name="Readiness Time Reporting <?>"),
    0x23: Entry("dvsec", "Designated Vendor-Specific Extended Capability", lspci="dvsec"),
    0x24: Entry("rebar", "VF Resizable BAR", lspci="rebar"),
    0x25: Entry("data_link", "Data Link Feature", lspci_name="Data Link Feature <?>"),
    0x26: Entry("phy16", "Physical Layer 16.0 GT/s", lspci="phy16", lspci_from=LSPCI_3_14,
                lspci_name="Physical Layer 16.0 GT/s <?>"),
    0x27: Entry("lane_margining", "Lane Margining at the Receiver", lspci="lane_margining", lspci_from=LSPCI_3_11,
                lspci_name="Lane Margining at the Receiver <?>"),
    0x28: Entry(None, "Hierarchy ID", lspci_name="Hierarchy ID <?>"),
    0x29: Entry(None, "Native PCIe Enclosure Management", lspci_name="Native PCIe Enclosure Management <?>"),
    0x2A: Entry("phy32", "Physical Layer 32.0 GT/s", lspci="phy32", lspci_from=LSPCI_3_14,
                lspci_name="Physical Layer 32.0 GT/s <?>", lspci_name_from=LSPCI_3_11),
    0x2B: Entry(None, "Alternate Protocol"),
    0x2C: Entry(None, "System Firmware Intermediary"),
    0x2D: Entry(None, "Shadow Functions"),
    0x2E: Entry("doe", "Data Object Exchange", lspci="doe"),
    0x2F: Entry("dev3", "Device 3", lspci="dev3", lspci_from=LSPCI_3_14),
    0x30: Entry("ide", "Integrity and Data Encryption", lspci="ide", lspci_from=LSPCI_3_12),
    0x31: Entry("phy64", "Physical Layer 64.0 GT/s", lspci="phy64", lspci_from=LSPCI_3_14),
    0x32: Entry("flit_logging", "Flit Logging", lspci="flit_logging", lspci_from=LSPCI_3_14),
    0x33: Entry(None, "Flit Performance Measurement"),
    0x34: Entry("flit_error_injection", "Flit Error Injection", lspci="flit_error_injection", lspci_from=LSPCI_3_14),
    0x36: Entry("mmio_rbl", "MMIO Register Block Locator", lspci="mmio_rbl", lspci_from=LSPCI_3_14),
}

_STANDARD_IDS = {entry.name: cap_id for cap_id, entry in STANDARD.items()}
_EXTENDED_IDS = {entry.name: cap_id for cap_id, entry in EXTENDED.items()}


def standard_id(name: str) -> int:
    """The standard capability ID the spec calls ``name`` (``"MSI-X"`` -> 0x11); KeyError if none."""
    return _STANDARD_IDS[name]


def extended_id(name: str) -> int:
    """The extended capability ID the spec calls ``name`` (``"VF Resizable BAR"`` -> 0x24); KeyError if none."""
    return _EXTENDED_IDS[name]


_cache: dict[tuple[str, str], Optional[ModuleType]] = {}


def _load(package: str, name: Optional[str]) -> Optional[ModuleType]:
    if name is None:
        return None
    key = (package, name)
    if key not in _cache:
        path = f"pcikit.schema.{package}.{name}"
        try:
            _cache[key] = importlib.import_module(path)
        except ModuleNotFoundError as exc:
            if exc.name != path:
                raise
            _cache[key] = None
    return _cache[key]


def _module_of(table: dict[int, Entry], cap_id: int) -> Optional[str]:
    entry = table.get(cap_id)
    return entry.module if entry else None


def standard_name(cap_id: int) -> str:
    """Spec name of a standard capability ID (``Capability 0x..`` when unknown)."""
    entry = STANDARD.get(cap_id)
    return entry.name if entry else f"Capability 0x{cap_id:02x}"


def extended_name(cap_id: int) -> str:
    """Spec name of an extended capability ID."""
    entry = EXTENDED.get(cap_id)
    return entry.name if entry else f"Extended Capability 0x{cap_id:04x}"


def standard_module(cap_id: int) -> Optional[ModuleType]:
    """The schema module for a standard capability, or None (unknown fallback)."""
    return _load("caps", _module_of(STANDARD, cap_id))


def extended_module(cap_id: int) -> Optional[ModuleType]:
    """The schema module for an extended capability, or None (unknown fallback)."""
    return _load("ecaps", _module_of(EXTENDED, cap_id))
