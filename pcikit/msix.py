"""MSI-X vector tables and Pending Bit Arrays, read from the BAR the capability points at.

The capability (``dev.find_capability(CAP_ID_MSIX).fields``) gives the layout: Table and
PBA BIR and offset, table size, Enable and Function Mask. :class:`MsixLayout`
holds it; :func:`validate` checks it against the device's BARs and records
problems (never raises); :class:`MsixTable` and :class:`Pba` read entries and
pending bits through a :class:`~pcikit.mmio.BarRegion` with aligned DWORD loads
only, as the PCIe spec requires (the same accesses Linux makes); anything that
would fall outside the region is left unread. :func:`read_msix` does it all for
one device::

    state = read_msix(dev, {0: region})
    for v in state.vectors:
        print(v.vector, hex(v.address), v.data, v.masked, v.pending, v.deliverable)
"""
from __future__ import annotations

from collections.abc import Mapping

from .errors import RegionAccessError
from .schema import registry
from .schema.caps.msix import (
    ADDRESS_OFFSET, DATA_OFFSET, ENTRY_SIZE, MASK_BIT, MAX_TABLE_SIZE, UPPER_ADDRESS_OFFSET, VECTOR_CONTROL_OFFSET,
    pba_bytes, pending_bit, table_bytes,
)

TYPE_CHECKING = False  # typing and mmio are imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Any, NamedTuple, Optional, Sequence

    from .mmio import BarRegion
else:
    from .tuples import NamedTuple

CAP_ID_MSIX = registry.standard_id("MSI-X")
BAR_SLOTS = 6


def _get(fields: Any, key: str) -> Any:
    return fields[key] if isinstance(fields, Mapping) else getattr(fields, key)


class MsixLayout(NamedTuple):
    """Where the table and PBA live and the function-level control bits."""

    table_bir: int
    table_offset: int
    pba_bir: int
    pba_offset: int
    table_size: int
    enable: bool
    function_mask: bool

    @classmethod
    def from_fields(cls, fields: Any) -> "MsixLayout":
        """From MSI-X capability fields (a construct Container or any mapping with these keys)."""
        return cls(*(_get(fields, name) for name in (
            "table_bir", "table_offset", "pba_bir", "pba_offset", "table_size", "enable", "function_mask",
        )))

    @property
    def table_bytes(self) -> int:
        """Bytes the table spans (16 per entry)."""
        return table_bytes(self.table_size)

    @property
    def pba_bytes(self) -> int:
        """Bytes the PBA spans: one bit per vector, rounded up to QWORDs."""
        return pba_bytes(self.table_size)

    @property
    def function_masked(self) -> bool:
        """True when no vector can be delivered: MSI-X disabled or Function Mask set."""
        return not self.enable or self.function_mask

    @property
    def overlapping(self) -> bool:
        """True when the table and the PBA share a BAR and their byte ranges meet (the spec forbids it)."""
        return (self.table_bir == self.pba_bir and self.table_offset < self.pba_offset + self.pba_bytes
                and self.pba_offset < self.table_offset + self.table_bytes)


# The placement rules a table or PBA BIR can break (see bar_rule).
RESERVED_BIR = "reserved BIR"
UPPER_HALF = "upper half of a 64-bit BAR"
NO_BAR = "no BAR"
IO_BAR = "I/O BAR"


def bar_rule(bir: int, bar: Optional[Any], lower: Optional[Any]) -> Optional[str]:
    """The placement rule broken by a table or PBA in BAR ``bir``, or None.

    ``bar`` is the BAR at index ``bir`` and ``lower`` the one at ``bir - 1`` (None
    where there is none); each has ``space`` ("io"/"memory") and ``bits``.
    """
    if bir >= BAR_SLOTS:
        return RESERVED_BIR
    if bar is None:
        return UPPER_HALF if lower is not None and lower.bits == 64 else NO_BAR
    return IO_BAR if bar.space == "io" else None


def runs_past(offset: int, length: int, size: Optional[int]) -> bool:
    """True when ``length`` bytes at ``offset`` end beyond a BAR of ``size`` bytes (None: unknown, fits)."""
    return size is not None and offset + length > size


def _bar_problem(role: str, bir: int, bars: Sequence[Any], regions: Mapping[int, BarRegion]) -> Optional[str]:
    by_index = {bar.index: bar for bar in bars}
    rule = bar_rule(bir, by_index.get(bir), by_index.get(bir - 1))
    if rule == RESERVED_BIR:
        return f"MSI-X {role} BIR {bir} is reserved (BARs are 0-5)"
    if rule == UPPER_HALF:
        return f"MSI-X {role} BIR {bir} names the upper half of 64-bit BAR {bir - 1}"
    if rule == NO_BAR and bir not in regions:
        return f"MSI-X {role} BIR {bir} names BAR {bir}, which is not implemented"
    if rule == IO_BAR:
        return f"MSI-X {role} BIR {bir} names I/O BAR {bir} (must be memory)"
    return None


def _bar_size(bir: int, bars: Sequence[Any], regions: Mapping[int, BarRegion]) -> Optional[int]:
    for bar in bars:
        if bar.index == bir and bar.size:
            return bar.size
    region = regions.get(bir)
    return region.size if region is not None else None


def validate(
    layout: MsixLayout, bars: Sequence[Any], regions: Optional[Mapping[int, BarRegion]] = None
) -> list[str]:
    """Problems with ``layout`` given the device's decoded ``bars`` and any mapped ``regions``.

    A BAR's size comes from the kernel (``bar.size``) or, failing that, from the
    region mapped for it; without either, the fit checks are skipped.
    """
    regions = regions or {}
    problems: list[str] = []
    if not 1 <= layout.table_size <= MAX_TABLE_SIZE:
        problems.append(f"MSI-X table size {layout.table_size} is outside 1-{MAX_TABLE_SIZE}")
    places = (("table", layout.table_bir, layout.table_offset, layout.table_bytes),
              ("PBA", layout.pba_bir, layout.pba_offset, layout.pba_bytes))
    for role, bir, offset, length in places:
        problem = _bar_problem(role, bir, bars, regions)
        if problem:
            problems.append(problem)
            continue
        if offset % 8:
            problems.append(f"MSI-X {role} offset {offset:#x} is not QWORD aligned")
        size = _bar_size(bir, bars, regions)
        if runs_past(offset, length, size):
            problems.append(
                f"MSI-X {role} at {offset:#x}+{length:#x} runs past the end of BAR {bir} ({size:#x} bytes)"
            )
    table_end = layout.table_offset + layout.table_bytes
    pba_end = layout.pba_offset + layout.pba_bytes
    if layout.overlapping:
        problems.append(
            f"MSI-X table ({layout.table_offset:#x}-{table_end - 1:#x}) and PBA "
            f"({layout.pba_offset:#x}-{pba_end - 1:#x}) overlap in BAR {layout.table_bir}"
        )
    return problems


class MsixEntry(NamedTuple):
    """One table entry as read: 64-bit message address, data, vector control."""

    vector: int
    address: int
    data: int
    vector_control: int

    @property
    def masked(self) -> bool:
        """Vector Control bit 0 (Mask Bit)."""
        return bool(self.vector_control & MASK_BIT)


def _fits(region: Optional[BarRegion], offset: int, length: int) -> bool:
    return region is not None and 0 <= offset and offset + length <= region.size and not offset & 3


class MsixTable:
    """The vector table in ``region`` (the BAR named by the Table BIR), read on demand."""

    def __init__(self, layout: MsixLayout, region: Optional[BarRegion]) -> None:
        self.layout = layout
        self.region = region

    def entry_offset(self, vector: int) -> int:
        """Byte offset of ``vector``'s entry in the BAR."""
        return self.layout.table_offset + vector * ENTRY_SIZE

    def readable(self, vector: int) -> bool:
        """True when the whole entry lies inside the region (reading it cannot fault)."""
        return 0 <= vector < self.layout.table_size and _fits(self.region, self.entry_offset(vector), ENTRY_SIZE)

    def entry(self, vector: int) -> Optional[MsixEntry]:
        """Entry ``vector`` read with four DWORD loads, or None when it cannot be read."""
        if not self.readable(vector):
            return None
        base = self.entry_offset(vector)
        read32 = self.region.read32
        low, high = read32(base + ADDRESS_OFFSET), read32(base + UPPER_ADDRESS_OFFSET)
        return MsixEntry(vector, (high << 32) | low, read32(base + DATA_OFFSET), read32(base + VECTOR_CONTROL_OFFSET))

    def entries(self) -> list[MsixEntry]:
        """Every readable entry, in vector order (entries past the region are left out)."""
        count = min(self.layout.table_size, MAX_TABLE_SIZE)
        return [e for e in map(self.entry, range(count)) if e is not None]


class Pba:
    """The Pending Bit Array in ``region`` (the BAR named by the PBA BIR); writes are never made."""

    def __init__(self, layout: MsixLayout, region: Optional[BarRegion]) -> None:
        self.layout = layout
        self.region = region

    def _dword(self, relative: int) -> Optional[int]:
        offset = self.layout.pba_offset + relative
        if not _fits(self.region, offset, 4):
            return None
        return self.region.read32(offset)

    def pending(self, vector: int) -> Optional[bool]:
        """Vector's pending bit, or None when out of range or unreadable."""
        if not 0 <= vector < self.layout.table_size:
            return None
        relative, bit = pending_bit(vector, 4)
        word = self._dword(relative)
        return None if word is None else bool(word >> bit & 1)

    def pending_bits(self) -> list[Optional[bool]]:
        """Every vector's pending bit (None where unreadable), one DWORD load per 32 vectors."""
        count = min(self.layout.table_size, MAX_TABLE_SIZE)
        bits: list[Optional[bool]] = []
        for first in range(0, count, 32):
            relative, _ = pending_bit(first, 4)
            word = self._dword(relative)
            width = min(32, count - first)
            bits.extend([None] * width if word is None else [bool(word >> b & 1) for b in range(width)])
        return bits


class VectorState(NamedTuple):
    """One vector's effective state: its entry, its pending bit and the function's masks."""

    vector: int
    address: int
    data: int
    vector_control: int
    masked: bool
    pending: Optional[bool]
    function_masked: bool

    @property
    def effective_masked(self) -> bool:
        """Masked by its own Mask Bit, by Function Mask, or because MSI-X is disabled."""
        return self.masked or self.function_masked

    @property
    def deliverable(self) -> bool:
        """True when a message for this vector would be sent now."""
        return not self.effective_masked

    def to_json(self) -> dict:
        """The JSON contract's vector object."""
        return {"vector": self.vector, "address": self.address, "data": self.data,
                "masked": self.masked, "pending": self.pending}


class MsixState:
    """Everything known about one function's MSI-X: layout, vectors read, problems, why not read."""

    def __init__(self, layout: MsixLayout, vectors: Optional[list[VectorState]] = None,
                 problems: Optional[list[str]] = None, unread: Optional[str] = None) -> None:
        self.layout = layout
        self.vectors: list[VectorState] = [] if vectors is None else vectors
        self.problems: list[str] = [] if problems is None else problems
        self.unread = unread

    def summary(self) -> str:
        """One line: enable/mask state and vector counts."""
        lay = self.layout
        head = (f"MSI-X: Enable{'+' if lay.enable else '-'} Masked{'+' if lay.function_mask else '-'} "
                f"Count={lay.table_size}")
        if self.unread:
            return f"{head}; table not read: {self.unread}"
        masked = sum(v.masked for v in self.vectors)
        pending = sum(bool(v.pending) for v in self.vectors)
        deliverable = sum(v.deliverable for v in self.vectors)
        return (f"{head}; {len(self.vectors)} read, {masked} masked, {pending} pending, "
                f"{deliverable} deliverable")


    def to_json(self) -> dict:
        """The JSON contract's MSI-X object (without ``slot``; ``unread`` is null when read)."""
        lay = self.layout
        return {
            "enable": lay.enable, "function_mask": lay.function_mask, "table_size": lay.table_size,
            "table_bir": lay.table_bir, "table_offset": lay.table_offset,
            "pba_bir": lay.pba_bir, "pba_offset": lay.pba_offset,
            "vectors": [v.to_json() for v in self.vectors],
            "problems": list(self.problems),
            "unread": self.unread,
        }


def read_state(layout: MsixLayout, table_region: Optional[BarRegion],
               pba_region: Optional[BarRegion]) -> list[VectorState]:
    """Vector states of every readable table entry, with pending bits where the PBA is readable."""
    pending = Pba(layout, pba_region).pending_bits() if pba_region is not None else []
    function_masked = layout.function_masked
    states = []
    for entry in MsixTable(layout, table_region).entries():
        bit = pending[entry.vector] if entry.vector < len(pending) else None
        states.append(VectorState(entry.vector, entry.address, entry.data, entry.vector_control,
                                  entry.masked, bit, function_masked))
    return states


def read_msix(dev: Any, regions: Mapping[int, BarRegion]) -> Optional[MsixState]:
    """The MSI-X state of ``dev`` with BAR ``regions`` by index; None without an MSI-X capability.

    Never raises for a bad layout or a failing BAR: problems are recorded, and
    ``unread`` says why no vector could be read.
    """
    cap = dev.find_capability(CAP_ID_MSIX)
    fields = cap.fields if cap is not None else None
    if fields is None:
        return None
    layout = MsixLayout.from_fields(fields)
    state = MsixState(layout, problems=validate(layout, dev.bars, regions))
    table_region = regions.get(layout.table_bir)
    if table_region is None:
        state.unread = f"BAR {layout.table_bir} (table BIR) is not mapped"
        return state
    try:
        state.vectors = read_state(layout, table_region, regions.get(layout.pba_bir))
    except RegionAccessError as exc:
        state.unread = str(exc)
    if not state.vectors and state.unread is None:
        state.unread = f"no table entry lies inside BAR {layout.table_bir} ({table_region.size:#x} bytes)"
    return state
