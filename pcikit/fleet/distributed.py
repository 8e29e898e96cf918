"""The distributed engine: Dask runs :func:`pcikit.fleet.partition` where the dumps are.

    from distributed import Client
    from pcikit.fleet.distributed import export_dask

    with Client("tcp://scheduler:8786") as client:            # or LocalCluster(), dask-kubernetes ...
        rows = export_dask(client, ["s3://dumps/fleet/"], "s3://datasets/pcie/2026-12-03")

The client lists the hosts (``pcikit.fleet.inputs.discover``, fsspec URLs welcome), cuts
them into batches and maps :func:`~pcikit.fleet.partition` over the batches; each task reads
its hosts' files and writes its own part of every table straight to the dataset, so no row
ever travels back through the scheduler. The result is the dataset ``pcikit export`` writes;
``pcikit query`` and any Parquet reader open it. Why Dask and not Spark: ``docs/fleet.md``.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

from . import partition
from .inputs import discover

HOSTS_PER_TASK = 64


def export_dask(client: Any, inputs: Sequence[str], dataset: str, fmt: str = "parquet",
                host: Optional[str] = None, hosts_per_task: int = HOSTS_PER_TASK) -> dict[str, int]:
    """Export ``inputs`` into ``dataset`` on the Dask cluster behind ``client``; rows written per table."""
    hosts = [tuple(item) for item in discover(inputs, host)]
    batches = [hosts[i : i + hosts_per_task] for i in range(0, len(hosts), hosts_per_task)]
    names = [f"dask-{i:05d}" for i in range(len(batches))]
    futures = client.map(partition, batches, [dataset] * len(batches), names, [fmt] * len(batches),
                         key=[f"pcikit-partition-{dataset}-{name}" for name in names], pure=False)
    totals: dict[str, int] = {}
    for counts in client.gather(futures):
        for table, count in counts.items():
            totals[table] = totals.get(table, 0) + count
    return totals
