"""What the parts of one mock device share: records, fault injection, hooks.

Config space, BAR regions and the interrupt models each hold the same
:class:`DeviceState`; a change that affects the fast paths (surprise removal,
a pending injected failure, a new hook, a Command write) calls
:meth:`DeviceState.refresh`, which lets every part recompute its fast-path flag.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Union

from ..errors import PcikitError
from .log import Access, AccessLog, InterruptMessage

HookCallback = Callable[..., Optional[int]]


class MockError(PcikitError):
    """A mock device used in a way its model cannot honour (no such BAR, no MSI-X, ...)."""


class VmmPanic(MockError):
    """The emulated VMM would have panicked on this access (a profile of a release that does)."""


@dataclass
class _Failure:
    space: Optional[str]  # None: any access; "config"; "bar": any BAR; "bar0".."bar5"
    error: Union[BaseException, type]
    remaining: int

    def matches(self, space: str) -> bool:
        if self.space is None or self.space == space:
            return True
        return self.space == "bar" and space.startswith("bar")


class HookTable:
    """Callbacks on byte ranges, found by the dwords an access touches."""

    def __init__(self) -> None:
        self._by_dword: dict[int, list[tuple[int, int, HookCallback]]] = {}

    def __bool__(self) -> bool:
        return bool(self._by_dword)

    @property
    def dwords(self) -> set[int]:
        """Indices of every dword some hook covers."""
        return set(self._by_dword)

    def add(self, start: int, length: int, callback: HookCallback) -> None:
        """Call ``callback`` for accesses overlapping ``[start, start + length)``."""
        hook = (start, start + length, callback)
        for dword in range(start >> 2, (start + length + 3) >> 2):
            self._by_dword.setdefault(dword, []).append(hook)

    def find(self, offset: int, width: int) -> list[HookCallback]:
        """Callbacks of the hooks overlapping ``[offset, offset + width)``, in registration order."""
        found: list[tuple[int, int, HookCallback]] = []
        for dword in range(offset >> 2, (offset + width + 3) >> 2):
            for hook in self._by_dword.get(dword, ()):
                if hook not in found and hook[0] < offset + width and offset < hook[1]:
                    found.append(hook)
        return [hook[2] for hook in found]


class Violation(str):
    """A driver mistake: reads as its message; ``kind`` names the rule, ``access`` what broke it.

    Kinds: ``decode-off`` (BAR access while it does not decode), ``msix-width`` (MSI-X
    table/PBA access of a width the profile forbids), ``pba-write``, ``msix-unmasked-edit``
    (entry written while unmasked), ``msix-unwritten-unmask`` (a vector unmasked or
    enabled whose entry was never written since reset), ``msix-enable-unmasked`` (MSI-X
    enabled without Function Mask while entries are still unwritten), ``bar-sizing-decode-on``,
    ``config-misaligned`` (not aligned to its width, or crossing a dword), ``bus-master-off``,
    ``protocol`` (anything else).
    """

    kind: str
    access: Optional[Access]

    def __new__(cls, message: str, kind: str = "protocol", access: Optional[Access] = None) -> "Violation":
        made = super().__new__(cls, message)
        made.kind, made.access = kind, access
        return made

    @property
    def message(self) -> str:
        """The one-line description."""
        return str(self)

    def to_json(self) -> dict:
        """kind, message and the access (space, offset, width, value, kind) or None."""
        access = self.access._asdict() if self.access is not None else None
        return {"kind": self.kind, "message": str(self), "access": access}


class DeviceState:
    """Records and fault state shared by config space, BARs and interrupt models."""

    def __init__(self, log_limit: Optional[int]) -> None:
        self.log = AccessLog(log_limit)
        self.interrupts: list[InterruptMessage] = []
        self.violations: list[str] = []
        self.profile = "spec"  # whose answers (pcikit.testing.profiles): set by MockDevice
        self.msix_reset = "zero"  # or "garbage": the MSI-X table's contents at reset (set by MockDevice)
        self.removed = False
        self.bus_master: Callable[[], bool] = lambda: True
        self._failures: list[_Failure] = []
        self._listeners: list[Callable[[], None]] = []

    @property
    def quiet(self) -> bool:
        """True when no removal and no injected failure can affect the next access."""
        return not self.removed and not self._failures

    def listen(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` whenever fast-path conditions may have changed."""
        self._listeners.append(callback)

    def refresh(self) -> None:
        """Let every part recompute its fast-path flag."""
        for callback in self._listeners:
            callback()

    def add_failure(self, count: int, space: Optional[str], error: Union[BaseException, type]) -> None:
        """Make the next ``count`` accesses matching ``space`` raise ``error``."""
        self._failures.append(_Failure(space, error, count))
        self.refresh()

    def failure(self, space: str) -> Optional[BaseException]:
        """The error the current access in ``space`` must raise, if one is pending (consumed)."""
        for failure in self._failures:
            if failure.matches(space):
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
                    self.refresh()
                error = failure.error
                return error() if isinstance(error, type) else error
        return None

    def violation(self, message: str, kind: str = "protocol", access: Optional[Access] = None) -> None:
        """Record something software did that the spec forbids or leaves undefined."""
        self.violations.append(Violation(message, kind, access))

    def deliver(self, kind: str, vector: Optional[int], address: Optional[int], data: int) -> bool:
        """Record an interrupt message; MSI/MSI-X writes need Bus Master Enable (else lost)."""
        if self.removed:
            return False
        if kind != "intx" and not self.bus_master():
            self.violation(
                f"{kind.upper()} vector {vector} signalled while Bus Master Enable is clear: message lost",
                "bus-master-off",
            )
            return False
        self.interrupts.append(InterruptMessage(kind, vector, address, data))
        return True
