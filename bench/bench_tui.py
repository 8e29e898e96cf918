"""Time to the first painted device list of ``pcikit tui`` with a 2000-device dump.

Reference, measured in the same run: a minimal Textual app (one Static) reaching its
first paint. Both run as fresh processes on a pseudo-terminal, with the interpreter of the
benchmark venv that ``harness.user_install`` installs pcikit into (as a user installs it: the
console script, compiled bytecode; a source checkout run with PYTHONDONTWRITEBYTECODE compiles
every module on every start); the clock runs from
spawning the process until the terminal output contains the marker text (the list's
"N devices" status line and the first slot for pcikit, the label for the reference),
so interpreter start, imports, loading the dump and the first frame all count.
Target: pcikit at most 2x the reference. Two dumps are timed: the corpus images as captured
(about a third are 4096-byte ``-xxxx`` images, ~10 MB in all) and the same devices cut to
256 bytes (``-xxx``), which separates the cost of parsing the dump text from the TUI's own.

Selection moves: on the same dump, after the first paint and the background health check,
Down keys are written to the pty one at a time; each is timed from the write until the
list row of the next device is redrawn (cursor moved) and until the detail pane's title
names it (details shown) in the terminal output, with the CPU the process used (/proc). Keys wait for each other, so coalescing of held keys does
not help. Target: at most 16 ms per keystroke.

Run: ``python3 bench/bench_tui.py [--devices N] [--runs N] [--moves N]``. Prints timings and the ratios.
"""
from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import termios
import tempfile
import time
from pathlib import Path

from harness import corpus_images, record, user_install, write_dump
from pcikit.access.dump import load_dump

MINIMAL_APP = """
from textual.app import App
from textual.widgets import Static

class Minimal(App):
    def compose(self):
        yield Static("minimal-app-ready")

Minimal().run()
"""
_TIMEOUT = 120.0


def time_to_marker(argv: list[str], markers: list[bytes], size: tuple[int, int] = (160, 50)) -> tuple[float, float]:
    """(wall, CPU) seconds from spawning ``argv`` on a pty until every marker has appeared in its output.

    CPU is the child's user + system time when it was stopped there: steadier than wall time on a
    shared machine.
    """
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(COLUMNS=str(size[0]), LINES=str(size[1]), TERM="xterm-256color")
        os.execvp(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    seen = b""
    try:
        while time.perf_counter() - start < _TIMEOUT:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
                if all(marker in seen for marker in markers):
                    wall = time.perf_counter() - start
                    os.kill(pid, signal.SIGSTOP)
                    break
        else:
            raise SystemExit(f"{argv[:3]}: markers {markers} not seen within {_TIMEOUT}s")
    finally:
        os.kill(pid, signal.SIGKILL)
        _, _, usage = os.wait4(pid, 0)
        os.close(fd)
    return wall, usage.ru_utime + usage.ru_stime


def _report(label: str, samples: list[tuple[float, float]]) -> tuple[float, float]:
    wall = statistics.median(s[0] for s in samples)
    cpu = statistics.median(s[1] for s in samples)
    print(f"{label:<58} wall {wall * 1000:7.1f} ms  CPU {cpu * 1000:7.1f} ms  "
          f"(wall runs: {', '.join(f'{s[0] * 1000:.0f}' for s in samples)})")
    return wall, cpu


def _task_times(pid: int) -> tuple[float, float]:
    """(CPU, waiting for a CPU) seconds of a running process's threads so far, in nanoseconds'
    precision (Linux /proc/PID/task/*/schedstat; /proc/PID/stat counts 10 ms ticks)."""
    cpu = waiting = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            fields = Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()
        except OSError:  # the thread ended meanwhile
            continue
        cpu, waiting = cpu + int(fields[0]), waiting + int(fields[1])
    return cpu / 1e9, waiting / 1e9


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process so far."""
    return _task_times(pid)[0]


def _read_until(fd: int, wanted: bytes, seen: bytearray, deadline: float) -> bool:
    """Read the pty into ``seen`` until ``wanted`` is in it; False at the deadline."""
    while wanted not in seen:
        if time.perf_counter() > deadline:
            return False
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            seen += os.read(fd, 65536)
    return True


def _settle(fd: int, pid: int, seen: bytearray, quiet: float = 0.5, idle: float = 0.002) -> None:
    """Drain output until the process has used at most ``idle`` seconds of CPU in ``quiet`` seconds
    (background work done; an idle event loop still wakes now and then)."""
    base, since = _cpu_seconds(pid), time.perf_counter()
    while time.perf_counter() - since < quiet:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            seen += os.read(fd, 65536)
        now = _cpu_seconds(pid)
        if now - base > idle:
            base, since = now, time.perf_counter()


def keystrokes(pcikit: str, dump: Path, addresses: list[str], count: int,
               size: tuple[int, int] = (160, 50)) -> list[tuple[float, float, float, float]]:
    """(cursor wall, details wall, CPU, run-queue wait) seconds per Down key on a real ``pcikit tui`` process.

    Keys are sent one at a time. Cursor: from writing the key to the pty until the list row
    of the next device is redrawn (its slot cell, ``BB:DD.F`` and a space, reaches the
    terminal); details: until the detail title names it (``DDDD:BB:DD.F`` and two spaces);
    CPU: what the process used until then; run-queue wait: how long it was ready to run but had no
    CPU (the machine's load, not pcikit's work).
    """
    argv = [pcikit, "tui", "-F", str(dump), "--poll", "0"]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(COLUMNS=str(size[0]), LINES=str(size[1]), TERM="xterm-256color")
        os.execvp(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    samples = []
    try:
        seen = bytearray()
        if not _read_until(fd, f"{addresses[0]}  ".encode(), seen, time.perf_counter() + _TIMEOUT):
            raise SystemExit("the detail pane never showed the first device")
        _settle(fd, pid, seen)
        for address in addresses[1 : count + 1]:
            seen.clear()
            (cpu, waited), start = _task_times(pid), time.perf_counter()
            os.write(fd, b"\x1b[B")
            if not _read_until(fd, f"{address[5:]} ".encode(), seen, start + _TIMEOUT):
                raise SystemExit(f"the list cursor never reached {address}")
            cursor = time.perf_counter() - start
            if not _read_until(fd, f"{address}  ".encode(), seen, start + _TIMEOUT):
                raise SystemExit(f"the detail pane never showed {address}")
            details = time.perf_counter() - start
            now_cpu, now_waited = _task_times(pid)
            samples.append((cursor, details, now_cpu - cpu, now_waited - waited))
            _settle(fd, pid, seen, quiet=0.1)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.wait4(pid, 0)
        os.close(fd)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--moves", type=int, default=60, help="Down keys timed one by one")
    args = parser.parse_args()
    marker = [f"{args.devices} devices".encode(), b"00:00.0"]
    bin_dir = user_install()
    python, pcikit = str(bin_dir / "python"), str(bin_dir / "pcikit")
    with tempfile.TemporaryDirectory() as tmp:
        dumps = {  # the target case first: real images as captured (-xxxx where the corpus has it)
            "corpus images as captured": Path(tmp) / "big.txt",
            "first 256 bytes only (lspci -xxx)": Path(tmp) / "big-xxx.txt",
        }
        images = corpus_images()
        write_dump(args.devices, dumps["corpus images as captured"], images)
        write_dump(args.devices, dumps["first 256 bytes only (lspci -xxx)"], images, limit=256)
        minimal = Path(tmp) / "minimal.py"
        minimal.write_text(MINIMAL_APP)
        runs: dict[str, list[tuple[float, float]]] = {"reference": [], **{name: [] for name in dumps}}
        for _ in range(args.runs):  # interleaved, so machine load hits every case alike
            runs["reference"].append(time_to_marker([python, str(minimal)], [b"minimal-app-ready"]))
            for name, dump in dumps.items():
                tui = [pcikit, "tui", "-F", str(dump), "--poll", "0"]
                runs[name].append(time_to_marker(tui, marker))
        sizes = {name: dump.stat().st_size for name, dump in dumps.items()}
        target = dumps["corpus images as captured"]
        addresses = sorted(str(entry.address) for entry in load_dump(target))
        moves = keystrokes(pcikit, target, addresses, args.moves)
    reference = _report("minimal Textual app, first paint", runs["reference"])
    for name in dumps:
        wall, cpu = _report(f"pcikit tui, {args.devices} devices, {name}", runs[name])
        print(f"    dump {sizes[name] / 1e6:.1f} MB; ratio: wall {wall / reference[0]:.2f}x, "
              f"CPU {cpu / reference[1]:.2f}x (target <= 2.0x)")
        record(f"TUI first painted list, {args.devices} devices, {name}", wall * 1e3, reference[0] * 1e3, "ms", 2.0,
               "minimal Textual app")
    for kind, values in (("cursor moved, wall", [m[0] for m in moves]), ("details shown, wall", [m[1] for m in moves]),
                         ("CPU until details shown", [m[2] for m in moves]),
                         ("waiting for a CPU until details shown", [m[3] for m in moves])):
        ordered = sorted(values)
        median, p90 = statistics.median(values), ordered[int(len(ordered) * 0.9)]
        budget = not kind.startswith("waiting")  # the machine's load: reported, no target
        print(f"selection move, {args.devices} devices, {kind}: median {median * 1e3:.1f} ms, 90th percentile "
              f"{p90 * 1e3:.1f} ms, max {ordered[-1] * 1e3:.1f} ms over {len(values)} keystrokes"
              + (" (target <= 16 ms)" if budget else ""))
        record(f"TUI selection move per keystroke, {args.devices} devices ({kind}, median)", median * 1e3,
               16.0 if budget else None, "ms", 1.0 if budget else None, "16 ms budget" if budget else "",
               note=f"90th percentile {p90 * 1e3:.1f} ms, max {ordered[-1] * 1e3:.1f} ms")

if __name__ == "__main__":
    main()
