"""Cost of Region.read32 against the raw cast-memoryview floor, and of decoding a 2048-entry table.

Run: ``python3 bench/bench_mmio.py`` (pcikit as installed; ``bench/report.py`` runs it from its venv).
Every side is measured in the same run over the same mmap'd temp file with the
same loop, interleaved, in CPU time (a shared machine steals wall time), so the ratio is what matters (target: Region.read32 at
most 2x the raw index). A bare function doing only the raw index is shown too:
it is the part of the cost no checked accessor can avoid.
"""
from __future__ import annotations

import mmap
import tempfile
import time
import timeit

from harness import record
from pcikit.mmio import Region
from pcikit.msix import MsixLayout, read_state

SIZE = 1 << 16
TABLE_SIZE = 2048
REPEAT = 7
NUMBER = 10


def bench_read32(mm: mmap.mmap) -> dict[str, float]:
    """Seconds per access: raw index, a bare function around it, Region.read32 (best of interleaved runs)."""
    offsets = list(range(0, SIZE, 4))
    raw = memoryview(mm).cast("I")
    region = Region(mm)

    def bare(offset: int) -> int:
        return raw[offset >> 2]

    space = {"offsets": offsets, "raw": raw, "bare": bare, "read32": region.read32}
    timers = {
        "raw": timeit.Timer("for o in offsets: raw[o >> 2]", time.process_time, globals=space),
        "bare": timeit.Timer("for o in offsets: bare(o)", time.process_time, globals=space),
        "region": timeit.Timer("for o in offsets: read32(o)", time.process_time, globals=space),
    }
    best = dict.fromkeys(timers, float("inf"))
    for _ in range(REPEAT * 3):  # interleaved, so a busy moment hits every side alike
        for name, timer in timers.items():
            best[name] = min(best[name], timer.timeit(NUMBER))
    raw.release()
    region.close()
    calls = NUMBER * len(offsets)
    return {name: seconds / calls for name, seconds in best.items()}


def bench_table(mm: mmap.mmap) -> float:
    """Seconds to decode every entry of a full table and its PBA."""
    region = Region(mm)
    fields = {
        "table_bir": 0, "table_offset": 0, "pba_bir": 0, "pba_offset": TABLE_SIZE * 16,
        "table_size": TABLE_SIZE, "enable": True, "function_mask": False,
    }

    layout = MsixLayout.from_fields(fields)

    def decode() -> None:
        read_state(layout, region, region)

    seconds = min(timeit.repeat(decode, time.process_time, number=5, repeat=REPEAT)) / 5
    region.close()
    return seconds


def main() -> None:
    with tempfile.TemporaryFile() as backing:
        backing.truncate(SIZE)
        mm = mmap.mmap(backing.fileno(), SIZE)
        cost = bench_read32(mm)
        floor = cost["raw"]
        print(f"raw cast-memoryview index:     {floor * 1e9:7.1f} ns/access")
        print(f"bare function around it:       {cost['bare'] * 1e9:7.1f} ns/access  "
              f"({cost['bare'] / floor:.2f}x: the cost of any Python call)")
        print(f"Region.read32:                 {cost['region'] * 1e9:7.1f} ns/access  "
              f"({cost['region'] / floor:.2f}x the raw floor; target <= 2x)")
        record("Region.read32", cost["region"] * 1e9, floor * 1e9, "ns", 2.0, "cast-memoryview index",
               f"a bare Python call around the index is already {cost['bare'] / floor:.2f}x")
        table = bench_table(mm)
        record(f"decode a full {TABLE_SIZE}-entry MSI-X table + PBA", table * 1e3, None, "ms", None)
        print(f"MSI-X table of {TABLE_SIZE} entries + PBA: {table * 1e3:.2f} ms "
              f"({table / TABLE_SIZE * 1e6:.2f} us/entry)")
        mm.close()


if __name__ == "__main__":
    main()
