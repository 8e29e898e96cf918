"""Cost of config and BAR read32 through a MockDevice against the raw cast-memoryview floor.

Run: ``python3 bench/bench_mock.py`` (pcikit as installed; ``bench/report.py`` runs it from its venv).
Both sides run in the same process, interleaved, over the same offsets, so the
ratio is what matters (target: within 10x of the raw index). The mock's side
includes what it always does: the bounds/alignment checks and appending the
access to ``dev.access_log`` (cleared between rounds, outside the timing).
Slow paths (hooked registers, MSI-X table, config writes through the masks) are
reported for information. Times are CPU time of this process (``time.process_time``),
so other work on a shared machine does not inflate one side.
"""
from __future__ import annotations

import mmap
import sys
import time
import timeit
from typing import Callable

from harness import record
from pcikit.testing import DeviceBuilder, MockDevice

BAR_SIZE = 1 << 16
REPEAT = 7
NUMBER = 5
ROUNDS = 5
TARGET = 10.0


def _device() -> MockDevice:
    dev = DeviceBuilder(0x1234, 0x5678).bar(0, BAR_SIZE).bar(2, 0x1000).msix(64, bar=2).pcie().build()
    dev.config.write16(0x04, 0x0006)
    dev.on_bar_read(0, 0x100, lambda access: None)
    return dev


def _best(statement: str, space: dict, calls: int, before: Callable[[], None]) -> float:
    timer, best = timeit.Timer(statement, timer=time.process_time, globals=space), float("inf")
    for _ in range(REPEAT):
        before()
        best = min(best, timer.timeit(NUMBER))
    return best / (NUMBER * calls)


def _pair(raw_view: memoryview, read32: Callable[[int], int], offsets: list[int], clear: Callable[[], None]):
    space = {"offsets": offsets, "raw": raw_view, "read32": read32}
    floor = cost = float("inf")
    for _ in range(ROUNDS):  # interleaved, so a busy moment hits both sides alike
        floor = min(floor, _best("for o in offsets: raw[o >> 2]", space, len(offsets), clear))
        cost = min(cost, _best("for o in offsets: read32(o)", space, len(offsets), clear))
    return floor, cost


def main() -> int:
    dev = _device()
    clear = dev.access_log.clear
    config_offsets = list(range(0, 4096, 4))
    bar_offsets = [o for o in range(0, BAR_SIZE, 16) if o != 0x100]  # as many calls as config, short runs
    config_floor, config_cost = _pair(memoryview(bytearray(4096)).cast("I"), dev.config.read32, config_offsets, clear)
    backing = mmap.mmap(-1, BAR_SIZE)
    bar_floor, bar_cost = _pair(memoryview(backing).cast("I"), dev.bar(0).read32, bar_offsets, clear)
    rows = [
        ("config read32", config_floor, config_cost),
        ("BAR read32", bar_floor, bar_cost),
    ]
    print(f"{'access':<16}{'raw floor':>12}{'mock':>12}{'ratio':>8}   target <= {TARGET:.0f}x")
    for name, floor, cost in rows:
        print(f"{name:<16}{floor * 1e9:>10.1f}ns{cost * 1e9:>10.1f}ns{cost / floor:>7.1f}x")
        record(f"MockDevice {name}", cost * 1e9, floor * 1e9, "ns", TARGET, "raw cast-memoryview index")
    slow = {
        "BAR read32, hooked offset": ("for _ in offsets: read32(0x100)", dev.bar(0).read32),
        "MSI-X table read32": ("for _ in offsets: read32(0x0C)", dev.bar(2).read32),
        "config write16 (Command)": ("for _ in offsets: write16(0x04, 6)", dev.config.write16),
    }
    print("slow paths (information):")
    for name, (statement, function) in slow.items():
        space = {"offsets": range(1024), "read32": function, "write16": function}
        print(f"  {name:<28}{_best(statement, space, 1024, clear) * 1e9:>8.1f}ns")
    worst = max(cost / floor for _, floor, cost in rows)
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
