"""Fleet scale: many hosts' dumps into one dataset of devices, capabilities, links, findings, errors.

The unit of work is one host (:func:`pcikit.fleet.records.host_rows`); :func:`partition` runs
it over a batch of hosts and writes that batch's part of every table, which is what both
engines run: ``pcikit export`` (processes on one machine) and any distributed engine
(:mod:`pcikit.fleet.distributed` uses Dask). Tables are declared in :mod:`pcikit.fleet.tables`;
the layout of inputs in :mod:`pcikit.fleet.inputs`; docs in ``docs/fleet.md``.
"""
from __future__ import annotations

from typing import Callable, Iterable, Optional

from .inputs import HostInput, discover
from .records import Rows, host_rows

__all__ = ["HostInput", "discover", "host_rows", "partition"]


def partition(hosts: Iterable[HostInput], dataset: str, name: str, fmt: str = "parquet",
              done: Optional[Callable[[str, Rows], None]] = None) -> dict[str, int]:
    """Decode ``hosts`` and write their rows as part ``name`` of ``dataset``; rows written per table.

    ``done(host, rows)`` is called after each host (the embedded engine reports progress with it).
    """
    from .dataset import PartWriter

    writer = PartWriter(dataset, name, fmt)
    for item in hosts:
        item = HostInput(*item)
        rows = host_rows(item)
        writer.add(rows)
        if done is not None:
            done(item.host, rows)
    return writer.close()
