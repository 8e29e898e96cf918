"""PCI Express Device/Port Types: bits 7:4 of the PCI Express Capabilities register (PCIe Base 6.0, 7.5.3.2).

Declared apart from the PCI Express capability's schema (:mod:`pcikit.schema.caps.express`, which
re-exports them) because the header schema's Bridge Control attributes depend on the port type:
the header then loads without that schema, which a function without the capability never needs.
"""

ENDPOINT = 0x0
LEGACY_ENDPOINT = 0x1
ROOT_PORT = 0x4
UPSTREAM_PORT = 0x5
DOWNSTREAM_PORT = 0x6
PCIE_TO_PCI_BRIDGE = 0x7
PCI_TO_PCIE_BRIDGE = 0x8
ROOT_COMPLEX_INTEGRATED_ENDPOINT = 0x9
ROOT_COMPLEX_EVENT_COLLECTOR = 0xA

PORT_TYPE_NAMES: dict[int, str] = {
    ENDPOINT: "endpoint",
    LEGACY_ENDPOINT: "legacy_endpoint",
    ROOT_PORT: "root_port",
    UPSTREAM_PORT: "upstream_port",
    DOWNSTREAM_PORT: "downstream_port",
    PCIE_TO_PCI_BRIDGE: "pcie_to_pci_bridge",
    PCI_TO_PCIE_BRIDGE: "pci_to_pcie_bridge",
    ROOT_COMPLEX_INTEGRATED_ENDPOINT: "root_complex_integrated_endpoint",
    ROOT_COMPLEX_EVENT_COLLECTOR: "root_complex_event_collector",
}
