"""Map BARs into :class:`~pcikit.mmio.Region` objects: live ``resourceN`` files or captured images.

* :func:`map_resource` maps ``/sys/bus/pci/devices/<slot>/resourceN`` (root only;
  read-only unless ``writable=True``).
* :func:`map_file` opens any regular file as a BAR image (``pcikit msix --bar N=FILE``):
  read with ``pread`` per access, never mapped, so a file that shrinks meanwhile is a
  one-line error rather than SIGBUS.
* :func:`parse_bar_option` reads the ``N=FILE`` syntax.

Every failure is a :class:`~pcikit.errors.BarUnavailableError` whose message is
one line saying exactly what stood in the way (no such file, not root, the
kernel refused with EPERM/EINVAL, ...). The caller closes the region.

What remains: a live ``resourceN`` on the real sysfs is memory-mapped (the kernel
offers no other way to reach a memory BAR). If the device is hot-removed while
mapped, the kernel revokes the mapping and the next access raises SIGBUS; pcikit
keeps such mappings only for the duration of one command. A ``resourceN`` that is
a plain file (a fake ``--sysfs-root``) is read like any BAR image, never mapped.
"""
from __future__ import annotations

import errno
import mmap
import os

from .address import Address
from .access.files import UnsafeFileError, open_regular
from .errors import BarUnavailableError, OutOfRangeAccessError, ReadOnlyError
from .mmio import BarRegion, Region, refused

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Optional, Union

BAR_COUNT = 6


def _refusal(what: str, exc: OSError) -> BarUnavailableError:
    reasons = {
        errno.ENOENT: "no such file",
        errno.EACCES: "permission denied (EACCES)",
        errno.EPERM: "the kernel refused (EPERM; kernel lockdown or missing CAP_SYS_RAWIO)",
        errno.EINVAL: "the kernel refused the mapping (EINVAL; an I/O BAR, or kernel lockdown)",
        errno.ENODEV: "the device or resource is gone (ENODEV)",
        errno.ENXIO: "the device or resource is gone (ENXIO)",
    }
    reason = reasons.get(exc.errno, exc.strerror or str(exc))
    return BarUnavailableError(f"{what}: {reason}")


class FileRegion(BarRegion):
    """A BAR image in a regular file: one ``pread``/``pwrite`` of exactly the width per access.

    Nothing is mapped, so a file truncated while in use gives a one-line
    :class:`~pcikit.errors.OutOfRangeAccessError` instead of SIGBUS.
    """

    __slots__ = ("size", "readonly", "_fd", "_offset", "_name")

    def __init__(self, fd: int, offset: int, size: int, readonly: bool, name: str) -> None:
        self._fd, self._offset, self._name = fd, offset, name
        self.size, self.readonly = size, readonly

    def __repr__(self) -> str:
        return f"<FileRegion {self._name} {self.size:#x} bytes {'ro' if self.readonly else 'rw'}>"

    def _load(self, offset: int, width: int) -> int:
        if offset < 0 or offset % width or offset + width > self.size:
            raise refused(offset, width, self.size)
        try:
            data = os.pread(self._fd, width, self._offset + offset)
        except OSError as exc:
            raise BarUnavailableError(f"{self._name}: {exc.strerror or exc}") from None
        if len(data) != width:
            raise OutOfRangeAccessError(
                f"{self._name}: the file shrank below {self._offset + offset + width:#x} bytes", offset, width, self.size
            )
        return int.from_bytes(data, "little")

    def _store(self, offset: int, width: int, value: int) -> None:
        if self.readonly:
            raise ReadOnlyError(f"{width * 8}-bit write at {offset:#x}: the region is read-only")
        if offset < 0 or offset % width or offset + width > self.size:
            raise refused(offset, width, self.size)
        try:
            data = value.to_bytes(width, "little")
        except (OverflowError, AttributeError):
            from .mmio import _bad_value

            raise _bad_value(value, width, self.size, offset) from None
        try:
            os.pwrite(self._fd, data, self._offset + offset)
        except OSError as exc:
            raise BarUnavailableError(f"{self._name}: {exc.strerror or exc}") from None

    def read8(self, offset: int) -> int:
        """One 1-byte read at ``offset``."""
        return self._load(offset, 1)

    def read16(self, offset: int) -> int:
        """One 2-byte little-endian read at ``offset``."""
        return self._load(offset, 2)

    def read32(self, offset: int) -> int:
        """One 4-byte little-endian read at ``offset``."""
        return self._load(offset, 4)

    def read64(self, offset: int) -> int:
        """One 8-byte little-endian read at ``offset``."""
        return self._load(offset, 8)

    def write8(self, offset: int, value: int) -> None:
        """One 1-byte write at ``offset``."""
        self._store(offset, 1, value)

    def write16(self, offset: int, value: int) -> None:
        """One 2-byte little-endian write at ``offset``."""
        self._store(offset, 2, value)

    def write32(self, offset: int, value: int) -> None:
        """One 4-byte little-endian write at ``offset``."""
        self._store(offset, 4, value)

    def write64(self, offset: int, value: int) -> None:
        """One 8-byte little-endian write at ``offset``."""
        self._store(offset, 8, value)

    def close(self) -> None:
        """Close the file; later accesses fail."""
        if self._fd >= 0:
            os.close(self._fd)
        self._fd = -1

    def __enter__(self) -> "FileRegion":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _open_window(name: str, writable: bool, offset: int, length: Optional[int]) -> tuple[int, int]:
    """(fd, window length) of a regular file; refusals are one line."""
    if offset < 0 or offset % mmap.ALLOCATIONGRANULARITY:
        raise BarUnavailableError(
            f"{name}: window offset {offset:#x} is not a multiple of the page size "
            f"{mmap.ALLOCATIONGRANULARITY:#x}"
        )
    try:
        fd = open_regular(name, write=writable)
    except UnsafeFileError as exc:
        if exc.errno is None:
            raise BarUnavailableError(str(exc)) from None
        raise _refusal(name, OSError(exc.errno, os.strerror(exc.errno))) from None
    file_size = os.fstat(fd).st_size
    window = file_size - offset if length is None else length
    if file_size == 0 or window <= 0 or offset + window > file_size:
        os.close(fd)
        if file_size == 0:
            raise BarUnavailableError(f"{name}: the file is empty")
        raise BarUnavailableError(
            f"{name}: window {offset:#x}+{max(window, 0):#x} does not fit the file's {file_size:#x} bytes"
        )
    return fd, window


def map_file(
    path: Union[str, os.PathLike],
    *,
    writable: bool = False,
    offset: int = 0,
    length: Optional[int] = None,
) -> BarRegion:
    """Open ``length`` bytes of ``path`` from the page-aligned ``offset`` (default: to the end).

    The region is read-only unless ``writable`` is true (writes go straight to the
    file); it is as long as the window, so accesses past it are refused. The file is
    read per access, never mapped: no SIGBUS when it shrinks.
    """
    name = os.fspath(path)
    fd, window = _open_window(name, writable, offset, length)
    return FileRegion(fd, offset, window, not writable, name)


def _on_sysfs(fd: int) -> bool:
    try:
        return os.fstat(fd).st_dev == os.stat("/sys").st_dev
    except OSError:
        return False


def _map_live(name: str, writable: bool) -> BarRegion:
    """A sysfs ``resourceN`` mapped (its only way in); a plain file is read like an image."""
    fd, window = _open_window(name, writable, 0, None)
    if not _on_sysfs(fd):
        return FileRegion(fd, 0, window, not writable, name)
    try:
        access = mmap.ACCESS_WRITE if writable else mmap.ACCESS_READ
        try:
            mapping = mmap.mmap(fd, window, access=access)
        except OSError as exc:
            raise _refusal(f"{name}: mmap", exc) from None
    finally:
        os.close(fd)
    return Region(mapping, owner=mapping)


def resource_path(address: Address, index: int, root: str = "/sys") -> str:
    """The sysfs file of BAR ``index`` of the function at ``address``."""
    return os.path.join(root, "bus", "pci", "devices", str(address), f"resource{index}")


def map_resource(address: Address, index: int, root: str = "/sys", *, writable: bool = False) -> BarRegion:
    """Map live BAR ``index`` of ``address`` (whole BAR; read-only unless ``writable``)."""
    if not 0 <= index < BAR_COUNT:
        raise BarUnavailableError(f"BAR {index} of {address}: BAR numbers are 0-5")
    path = resource_path(address, index, root)
    if not os.path.exists(path):
        raise BarUnavailableError(
            f"BAR {index} of {address}: {path} does not exist, so the kernel offers no way to map it "
            f"(BAR {index} is not a memory BAR, is unassigned, or this kernel exposes no BAR mappings in sysfs)"
        )
    if os.geteuid() != 0:
        raise BarUnavailableError(f"BAR {index} of {address}: mapping {path} needs root")
    try:
        return _map_live(path, writable)
    except BarUnavailableError as exc:
        raise BarUnavailableError(f"BAR {index} of {address}: {exc}") from None


def parse_bar_option(text: str) -> tuple[int, str]:
    """``N=FILE`` -> (N, FILE); ValueError with a one-line reason otherwise."""
    number, sep, path = text.partition("=")
    if not sep or not path:
        raise ValueError(f"--bar {text!r}: expected N=FILE")
    try:
        index = int(number, 0)
    except ValueError:
        raise ValueError(f"--bar {text!r}: BAR number {number!r} is not a number") from None
    if not 0 <= index < BAR_COUNT:
        raise ValueError(f"--bar {text!r}: BAR numbers are 0-5")
    return index, path
