"""QEMU trace logs (``-trace`` with the log backend) -> the config and MMIO accesses they record.

Events read (QEMU 7.2, ``hw/pci/trace-events`` and ``softmmu/trace-events``)::

    pci_cfg_read DEV BB:DD.F @0xOFF -> 0xVAL
    pci_cfg_write DEV BB:DD.F @0xOFF <- 0xVAL
    memory_region_ops_read cpu N mr 0xPTR addr 0xADDR value 0xVAL size N name 'REGION'
    memory_region_ops_write cpu N mr 0xPTR addr 0xADDR value 0xVAL size N name 'REGION'

``pci_cfg_*`` carry no width: it is the size of the config-port access around them
(``pci-conf-data`` at 0xcfc or ``pcie-mmcfg-mmio``) — the memory_region_ops_write
just before a config write, the memory_region_ops_read just after a config read.
``addr`` is absolute (``memory_region_to_absolute_addr``): a physical address for
memory, the port number for I/O (an I/O BAR's region has the same kind of name as a
memory BAR's: virtio-pci's legacy BAR is 'virtio-pci', as is its modern BAR4).
Lines that are not these events are skipped; a malformed event line is a problem
(line number and text), not an exception.
"""
from __future__ import annotations

import re
from typing import IO, Iterable, Iterator, NamedTuple, Optional

CONFIG_PORT_REGIONS = ("pci-conf-data", "pcie-mmcfg-mmio")
_CFG = re.compile(r"\bpci_cfg_(read|write) (\S+) ([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7]) @0x([0-9a-fA-F]+) (?:->|<-) 0x([0-9a-fA-F]+)")
_OPS = re.compile(r"\bmemory_region_ops_(read|write) cpu -?\d+ mr 0x[0-9a-fA-F]+ addr 0x([0-9a-fA-F]+) "
                  r"value 0x([0-9a-fA-F]+) size (\d+) name '([^']*)'")
MAX_LINE = 4096


class TraceAccess(NamedTuple):
    """One access the trace recorded: ``space`` "config" (``slot`` and ``offset`` set) or "region"
    (a memory_region_ops event: ``address`` is a physical address or an I/O port, the event does
    not say which); ``line`` is its 1-based position in the trace."""

    line: int
    space: str
    kind: str  # "read" or "write"
    width: Optional[int]
    value: int
    slot: Optional[tuple[int, int, int]] = None
    offset: int = 0
    address: int = 0
    region: str = ""
    device: str = ""


class Trace(NamedTuple):
    """Accesses in trace order and the lines that looked like events but did not parse."""

    accesses: list[TraceAccess]
    problems: list[str]


MAX_PROBLEMS = 100  # problem lines kept (a trace is untrusted: memory stays bounded)


def read_trace(stream: IO[str]) -> Trace:
    """Parse a whole trace log into memory (see :func:`iter_trace` for large ones)."""
    problems: list[str] = []
    return Trace(list(iter_trace(stream, problems)), problems)


def iter_trace(stream: IO[str], problems: list[str]) -> Iterator[TraceAccess]:
    """The accesses of a trace log, one at a time; unparsable event lines go to ``problems``.

    Config accesses get the width of their config-port access; a config read is held
    back until that access (the next event) is seen.
    """
    last_port_write: Optional[int] = None
    held: Optional[TraceAccess] = None  # a config read waiting for its width
    for number, line in enumerate(_lines(stream), 1):
        if "pci_cfg_" in line:
            match = _CFG.search(line)
            if match is None:
                _problem(problems, f"line {number}: unreadable pci_cfg event: {line.strip()[:120]}")
                continue
            if held is not None:
                yield held
                held = None
            kind, device, bus, dev, fn, offset, value = match.groups()
            width = last_port_write if kind == "write" else None
            access = TraceAccess(number, "config", kind, width, int(value, 16),
                                 (int(bus, 16), int(dev, 16), int(fn)), int(offset, 16), device=device)
            last_port_write = None
            if kind == "read":
                held = access
            else:
                yield access
        elif "memory_region_ops_" in line:
            match = _OPS.search(line)
            if match is None:
                _problem(problems, f"line {number}: unreadable memory_region_ops event: {line.strip()[:120]}")
                continue
            kind, address, value, size, region = match.groups()
            if region in CONFIG_PORT_REGIONS:
                if kind == "write":
                    last_port_write = int(size)
                elif held is not None:
                    yield held._replace(width=int(size))
                    held = None
                continue
            if held is not None:
                yield held
                held = None
            yield TraceAccess(number, "region", kind, int(size), int(value, 16), address=int(address, 16), region=region)
    if held is not None:
        yield held


def _problem(problems: list[str], text: str) -> None:
    if len(problems) < MAX_PROBLEMS:
        problems.append(text)
    elif len(problems) == MAX_PROBLEMS:
        problems.append("more unreadable event lines follow (not listed)")


def _lines(stream: IO[str]) -> Iterable[str]:
    """Lines, each cut to MAX_LINE characters (a trace is untrusted input)."""
    while True:
        line = stream.readline(MAX_LINE)
        if not line:
            return
        if not line.endswith("\n"):
            while True:  # drop the rest of an over-long line
                rest = stream.readline(MAX_LINE)
                if not rest or rest.endswith("\n"):
                    break
        yield line
