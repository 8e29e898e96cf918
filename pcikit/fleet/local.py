"""The embedded engine: worker processes on one machine, each writing its own part of the dataset.

Hosts are handed out one at a time through a bounded queue (the listing of inputs is
consumed lazily), so memory stays flat in the number of hosts; every worker streams its
rows into its own part files (:class:`~pcikit.fleet.dataset.PartWriter`).
"""
from __future__ import annotations

import multiprocessing
import os
import queue
import sys
from typing import Callable, Iterable, Optional

from .inputs import HostInput

_DONE = None
_CLOSED = "\0closed"


def _worker(name: str, dataset: str, fmt: str, tasks, results) -> None:
    from . import partition

    report = lambda host, rows: results.put((host, len(rows["devices"]), len(rows["errors"])))  # noqa: E731
    results.put((_CLOSED, partition(iter(tasks.get, _DONE), dataset, name, fmt, report), name))


def default_jobs() -> int:
    """Worker processes by default: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class _Tally:
    """What the workers reported so far."""

    def __init__(self, progress: Optional[Callable[[int, int, int], None]]) -> None:
        self.progress = progress
        self.hosts = self.devices = self.errors = self.closed = 0
        self.rows: dict[str, int] = {}

    def drain(self, results, wait: float = 0.0) -> None:
        """Take every waiting report (waiting up to ``wait`` seconds for the first)."""
        while True:
            try:
                host, value, extra = results.get(timeout=wait) if wait else results.get_nowait()
            except queue.Empty:
                return
            wait = 0.0
            if host == _CLOSED:
                self.closed += 1
                for table, count in value.items():
                    self.rows[table] = self.rows.get(table, 0) + count
                continue
            self.hosts, self.devices, self.errors = self.hosts + 1, self.devices + value, self.errors + extra
            if self.progress is not None:
                self.progress(self.hosts, self.devices, self.errors)


def export(hosts: Iterable[HostInput], dataset: str, fmt: str = "parquet", jobs: int = 1,
           progress: Optional[Callable[[int, int, int], None]] = None) -> dict[str, int]:
    """Write ``hosts`` into ``dataset`` with ``jobs`` worker processes; rows written per table.

    ``progress(hosts_done, devices, errors)`` is called after every host.
    """
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    tasks = context.Queue(maxsize=4 * jobs)
    results = context.Queue()
    workers = [context.Process(target=_worker, args=(f"{os.getpid()}-{i}", dataset, fmt, tasks, results),
                               daemon=True) for i in range(jobs)]
    for proc in workers:
        proc.start()
    tally = _Tally(progress)
    try:
        for item in hosts:
            while True:
                try:
                    tasks.put(tuple(item), timeout=0.2)
                    break
                except queue.Full:
                    tally.drain(results)
            tally.drain(results)
        for _ in workers:
            tasks.put(_DONE)
        while tally.closed < jobs:
            if not any(proc.is_alive() for proc in workers) and results.empty():
                raise RuntimeError("a worker process died before closing its part files")
            tally.drain(results, wait=0.5)
    finally:
        for proc in workers:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
    return tally.rows
