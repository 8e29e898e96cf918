"""Replay one device's accesses from a QEMU trace into a mock, and name every driver mistake.

The mock (:class:`pcikit.testing.MockDevice`) starts from reset, as the device did when
the trace began. Config accesses to the slot are replayed with their widths; memory
accesses that fall in one of the device's memory BARs (at the addresses the replayed
config writes gave them) are replayed as BAR accesses of the same width, and so are
port accesses that fall in one of its I/O BARs (QEMU traces both through the same
``memory_region_ops_*`` events, at the port number or the physical address, without
saying which address space; only ports below :data:`IO_SPACE_END` can be I/O). Every
violation the mock records is reported with the trace line that caused it. The
mock answers as its profile's emulator (:mod:`pcikit.testing.profiles`; ``pcikit trace
check`` builds it with the profile asked for), and each violation says what the mistake
does on that emulator.
"""
from __future__ import annotations

from typing import Callable, Iterable, NamedTuple, Optional, Union

from ..errors import PcikitError
from ..schema import registry
from ..testing import MockDevice
from ..testing.profiles import check_profile, fact
from ..testing.state import VmmPanic
from .parse import Trace, TraceAccess

CAP_ID_MSIX = registry.standard_id("MSI-X")
IO_SPACE_END = 0x1_0000  # x86 I/O ports (QEMU's "io" address space) are 16-bit
_CONSEQUENCE = {"MSI-X table": "msix_bad_width", "MSI-X PBA write": "msix_pba_write", "MSI-X PBA": "msix_bad_width",
                "MSI-X Message Control": "msix_control_write"}
_KIND_CONSEQUENCE = {"msix-unmasked-edit": "msix_unmasked_edit"}  # by violation kind, before the prefixes


class Violation(NamedTuple):
    """One mistake: where in the trace, what access, what is wrong, and what the profile's emulator does."""

    line: int
    access: str
    message: str
    consequence: str = ""
    kind: str = "protocol"

    def to_json(self) -> dict:
        """The JSON object ``pcikit trace check --json`` prints."""
        return {"line": self.line, "kind": self.kind, "access": self.access, "message": self.message,
                "consequence": self.consequence}


class Report(NamedTuple):
    """What a check found: violations, and how many accesses it replayed (``io_accesses``: how
    many of the ``bar_accesses`` went to I/O BARs)."""

    violations: list[Violation]
    config_accesses: int
    bar_accesses: int
    skipped: list[str]
    io_accesses: int = 0


def describe(access: TraceAccess) -> str:
    """An access as one short phrase (``config write 0x04/2 <- 0x6``)."""
    arrow = "<-" if access.kind == "write" else "->"
    if access.space == "config":
        return f"config {access.kind} 0x{access.offset:03x}/{access.width} {arrow} {access.value:#x}"
    return f"{access.region} {access.kind} {access.address:#x}/{access.width} {arrow} {access.value:#x}"


def _bar_windows(dev: MockDevice, sizes: dict[int, int]) -> list[tuple[int, int, int, bool]]:
    """(start, end, BAR index, is I/O) of every BAR the mock currently has at a non-zero address."""
    config = dev.config
    windows, index = [], 0
    while index < 6:
        low = config.peek(0x10 + 4 * index, 4)
        io = bool(low & 1)
        step = 2 if not io and low & 0x7 == 0x4 else 1
        if index in sizes:
            base = low & ~0x3 if io else low & ~0xF | (config.peek(0x14 + 4 * index, 4) << 32 if step == 2 else 0)
            if base:
                windows.append((base, base + sizes[index], index, io))
        index += step
    return windows


def _window(windows: list[tuple[int, int, int, bool]], address: int) -> Optional[tuple[int, int, bool]]:
    """(BAR start, BAR index, is I/O) of the window holding ``address``; a memory BAR wins over an I/O BAR."""
    found = [(io, start, index) for start, end, index, io in windows
             if start <= address < end and (not io or address < IO_SPACE_END)]
    if not found:
        return None
    io, start, index = min(found)
    return start, index, io


def _consequence(message: str, profile: str) -> str:
    name = _KIND_CONSEQUENCE.get(getattr(message, "kind", ""))
    name = name or next((behaviour for prefix, behaviour in _CONSEQUENCE.items() if message.startswith(prefix)), None)
    if name is None:
        return ""
    what = fact(name, profile)
    return f"{profile}: {what.does} ({what.source})"


def sizes_from_trace(trace: Union[Trace, Iterable[TraceAccess]], slot: tuple[int, int, int]) -> dict[int, int]:
    """BAR sizes (memory and I/O) the trace's own sizing shows: the read after all ones written to a BAR.

    The size is the lowest address bit that reads back set (an I/O BAR may leave its upper
    16 bits 0)."""
    sizes: dict[int, int] = {}
    probing: Optional[int] = None
    for access in _accesses(trace):
        if access.space != "config" or access.slot != slot or not 0x10 <= access.offset < 0x28:
            continue
        index = (access.offset - 0x10) // 4
        if access.kind == "write":
            probing = index if access.value == 0xFFFF_FFFF and access.width == 4 else None
        elif probing == index and access.width == 4:
            address_bits = access.value & (~0x3 if access.value & 1 else ~0xF) & 0xFFFF_FFFF
            if address_bits:
                sizes.setdefault(index, address_bits & -address_bits)
            probing = None
    return sizes


def _accesses(trace: Union[Trace, Iterable[TraceAccess]]) -> Iterable[TraceAccess]:
    return trace.accesses if isinstance(trace, Trace) else trace


def check(trace: Union[Trace, Iterable[TraceAccess]], slot: tuple[int, int, int], dev: MockDevice,
          sizes: dict[int, int], profile: str = "spec") -> Report:
    """Replay the trace's accesses to ``slot`` into ``dev`` (reset first); collect violations.

    ``dev`` answers as its own profile; ``profile`` names whose consequences are reported."""
    check_profile(profile)
    dev.reset()
    found: list[Violation] = []
    skipped: list[str] = []
    counts = {"config": 0, "memory": 0, "io": 0}
    for access in _accesses(trace):
        if access.space == "config" and access.slot != slot:
            continue
        if access.space == "config" and access.width is None:
            skipped.append(f"line {access.line}: config {access.kind} at 0x{access.offset:03x} without a width")
            continue
        step = _step(dev, sizes, access)
        if step is None:
            continue
        before = len(dev.violations)
        panicked = False
        try:
            refused = _replay(step[0])
        except VmmPanic:
            refused, panicked = None, True
            skipped.append(f"line {access.line}: {profile} panics here; the rest of the trace is not replayed")
        if refused:
            found.append(Violation(access.line, describe(access), refused, kind="refused"))
        counts[step[1]] += 1
        for message in dev.violations[before:]:
            found.append(Violation(access.line, describe(access), str(message), _consequence(message, profile),
                                   getattr(message, "kind", "protocol")))
        if panicked:
            break
    return Report(found, counts["config"], counts["memory"] + counts["io"], skipped, counts["io"])


def _step(dev: MockDevice, sizes: dict[int, int], access: TraceAccess) -> Optional[tuple[Callable[[], None], str]]:
    """The replay of one access and what it counts as ("config", "memory" or "io");
    None for a region access outside the device's BARs."""
    if access.space == "config":
        return (lambda: _replay_config(dev, access)), "config"
    window = _window(_bar_windows(dev, sizes), access.address)
    if window is None:
        return None
    start, index, io = window
    return (lambda: _replay_bar(dev, index, access.address - start, access)), "io" if io else "memory"


def _replay(action) -> Optional[str]:
    """Run one replayed access; the reason when the mock refuses it (misaligned, out of range).

    A :class:`VmmPanic` passes through: the emulated VMM is gone, the replay ends there."""
    try:
        action()
    except VmmPanic:
        raise
    except (PcikitError, ValueError) as exc:
        return f"refused: {exc}"
    return None


def _replay_config(dev: MockDevice, access: TraceAccess) -> None:
    if access.kind == "write":
        dev.config.write(access.offset, access.width, access.value)
    else:
        dev.config.read(access.offset, access.width)


def _replay_bar(dev: MockDevice, index: int, offset: int, access: TraceAccess) -> None:
    region = dev.bar(index)
    name = {1: "8", 2: "16", 4: "32", 8: "64"}[access.width]
    if access.kind == "write":
        getattr(region, f"write{name}")(offset, access.value)
    else:
        getattr(region, f"read{name}")(offset)
