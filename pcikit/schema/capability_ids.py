"""Capability IDs the device model needs before any schema is loaded: plain ints, no imports.

``pcikit list`` reads the capability list (is there a PCI Express or PCI-X capability, so an
extended list?) without loading the registry or construct. The registry's table
(:mod:`pcikit.schema.registry`) keys its entries for these IDs by the names below; every other
ID is declared there.
"""

PCI_X = 0x07  # PCI-X capability (PCI-X 2.0a, 7.2)
BRIDGE_SUBSYSTEM_VENDOR_ID = 0x0D  # Bridge Subsystem Vendor ID (PCI-to-PCI Bridge 1.2, 3.2.5.15)
PCI_EXPRESS = 0x10  # PCI Express capability (PCIe Base 6.0, 7.5.3)
