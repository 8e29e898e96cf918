"""MSI-X as QEMU's ``hw/pci/msix.c`` models it (PCIe Base spec 6.1.4 and 7.7.2).

* Every vector is masked at reset (Vector Control bit 0 set), the table is
  otherwise zero and no bit is pending.
* The function is masked while Enable is clear or Function Mask is set; a vector
  is masked when the function is or its own mask bit is set.
* Firing a masked vector sets its pending bit; unmasking it (vector or function)
  delivers the message and clears the bit.
* The message delivered is the entry as it is now; under a profile whose
  ``msix_unmasked_edit`` answer is "latched" (``qemu-vhost``: QEMU's irqfd route), it is
  the entry as it was when the vector last became unmasked (vector mask cleared,
  MSI-X enabled or Function Mask cleared), so an edit of an unmasked entry is not seen.
* Only Enable and Function Mask are writable in Message Control (config masks).
* Table and PBA take aligned DWORD or QWORD accesses; anything else is recorded
  as a violation, reads all ones (QEMU's 0 under ``profile="qemu"``) and writes
  nothing. The PBA is read-only.
"""
from __future__ import annotations

from typing import NamedTuple, Optional

from ..model import Capability
from ..msix import MsixLayout
from ..schema.caps import msix as msix_schema
from ..schema.caps.msix import ENTRY_OFFSETS, ENTRY_SIZE, MASK_BIT, VECTOR_CONTROL_OFFSET as VECTOR_CONTROL
from .config import MockConfig
from .log import Access
from .profiles import answer
from .registers import bit, locate
from .state import DeviceState, MockError, VmmPanic

ENABLE = bit(msix_schema.MESSAGE_CONTROL, "enable")
FUNCTION_MASK = bit(msix_schema.MESSAGE_CONTROL, "function_mask")
_DWORDS = ENTRY_SIZE // 4
_CONTROL_DWORD = VECTOR_CONTROL // 4
# The dwords software programs before a vector may signal (address, upper address, data): bit per dword.
_PROGRAMMED = tuple((1 << offset // 4, name.replace("_", " ").title())
                    for name, offset in ENTRY_OFFSETS.items() if offset < VECTOR_CONTROL)
_ALL_PROGRAMMED = sum(bit for bit, _ in _PROGRAMMED)


class MsixEntry(NamedTuple):
    """One table entry as software programmed it."""

    address: int
    data: int
    masked: bool


class MsixModel:
    """The MSI-X capability ``cap``, its table and its PBA (layouts from the schema)."""

    def __init__(self, config: MockConfig, cap: Capability, state: DeviceState) -> None:
        self.offset = cap.offset
        self._config = config
        self._state = state
        self._message_control = locate(cap)["message_control"]
        layout = self.layout = MsixLayout.from_fields(cap.fields)
        self.table_size = layout.table_size
        self.table_bir, self.table_offset = layout.table_bir, layout.table_offset
        self.pba_bir, self.pba_offset = layout.pba_bir, layout.pba_offset
        self.pba_length = layout.pba_bytes
        self._table = bytearray(layout.table_bytes)
        self._views = {4: memoryview(self._table).cast("I"), 8: memoryview(self._table).cast("Q")}
        self._pending = 0
        self._written: dict[int, int] = {}  # vector -> the _PROGRAMMED dwords written since reset
        self._latching = answer("msix_unmasked_edit", state.profile) == "latched"
        self._routes: dict[int, tuple[int, int]] = {}  # vector -> (address, data) latched at its last unmask
        self._reset_vectors()
        config.watch(self._message_control, 2, self._control_written)
        self._latched: Optional[int] = None  # MSI-X state's own copy of Message Control (some VMMs)
        self._refused_write = False
        if answer("msix_control_write", state.profile) == "strict-widths":
            self._latched = self.control
            config.on_write(self._message_control - 2, 4, self._control_access)

    # -- state software can see ----------------------------------------------------------
    @property
    def control(self) -> int:
        """Message Control as stored."""
        return self._config.peek(self._message_control, 2)

    @property
    def effective_control(self) -> int:
        """Message Control as the MSI-X state follows it: the stored value, except under profiles
        whose VMM updates MSI-X state only on some writes (cloud-hypervisor, Firecracker)."""
        return self.control if self._latched is None else self._latched

    @property
    def enabled(self) -> bool:
        """MSI-X Enable."""
        return bool(self.effective_control & ENABLE)

    @property
    def function_masked(self) -> bool:
        """True while Enable is clear or Function Mask is set."""
        return self.effective_control & (ENABLE | FUNCTION_MASK) != ENABLE

    def vector_masked(self, vector: int) -> bool:
        """The vector's own mask bit (Vector Control bit 0)."""
        return bool(self._views[4][self._check(vector) * _DWORDS + _CONTROL_DWORD] & MASK_BIT)

    def masked(self, vector: int) -> bool:
        """True when ``vector`` cannot be delivered now (function or vector masked)."""
        return self.vector_masked(vector) or self.function_masked

    def pending(self, vector: int) -> bool:
        """The vector's pending bit."""
        return bool(self._pending >> self._check(vector) & 1)

    def entry(self, vector: int) -> MsixEntry:
        """Address, data and mask bit of ``vector``'s table entry."""
        words = self._views[4]
        base = self._check(vector) * _DWORDS
        return MsixEntry(words[base] | words[base + 1] << 32, words[base + 2],
                         bool(words[base + _CONTROL_DWORD] & MASK_BIT))

    def _check(self, vector: int) -> int:
        if not 0 <= vector < self.table_size:
            raise MockError(f"MSI-X vector {vector} does not exist (table size {self.table_size})")
        return vector

    # -- device side -----------------------------------------------------------------------
    def fire(self, vector: int) -> bool:
        """Signal ``vector``: deliver its message, or set its pending bit while it is masked.

        Returns True when a message was delivered (appended to ``dev.interrupts``).
        """
        self._check(vector)
        if self._state.removed:
            return False
        if self.masked(vector):
            self._pending |= 1 << vector
            return False
        return self._deliver(vector)

    def route(self, vector: int) -> tuple[int, int]:
        """(address, data) ``vector`` delivers now: its entry, or under a latching profile
        (``qemu-vhost``) the entry as it was at the vector's last masked -> unmasked transition."""
        if self._latching and self._check(vector) in self._routes:
            return self._routes[vector]
        entry = self.entry(vector)
        return entry.address, entry.data

    def _latch(self, vector: int) -> None:
        """The vector just became unmasked: a latching profile's route takes its entry now."""
        if self._latching:
            entry = self.entry(vector)
            self._routes[vector] = (entry.address, entry.data)

    def _deliver(self, vector: int) -> bool:
        address, data = self.route(vector)
        return self._state.deliver("msix", vector, address, data)

    def _deliver_unmasked_pending(self) -> None:
        for vector in range(self.table_size):
            if self._pending >> vector & 1 and not self.masked(vector):
                self._pending &= ~(1 << vector)
                self._deliver(vector)

    def reset(self) -> None:
        """MSI-X reset: Enable and Function Mask cleared, table zeroed, every vector masked, PBA clear."""
        self._config.poke(self._message_control, 2, self.control & ~(ENABLE | FUNCTION_MASK))
        if self._latched is not None:
            self._latched = self.control
        self._reset_vectors()

    def _reset_vectors(self) -> None:
        garbage = self._state.msix_reset == "garbage"  # catches drivers that rely on a zeroed table
        self._table[:] = bytes((0xA5 ^ i * 7) & 0xFF | 1 for i in range(len(self._table))) if garbage \
            else bytes(len(self._table))
        words = self._views[4]
        for vector in range(self.table_size):
            words[vector * _DWORDS + _CONTROL_DWORD] = MASK_BIT
        self._pending = 0
        self._written = {}
        self._routes = {}

    def _control_access(self, access: Access) -> None:
        """Under cloud-hypervisor/Firecracker only a 2-byte write at cap+2 or a 4-byte one at cap+0
        reaches the MSI-X state; any other write touching Message Control changes the image only."""
        control = self._message_control
        if access.offset < control + 2 and access.offset + access.width > control:
            cap = control - 2
            self._refused_write = (access.offset, access.width) not in ((control, 2), (cap, 4))
            if self._refused_write:
                self._state.violation(
                    f"MSI-X Message Control written with {access.width} byte(s) at 0x{access.offset:03x}: "
                    f"{self._state.profile} updates MSI-X state only on a 2-byte write at cap+2 or a 4-byte "
                    "write at cap+0", "msix-control-width", access)

    def _control_written(self, old: int, new: int) -> None:
        if self._latched is not None:
            if self._refused_write:
                self._refused_write = False
                return
            old, self._latched = self._latched, new
        was_masked = old & (ENABLE | FUNCTION_MASK) != ENABLE
        if was_masked and not self.function_masked:
            for vector in range(self.table_size):
                if not self.vector_masked(vector):
                    self._check_programmed(vector, "enabled")
                    self._latch(vector)
            self._deliver_unmasked_pending()

    def _check_programmed(self, vector: int, how: str) -> None:
        """A vector that can now signal must have had its address and data written since reset."""
        missing = [name for bit, name in _PROGRAMMED if not self._written.get(vector, 0) & bit]
        if missing:
            self._state.violation(
                f"MSI-X vector {vector} {how} but its {', '.join(missing)} never written since reset",
                "msix-unwritten-unmask")

    # -- software accesses routed here by the BAR region ---------------------------------------
    def _bad_width(self, what: str, kind: str, offset: int, width: int) -> None:
        message = f"MSI-X {what} {kind} of {width} byte(s) at {offset:#x}: only aligned DWORD/QWORD accesses are allowed"
        self._state.violation(message, "msix-width")
        fate = answer("msix_bad_width", self._state.profile)
        if fate == "panic" or (fate == "panic-on-read" and kind == "read"):
            raise VmmPanic(f"{self._state.profile} panics: {message}")

    def _bad_read(self, width: int) -> int:
        """What a bad-width read answers under the device's profile (all ones, or QEMU's 0)."""
        return 0 if answer("msix_bad_width", self._state.profile) == "zero" else (1 << 8 * width) - 1

    def table_read(self, offset: int, width: int) -> int:
        """Software read of the table at ``offset`` within it."""
        if width not in (4, 8):
            self._bad_width("table", "read", offset, width)
            return self._bad_read(width)
        return self._views[width][offset // width]

    def table_write(self, offset: int, width: int, value: int, access: Optional[Access] = None) -> None:
        """Software write to the table (``access``: the bus access, for the records); unmasking a
        pending vector delivers it."""
        if width not in (4, 8):
            self._bad_width("table", "write", offset, width)
            return
        vector = offset // ENTRY_SIZE
        was_masked = self.masked(vector)
        was_vector_masked = self.vector_masked(vector)
        if offset % ENTRY_SIZE < VECTOR_CONTROL and not was_masked:
            self._unmasked_edit(vector, access)
        if offset % ENTRY_SIZE < VECTOR_CONTROL:
            self._note_programming(vector, offset % ENTRY_SIZE // 4, width)
        self._views[width][offset // width] = value
        if was_vector_masked and not self.masked(vector):  # it can signal from now on
            self._check_programmed(vector, "unmasked")
        if was_masked and not self.masked(vector):
            self._latch(vector)
            if self.pending(vector):
                self._pending &= ~(1 << vector)
                self._deliver(vector)

    def _unmasked_edit(self, vector: int, access: Optional[Access]) -> None:
        consequence = ("undefined" if not self._latching else
                       f"{self._state.profile} keeps delivering the message latched at the last unmask "
                       "until the vector is masked and unmasked again")
        self._state.violation(
            f"MSI-X vector {vector}: message address/data written while the vector is unmasked ({consequence})",
            "msix-unmasked-edit", access)

    def _note_programming(self, vector: int, dword: int, width: int) -> None:
        """Remember the entry dwords written; programming after an unmasked Enable is a mistake."""
        if self.enabled and not self.control & FUNCTION_MASK and not self._written.get(vector):
            self._state.violation(
                f"MSI-X vector {vector} programmed after MSI-X was enabled without Function Mask "
                "(set Function Mask while the entries are written)", "msix-enable-unmasked")
        bits = (1 << dword) | ((1 << dword + 1) if width == 8 else 0)
        self._written[vector] = self._written.get(vector, 0) | bits & _ALL_PROGRAMMED

    def pba_read(self, offset: int, width: int) -> int:
        """Software read of the Pending Bit Array."""
        if width not in (4, 8):
            self._bad_width("PBA", "read", offset, width)
            return self._bad_read(width)
        return (self._pending >> (8 * offset)) & ((1 << 8 * width) - 1)

    def pba_write(self, offset: int, width: int, value: int) -> None:
        """The PBA is read-only: the write is dropped and recorded."""
        self._state.violation(f"MSI-X PBA write at {offset:#x}: the PBA is read-only (write ignored)", "pba-write")
