"""Fleet export and query, as ratios measured in the same run.

A synthetic fleet is built from the corpus: each host is several corpus dumps side by side
(each in a PCI domain of its own, so their topologies stay apart) until it has at least 50
functions; host ``i`` starts at corpus file ``i``, so hosts differ. Rows (issue targets in
brackets):

1. export CPU time on one core (``pcikit export -j 1``) vs ``lspci -vvv -F`` decoding the same
   host files one by one [<= 1.0x]; also the wall times and functions per CPU-second;
2. scaling: wall time of ``-j 1`` / ``-j 2`` [>= 1.7x]: on a shared machine the second core is
   often busy, so it is printed with how the run spent its cores (:func:`_efficiency`: CPU per
   worker, the serial fraction, the start-up every run pays) and the machine's load average;
3. peak memory (largest process of the export) for N/4 and N hosts [flat: <= 1.1x];
4. a DuckDB query over the result (downtrained links by vendor/device), in process and through
   ``pcikit query`` [< 1 s].

pcikit runs as a user installs it: ``harness.user_install`` puts this checkout into the benchmark
venv with ``pip install '.[fleet]'`` (bytecode compiled, pyarrow and DuckDB beside it), and the
exports run its ``pcikit`` script; the in-process query needs DuckDB in the interpreter running this
script. Run:
``python3 bench/bench_fleet.py [--hosts N | --full]`` (``--full``: 1,000 hosts as the issue asks;
the default 200 keeps the run short). Prints the rows (and appends them to ``PCIKIT_BENCH_JSON``
when set); asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import ROOT, corpus_files, record, user_install

MIN_FUNCTIONS = 50
DOWNTRAINED = """
SELECT d.vendor_id, d.device_id, count(*) AS links
FROM links l JOIN devices d USING (host, slot)
WHERE l.upstream IS NOT NULL AND (l.width < l.capable_width OR l.speed_gts < l.capable_speed_gts)
GROUP BY ALL ORDER BY links DESC
"""


def _corpus() -> list[list[tuple[int, int, int, bytes]]]:
    """Per corpus file: (bus, device, function, config bytes) of every device."""
    sys.path.insert(0, str(ROOT))
    from pcikit.access.dump import load_dump

    files = []
    for path in corpus_files():
        if "odd" in path.parts:
            continue
        try:
            entries = load_dump(path)
        except Exception:  # noqa: BLE001 - a file lspci rejects is not fleet material
            continue
        files.append([(e.address.bus, e.address.device, e.address.function, e.config.read_block(0, e.config.size))
                      for e in entries])
    return [f for f in files if f]


def _host_text(corpus: list, start: int) -> tuple[str, int]:
    """One host's dump, its hex rows as ``lspci -xxxx`` writes them (``00:`` ... ``ff0:``)."""
    from pcikit.access.dump import iter_hex_rows

    lines, count, domain, index = [], 0, 0, start
    while count < MIN_FUNCTIONS:
        for bus, dev, fn, data in corpus[index % len(corpus)]:
            lines.append(f"{domain:04x}:{bus:02x}:{dev:02x}.{fn} synthetic host device")
            lines.extend(iter_hex_rows(data))
            lines.append("")
            count += 1
        domain, index = domain + 1, index + 1
    return "\n".join(lines) + "\n", count


def build_fleet(root: Path, hosts: int) -> tuple[list[Path], int]:
    """``root/host-NNNN/lspci.txt`` for ``hosts`` hosts; (the files, total functions)."""
    corpus = _corpus()
    files, total = [], 0
    for i in range(hosts):
        text, count = _host_text(corpus, i)
        folder = root / f"host-{i:04d}"
        folder.mkdir(parents=True)
        (folder / "lspci.txt").write_text(text)
        files.append(folder / "lspci.txt")
        total += count
    return files, total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(commands: list[list[str]]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of every process and its children) of running ``commands`` in turn."""
    cpu, start = _children_cpu(), time.perf_counter()
    for command in commands:
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start, _children_cpu() - cpu


def machine_cpu() -> float:
    """CPU seconds every process of the machine has run since boot (Linux /proc/stat; 0 elsewhere)."""
    try:
        with open("/proc/stat") as stat:
            ticks = [int(value) for value in stat.readline().split()[1:]]
    except OSError:
        return 0.0
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle and iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _export(cli: str, fleet: Path, out: Path, jobs: int) -> list[str]:
    shutil.rmtree(out, ignore_errors=True)
    return [cli, "export", str(fleet), "-o", str(out), "-j", str(jobs)]


def peak_kib(command: list[str]) -> int:
    """Peak resident memory (KiB) of the largest process among ``command`` and its children."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
             "stderr=subprocess.DEVNULL, check=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True)
    return int(out.stdout)


def bench_throughput(cli: str, fleet: Path, files: list[Path], functions: int, work: Path, lspci: str) -> None:
    """Row 1 and row 2."""
    lspci_wall, lspci_cpu = timed([[lspci, "-vvv", "-F", str(f)] for f in files])
    one_wall, one_cpu = timed([_export(cli, fleet, work / "ds1", 1)])
    before = machine_cpu()
    two_wall, two_cpu = timed([_export(cli, fleet, work / "ds2", 2)])
    others = max(0.0, machine_cpu() - before - two_cpu)
    first = work / "first"
    first.mkdir()
    (first / files[0].parent.name).symlink_to(files[0].parent)
    fixed_wall, fixed_cpu = timed([_export(cli, first, work / "ds0", 1)])
    record("export CPU time, one core", one_cpu, lspci_cpu, "s", 1.0, "lspci -vvv",
           f"{functions} functions in {len(files)} hosts; pcikit {functions / one_cpu:.0f} functions/CPU-s, "
           f"lspci {functions / lspci_cpu:.0f}; of it {fixed_cpu:.2f} s start-up (a one-host export)")
    record("export wall time, one core", one_wall, lspci_wall, "s", None, "lspci -vvv")
    record("export scaling 1 -> 2 workers (-j 1 wall over -j 2 wall)", one_wall, two_wall, "s", 1.7, "-j 2",
           _efficiency(one_wall, one_cpu, two_wall, two_cpu, fixed_wall, others), at_least=True)


def _efficiency(one_wall: float, one_cpu: float, two_wall: float, two_cpu: float, fixed_wall: float,
                others: float) -> str:
    """How the two-worker run spent its cores, for reading the speed-up on a shared machine.

    ``busy``: CPU time of every process of ``-j 2`` over twice its wall time (1.0: both cores ours
    throughout; lower: the run waited, for other jobs' CPU or on a serial part); ``work``: CPU time
    of ``-j 2`` over ``-j 1`` (what a second worker adds: its own start-up); ``serial``: the
    Karp-Flatt serial fraction of the measured speed-up (2 / speed-up - 1), an upper bound when the
    second core was not all ours; ``fixed``: the wall time of a one-host export (start-up, paid by
    every run and not divided among workers); ``others``: the CPU time the machine's other
    processes (and the hypervisor's steal) took during ``-j 2``, as a share of its two cores (Linux).
    """
    speedup = one_wall / two_wall
    return (f"-j1 {one_wall:.2f} s wall / {one_cpu:.2f} s CPU, -j2 {two_wall:.2f} s wall / {two_cpu:.2f} s CPU "
            f"({two_cpu / 2:.2f} s per worker); busy {two_cpu / (2 * two_wall):.2f}, work {two_cpu / one_cpu:.2f}x, "
            f"serial {2 / speedup - 1:.3f}, fixed {fixed_wall:.2f} s, others {others / (2 * two_wall):.2f}; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def bench_memory(cli: str, fleet: Path, hosts: int, work: Path) -> None:
    """Row 3: the same export over a quarter of the hosts and over all of them."""
    quarter = work / "quarter"
    quarter.mkdir()
    for folder in sorted(fleet.iterdir())[: max(1, hosts // 4)]:
        (quarter / folder.name).symlink_to(folder)
    small = peak_kib(_export(cli, quarter, work / "m1", 1))
    large = peak_kib(_export(cli, fleet, work / "m2", 1))
    record("export peak memory, N vs N/4 hosts", large / 1024, small / 1024, "MiB", 1.1, f"{max(1, hosts // 4)} hosts",
           f"{hosts} hosts")


def bench_query(cli: str, work: Path) -> None:
    """Row 4: DuckDB over the one-core export's dataset."""
    sys.path.insert(0, str(ROOT))
    from pcikit.fleet.query import run_query

    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        run_query(str(work / "ds1"), DOWNTRAINED)
        best = min(best, time.perf_counter() - start)
    cli_wall, _ = timed([[cli, "query", str(work / "ds1"), DOWNTRAINED]])
    record("DuckDB query: downtrained links by vendor/device", best, 1.0, "s", 1.0, "the 1 s target",
           f"through pcikit query (with start-up): {cli_wall:.2f} s")


def main() -> None:
    """Build the fleet, run the rows, clean up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--full", action="store_true", help="1,000 hosts, as the issue asks")
    args = parser.parse_args()
    hosts = 1000 if args.full else args.hosts
    try:
        import duckdb  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        print(f"bench_fleet: skipped: {sys.executable} has no pyarrow/DuckDB (pip install '.[fleet]')")
        return
    lspci = os.environ.get("PCIKIT_LSPCI", shutil.which("lspci") or "")
    if not lspci:
        raise SystemExit("lspci not found (set PCIKIT_LSPCI)")
    with tempfile.TemporaryDirectory(prefix="pcikit-fleet-") as tmp:
        work = Path(tmp)
        files, functions = build_fleet(work / "fleet", hosts)
        print(f"fleet: {hosts} hosts, {functions} functions ({functions / hosts:.0f} per host)", flush=True)
        cli = str(user_install() / "pcikit")
        bench_throughput(cli, work / "fleet", files, functions, work, lspci)
        bench_memory(cli, work / "fleet", hosts, work)
        bench_query(cli, work)


if __name__ == "__main__":
    main()
