"""Replay one device's accesses from a QEMU trace into a mock, and name every driver mistake.

The mock (:class:`pcikit.testing.MockDevice`) starts from reset, as the device did when
the trace began. Config accesses to the slot are replayed with their widths; memory
accesses that fall in one of the device's memory BARs (at the addresses the replayed
config writes gave them) are replayed as BAR accesses of the same width. Every
violation the mock records is reported with the trace line that caused it. The
mock answers as its profile's emulator (:mod:`pcikit.testing.profiles`; ``pcikit trace
check`` builds it with the profile asked for), and each violation says what the mistake
does on that emulator.
"""
from __future__ import annotations

from typing import Iterable, NamedTuple, Optional, Union

from ..errors import PcikitError
from ..schema import registry
from ..testing import MockDevice
from ..testing.profiles import check_profile, fact
from ..testing.state import VmmPanic
from .parse import Trace, TraceAccess

CAP_ID_MSIX = registry.standard_id("MSI-X")
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
    """What a check found: violations, and how many accesses it replayed."""

    violations: list[Violation]
    config_accesses: int
    bar_accesses: int
    skipped: list[str]


def describe(access: TraceAccess) -> str:
    """An access as one short phrase (``config write 0x04/2 <- 0x6``)."""
    arrow = "<-" if access.kind == "write" else "->"
    if access.space == "config":
        return f"config {access.kind} 0x{access.offset:03x}/{access.width} {arrow} {access.value:#x}"
    return f"{access.region} {access.kind} {access.address:#x}/{access.width} {arrow} {access.value:#x}"


def _bar_windows(dev: MockDevice, sizes: dict[int, int]) -> list[tuple[int, int, int]]:
    """(start, end, BAR index) of every memory BAR the mock currently decodes at a non-zero address."""
    config = dev.config
    windows, index = [], 0
    while index < 6:
        low = config.peek(0x10 + 4 * index, 4)
        step = 2 if low & 0x7 == 0x4 else 1
        if not low & 1 and index in sizes:
            base = low & ~0xF | (config.peek(0x14 + 4 * index, 4) << 32 if step == 2 else 0)
            if base:
                windows.append((base, base + sizes[index], index))
        index += step
    return windows


def _consequence(message: str, profile: str) -> str:
    name = _KIND_CONSEQUENCE.get(getattr(message, "kind", ""))
    name = name or next((behaviour for prefix, behaviour in _CONSEQUENCE.items() if message.startswith(prefix)), None)
    if name is None:
        return ""
    what = fact(name, profile)
    return f"{profile}: {what.does} ({what.source})"


def sizes_from_trace(trace: Union[Trace, Iterable[TraceAccess]], slot: tuple[int, int, int]) -> dict[int, int]:
    """Memory BAR sizes the trace's own sizing shows: the read after all ones written to a BAR."""
    sizes: dict[int, int] = {}
    probing: Optional[int] = None
    for access in _accesses(trace):
        if access.space != "config" or access.slot != slot or not 0x10 <= access.offset < 0x28:
            continue
        index = (access.offset - 0x10) // 4
        if access.kind == "write":
            probing = index if access.value == 0xFFFF_FFFF and access.width == 4 else None
        elif probing == index and access.width == 4 and not access.value & 1 and access.value & ~0xF:
            sizes.setdefault(index, -(access.value & ~0xF) & 0xFFFF_FFFF)
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
    counts = {"config": 0, "memory": 0}
    for access in _accesses(trace):
        if access.space == "config" and access.slot != slot:
            continue
        before = len(dev.violations)
        if access.space == "config":
            if access.width is None:
                skipped.append(f"line {access.line}: config {access.kind} at 0x{access.offset:03x} without a width")
                continue
            step = lambda: _replay_config(dev, access)  # noqa: E731
        else:
            window = next(((start, index) for start, end, index in _bar_windows(dev, sizes)
                           if start <= access.address < end), None)
            if window is None:
                continue
            step = lambda: _replay_bar(dev, window[1], access.address - window[0], access)  # noqa: E731
        panicked = False
        try:
            refused = _replay(step)
        except VmmPanic:
            refused, panicked = None, True
            skipped.append(f"line {access.line}: {profile} panics here; the rest of the trace is not replayed")
        if refused:
            found.append(Violation(access.line, describe(access), refused, kind="refused"))
        counts[access.space] += 1
        for message in dev.violations[before:]:
            found.append(Violation(access.line, describe(access), str(message), _consequence(message, profile),
                                   getattr(message, "kind", "protocol")))
        if panicked:
            break
    return Report(found, counts["config"], counts["memory"], skipped)


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
