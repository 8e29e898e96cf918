"""The ``msix`` check (live): MSI-X enabled with every vector masked while the kernel has IRQs for it."""
from __future__ import annotations

from contextlib import ExitStack
from typing import Optional

from ..errors import BarUnavailableError
from ..msix import MsixLayout, MsixState, read_msix
from .finding import WARNING, Finding, make
from .topology import Topology, reachable


def _live_state(dev, root: str, layout: MsixLayout) -> Optional[MsixState]:
    """The vector table read through ``resourceN`` (root), or None when it cannot be mapped."""
    from ..barmap import map_resource

    with ExitStack() as stack:
        regions = {}
        for bir in dict.fromkeys((layout.table_bir, layout.pba_bir)):
            try:
                regions[bir] = stack.enter_context(map_resource(dev.address, bir, root))
            except BarUnavailableError:
                continue
        state = read_msix(dev, regions)
        return state if state is not None and state.vectors else None


def check_msix(topo: Topology) -> list[Finding]:
    """Live: MSI-X Enable set, Function Mask set or every vector's Mask Bit set, and kernel IRQs (PCIe 6.1.4, 7.7.2)."""
    if not topo.live:
        return []
    found = []
    for dev in topo.devices:
        if not reachable(dev) or dev.kernel is None or not dev.kernel.msi_irqs:
            continue
        cap = dev.find_capability(0x11)
        if cap is None or cap.fields is None or not cap.fields["enable"]:
            continue
        layout = MsixLayout.from_fields(cap.fields)
        irqs = len(dev.kernel.msi_irqs)
        if layout.function_mask:
            found.append(make(dev, "msix", WARNING, f"MSI-X Function Mask set while the kernel lists {irqs} IRQ(s)",
                              "deliverable vectors", "Function Mask set"))
            continue
        state = _live_state(dev, topo.sysfs_root, layout)
        if state is not None and all(v.masked for v in state.vectors):
            found.append(make(dev, "msix", WARNING, f"all {len(state.vectors)} MSI-X vectors masked while the "
                              f"kernel lists {irqs} IRQ(s)", "deliverable vectors", "every vector masked"))
    return found
