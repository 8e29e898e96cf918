"""Live-only facts for the checks: the kernel's AER counters (``aer_dev_*`` files in sysfs)."""
from __future__ import annotations

import os
from typing import Iterator, Optional

from ..access import sysfs
from .finding import ERROR, INFO, WARNING, Finding, make

# (sysfs file, label, severity) of the kernel's per-device AER statistics.
AER_COUNTER_FILES = (
    ("aer_dev_fatal", "fatal", ERROR),
    ("aer_dev_nonfatal", "non-fatal", WARNING),
    ("aer_dev_correctable", "correctable", INFO),
)
_READ_LIMIT = 16384


def read_counters(path: str) -> Optional[dict[str, int]]:
    """``NAME COUNT`` lines of one counter file (bounded read), or None when unreadable."""
    from ..access.files import read_attribute

    data = read_attribute(path, _READ_LIMIT)
    if data is None:
        return None
    text = data.decode("ascii", "replace")
    counters = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            counters[parts[0]] = int(parts[1])
    return counters


def aer_counters(dev, root: str) -> dict[str, dict[str, int]]:
    """Per counter file name, its counters, for the live function ``dev`` (missing files left out)."""
    folder = sysfs.device_path(dev.address, root)
    found = {}
    for name, _, _ in AER_COUNTER_FILES:
        counters = read_counters(os.path.join(folder, name))
        if counters is not None:
            found[name] = counters
    return found


def aer_counter_findings(dev, root: str) -> Iterator[Finding]:
    """One finding per counter file with errors counted since boot."""
    files = aer_counters(dev, root)
    for name, label, level in AER_COUNTER_FILES:
        counters = files.get(name)
        if not counters:
            continue
        total = next((v for k, v in counters.items() if k.startswith("TOTAL_")), None)
        named = {k: v for k, v in counters.items() if not k.startswith("TOTAL_") and v}
        if total is None:
            total = sum(named.values())
        if total:
            detail = ", ".join(f"{k} {v}" for k, v in named.items())
            yield make(dev, "aer", level, f"kernel counted {total} {label} error(s) since boot"
                       + (f": {detail}" if detail else "") + f" ({name})", "0", str(total))


def counter_totals(devices, root: str) -> dict[tuple[str, str], int]:
    """(slot, counter file) -> the file's total, for every live function that has the counters."""
    totals = {}
    for dev in devices:
        for name, counters in aer_counters(dev, root).items():
            total = next((v for k, v in counters.items() if k.startswith("TOTAL_")), None)
            totals[(str(dev.address), name)] = sum(counters.values()) if total is None else total
    return totals


def counter_increase_findings(before: dict[tuple[str, str], int], after: dict[tuple[str, str], int],
                              seconds: float) -> list[Finding]:
    """One ``aer`` finding per function and counter file whose total grew while watched."""
    from ..address import Address

    levels = {name: (label, level) for name, label, level in AER_COUNTER_FILES}
    found = []
    for (slot, name), total in sorted(after.items()):
        grown = total - before.get((slot, name), total)
        if grown > 0:
            label, level = levels[name]
            found.append(Finding(slot, "aer", level, f"kernel counted {grown} new {label} error(s) in {seconds:g} s "
                                 f"of watching ({name})", "0", str(grown), None, Address.parse(slot)))
    return found
