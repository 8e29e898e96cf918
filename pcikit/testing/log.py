"""Records a mock device keeps: the accesses software made and the interrupts it raised.

Accesses are stored as plain tuples (cheap to append on the hot path) and
handed out as :class:`Access` records.
"""
from __future__ import annotations

from collections import deque
from typing import Iterator, NamedTuple, Optional, Union, overload

READ = "read"
WRITE = "write"
CONFIG = "config"


class Access(NamedTuple):
    """One access software made.

    ``space`` is ``"config"`` or ``"bar0"`` .. ``"bar5"``; ``offset`` and ``width``
    are in bytes; ``kind`` is ``"read"`` or ``"write"``. ``value`` is what a read
    returned or what a write carried; it is ``None`` for an access that raised
    (see :meth:`MockDevice.fail_next`) and ``bytes`` for a block read of config
    space (``ConfigSpace.image()``, which the model uses).
    """

    space: str
    offset: int
    width: int
    value: Union[int, bytes, None]
    kind: str


class InterruptMessage(NamedTuple):
    """One interrupt the device signalled.

    ``kind`` is ``"msix"``, ``"msi"`` or ``"intx"``. MSI and MSI-X records carry the
    message ``address`` and ``data`` the device wrote. INTx records carry
    ``vector=None``, ``address=None`` and ``data`` 1 for Assert_INTx, 0 for
    Deassert_INTx (what the interrupt controller sees change).
    """

    kind: str
    vector: Optional[int]
    address: Optional[int]
    data: int


class AccessLog:
    """Every config and BAR access in order; iterate, index, ``len()``, :meth:`clear`.

    ``limit`` keeps only the newest ``limit`` accesses (``None``: keep all).
    """

    def __init__(self, limit: Optional[int] = None) -> None:
        self._entries: deque = deque(maxlen=limit)
        self.append = self._entries.append

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Access]:
        return map(Access._make, self._entries)

    @overload
    def __getitem__(self, index: int) -> Access: ...

    @overload
    def __getitem__(self, index: slice) -> list[Access]: ...

    def __getitem__(self, index: Union[int, slice]) -> Union[Access, list[Access]]:
        if isinstance(index, slice):
            return [Access._make(entry) for entry in list(self._entries)[index]]
        return Access._make(self._entries[index])

    def __repr__(self) -> str:
        return f"<AccessLog {len(self)} accesses>"

    def clear(self) -> None:
        """Forget every access recorded so far."""
        self._entries.clear()

    def select(
        self, space: Optional[str] = None, kind: Optional[str] = None, offset: Optional[int] = None
    ) -> list[Access]:
        """The accesses matching every given filter, in order."""
        return [
            access for access in self
            if (space is None or access.space == space)
            and (kind is None or access.kind == kind)
            and (offset is None or access.offset == offset)
        ]
