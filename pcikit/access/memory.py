"""Config space held in memory: dump files, raw images, captured bytes."""
from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: start-up cost (tests/test_startup.py)
if TYPE_CHECKING:
    from typing import Optional

from .base import CONFIG_SIZE_EXTENDED, ConfigSpace


class BytesConfig(ConfigSpace):
    """Read-only config space over bytes; ``size`` defaults to ``len(data)``."""

    def __init__(self, data: bytes, size: Optional[int] = None) -> None:
        self.size = min(len(data) if size is None else size, CONFIG_SIZE_EXTENDED)
        self._data = bytes(data[: self.size])

    def read_block(self, offset: int, length: int) -> bytes:
        """Slice of the held bytes (bounds are the caller's business)."""
        return self._data[offset : offset + length]

    def image(self) -> bytes:
        """All 4096 bytes, unreadable ones as 0xff."""
        return self._data.ljust(CONFIG_SIZE_EXTENDED, b"\xff")  # one copy (none when all 4096 are held)
