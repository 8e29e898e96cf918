"""Exceptions pcikit raises; every one carries a message fit for one line on stderr."""
from __future__ import annotations


class PcikitError(Exception):
    """Base class of everything pcikit raises on purpose."""


class ConfigReadError(PcikitError):
    """A config space read outside what the source can return."""

    def __init__(self, offset: int, width: int, size: int) -> None:
        super().__init__(
            f"config read of {width} byte(s) at 0x{offset:03x} is beyond the "
            f"{size} readable bytes"
        )
        self.offset, self.width, self.size = offset, width, size


class ReadOnlyError(PcikitError):
    """A write to a source that does not accept writes."""


class DumpFormatError(PcikitError):
    """A malformed lspci dump; names the file and the line."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line = path, line


class DeviceGoneError(PcikitError):
    """The device disappeared (hot-unplug) while it was being read."""


class PermissionNeededError(PcikitError):
    """The operation needs privileges the user does not have."""


class NoSuchDeviceError(PcikitError):
    """A named device does not exist in the source."""


class RegionAccessError(PcikitError):
    """A BAR region access refused before memory was touched (misaligned or out of range)."""

    def __init__(self, message: str, offset: int, width: int, size: int) -> None:
        super().__init__(message)
        self.offset, self.width, self.size = offset, width, size


class MisalignedAccessError(RegionAccessError):
    """An offset that is not a multiple of the access width."""


class OutOfRangeAccessError(RegionAccessError):
    """An access that would reach outside the region (past a mapped file's end is SIGBUS)."""


class BarUnavailableError(PcikitError):
    """A BAR that cannot be mapped: missing resource file, refused by the kernel, not root."""
