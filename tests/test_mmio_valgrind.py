"""Proof of the width promise: under valgrind's lackey, each Region call is one load or store.

The child maps a temp file, writes a marker line holding the mapping's address
to fd 2 (where lackey's trace also goes), then makes one call of each kind at a
distinct offset. Every traced data access inside the mapping must be one of
those calls, of exactly the call's width and kind. Slow: marked ``slow``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow

MARKER = b"PCIKIT-MAPPING "
CALLS = {  # offset -> (method, lackey kind, bytes)
    0x010: ("read8", "L", 1), 0x020: ("read16", "L", 2), 0x040: ("read32", "L", 4), 0x080: ("read64", "L", 8),
    0x110: ("write8", "S", 1), 0x120: ("write16", "S", 2), 0x140: ("write32", "S", 4), 0x180: ("write64", "S", 8),
}

# Kept small: every instruction of the child is traced. The package __init__ is
# skipped (only pcikit.errors and pcikit.mmio load); the mapping's address comes
# from /proc/self/maps rather than ctypes.
CHILD = textwrap.dedent("""
    import mmap, os, sys
    package = type(sys)("pcikit")
    package.__path__ = [{package!r}]
    sys.modules["pcikit"] = package
    from pcikit.mmio import Region
    fd = os.memfd_create("pcikit-lackey")
    os.write(fd, bytes(range(256)) * 16)
    mm = mmap.mmap(fd, 4096)
    with open("/proc/self/maps") as maps:
        base = next(int(line.split("-")[0], 16) for line in maps if "pcikit-lackey" in line)
    region = Region(mm)
    calls = {calls!r}
    os.write(2, b"{marker}" + hex(base).encode() + b"\\n")
    for offset, (name, kind, width) in sorted(calls.items()):
        method = getattr(region, name)
        if kind == "L":
            method(offset)
        else:
            method(offset, (1 << (8 * width)) - 2)
    os.write(2, b"PCIKIT-DONE\\n")
""")


def _after_marker(stream) -> tuple[int, bytes]:
    """Skip the (huge) trace of interpreter start-up in big chunks; return the base and what follows."""
    tail = b""
    while True:
        chunk = stream.read(1 << 20)
        if not chunk:
            raise AssertionError("the child never reported its mapping (did it fail to start?)")
        data = tail + chunk
        at = data.find(MARKER)
        if at >= 0:
            rest = data[at + len(MARKER):]
            while b"\n" not in rest:
                rest += stream.read(4096)
            number, _, rest = rest.partition(b"\n")
            return int(number, 16), rest
        tail = data[-len(MARKER):]


def _trace_in_mapping(valgrind: str) -> tuple[list[tuple[str, int, int]], int]:
    """(kind, offset, size) of every traced data access inside the mapping, and the exit status."""
    script = CHILD.format(package=str(ROOT / "pcikit"), calls=CALLS, marker=MARKER.decode())
    proc = subprocess.Popen(
        [valgrind, "--tool=lackey", "--trace-mem=yes", sys.executable, "-S", "-c", script],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base, rest = _after_marker(proc.stderr)
    accesses = []
    for line in iter_lines(rest, proc.stderr):
        if line.startswith(b"PCIKIT-DONE"):
            break
        if line[:1] != b" ":
            continue
        kind, _, where = line.strip().partition(b" ")
        address, _, size = where.partition(b",")
        offset = int(address, 16) - base
        if 0 <= offset < 4096:
            accesses.append((kind.decode(), offset, int(size)))
    for _ in iter(lambda: proc.stderr.read(1 << 20), b""):
        pass  # drain the shutdown trace without keeping it
    return accesses, proc.wait()


def iter_lines(first: bytes, stream):
    """Lines of ``first`` followed by the rest of ``stream``."""
    pending = first
    for chunk in iter(lambda: stream.read(1 << 16), b""):
        *lines, pending = (pending + chunk).split(b"\n")
        yield from lines
    yield from pending.split(b"\n")


def test_each_call_is_one_access_of_its_width():
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        pytest.skip("valgrind is not installed (Debian package valgrind)")
    if not hasattr(os, "memfd_create"):
        pytest.skip("os.memfd_create is not available on this platform")
    if sys.byteorder != "little" or os.uname().machine not in ("x86_64", "amd64", "aarch64"):
        pytest.skip(f"width proof calibrated for 64-bit little-endian hosts, not {os.uname().machine}")
    accesses, status = _trace_in_mapping(valgrind)
    assert status == 0
    expected = sorted((kind, offset, width) for offset, (_, kind, width) in CALLS.items())
    assert sorted(accesses) == expected
