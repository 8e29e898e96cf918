"""Check a driver's recorded accesses: QEMU trace logs replayed into a mock with an emulator profile.

    from pcikit.trace import read_trace, check
    with open("trace.log") as handle:
        report = check(read_trace(handle), (0, 2, 0), MockDevice.from_spec("nvme.toml"), {0: 0x4000})
"""
from __future__ import annotations

from .check import Report, Violation, check
from .parse import Trace, TraceAccess, iter_trace, read_trace

__all__ = ["Report", "Trace", "TraceAccess", "Violation", "check", "iter_trace", "read_trace"]
