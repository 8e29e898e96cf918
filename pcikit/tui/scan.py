"""The background health pass: decodes a few devices at a time to fill in the list's status glyphs."""
from __future__ import annotations

from typing import Callable, Iterable

from ..address import Address

CHUNK = 25


class HealthScan:
    """A queue of devices to check; ``step`` checks one chunk and says whether more remain.

    ``check`` returns a device's severity (see :func:`pcikit.tui.health.worst`);
    ``done`` is told each address as its result lands in :attr:`status`.
    """

    def __init__(self, check: Callable[[Address], str], done: Callable[[Address], None]) -> None:
        self.status: dict[Address, str] = {}
        self._check = check
        self._done = done
        self._queue: list[Address] = []

    def add(self, addresses: Iterable[Address]) -> bool:
        """Queue devices; True when the queue was empty (the caller starts stepping)."""
        idle = not self._queue
        self._queue.extend(addresses)
        return idle and bool(self._queue)

    def forget(self, address: Address) -> None:
        """A device went away."""
        self.status.pop(address, None)

    def step(self, exists: Callable[[Address], bool]) -> bool:
        """Check the next chunk of devices that still ``exists``; True when more are queued."""
        batch, self._queue = self._queue[:CHUNK], self._queue[CHUNK:]
        for address in batch:
            if exists(address):
                self.status[address] = self._check(address)
                self._done(address)
        return bool(self._queue)
