"""lspci ``-b``: the device as the bus sees it.

pciutils' sysfs back end normally shows the kernel's view (remapped BARs with sizes, the
kernel's IRQ); with ``-b`` it reads them from config space like a dump does. Placement facts
(driver, NUMA node, IOMMU group, physical slot) stay the kernel's; the topology is drawn from
config space alone (pciutils does not ask the kernel for parents then).
"""
from __future__ import annotations

from ...access.base import KernelInfo
from ...model import Device


def bus_view(dev: Device) -> Device:
    """``dev`` without the kernel's IRQ, resources and parent (a device without kernel facts as is)."""
    kernel = dev.kernel
    if kernel is None:
        return dev
    facts = dict(kernel.as_dict(), irq=None, resources=[], parent=None)
    return Device(dev.address, dev.config, KernelInfo(**facts), dev.title)
