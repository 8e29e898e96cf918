"""Live smoke test: map each MSI-X table BAR read-only from resourceN and read the table.

Skips visibly where there is no PCI bus, no resourceN file for a table BIR, or no root.
Only table and PBA reads are made (side-effect free per the PCIe spec); nothing is written.
"""
from __future__ import annotations

import os

import pytest

import pcikit
from pcikit.barmap import map_resource, resource_path
from pcikit.errors import BarUnavailableError
from pcikit.msix import CAP_ID_MSIX, MsixLayout, read_msix

pytestmark = pytest.mark.live


def _candidates():
    if not os.path.isdir("/sys/bus/pci/devices"):
        pytest.skip("no /sys/bus/pci on this machine")
    found = []
    for dev in pcikit.devices():
        cap = dev.find_capability(CAP_ID_MSIX)
        if cap is None or cap.fields is None:
            continue
        layout = MsixLayout.from_fields(cap.fields)
        if layout.table_bir < 6 and os.path.exists(resource_path(dev.address, layout.table_bir)):
            found.append((dev, layout))
    if not found:
        pytest.skip("no MSI-X device with a resourceN file for its table BAR on this machine")
    if os.geteuid() != 0:
        pytest.skip("mapping resourceN needs root")
    return found


def test_live_tables_read_only():
    for dev, layout in _candidates():
        bars = dict.fromkeys((layout.table_bir, layout.pba_bir))
        regions = {}
        try:
            for bir in bars:
                if bir < 6 and os.path.exists(resource_path(dev.address, bir)):
                    try:
                        regions[bir] = map_resource(dev.address, bir)
                    except BarUnavailableError as exc:  # e.g. kernel lockdown: one line says why
                        pytest.skip(str(exc))
            assert all(region.readonly for region in regions.values())
            state = read_msix(dev, regions)
            assert state.unread is None
            if not state.problems:
                assert [v.vector for v in state.vectors] == list(range(layout.table_size))
        finally:
            for region in regions.values():
                region.close()
