"""The one way pcikit opens files: non-blocking, regular files only, every read bounded.

Every file pcikit reads (dumps, raw images, specs, pci.ids, BAR images, sysfs
attributes) goes through :func:`open_regular`: the file is opened with
``O_NONBLOCK`` (a FIFO opens at once instead of waiting for a writer), then
``fstat`` must say it is a regular file (sysfs attributes are) before a byte is
read. Reads stop at a limit the caller states: a dump at its format's largest
sensible size, a sysfs attribute at the size the kernel gives it. Output paths
are checked by :func:`check_output_path` (never under /sys, /proc or /dev).
Every refusal is a :class:`~pcikit.errors.PcikitError` of one line.
"""
from __future__ import annotations

import os
import stat

from ..errors import PcikitError

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Iterator, Optional, Union

    PathLike = Union[str, "os.PathLike[str]"]

_CHUNK = 1 << 20
_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
_O_PATH = getattr(os, "O_PATH", 0)  # Linux: a handle on a path, which opens nothing
PROTECTED_TREES = ("/sys", "/proc", "/dev")


class UnsafeFileError(PcikitError):
    """A path that is not a regular file, is too large, may not be written, or failed to open.

    ``errno`` is the operating system's error number when an OS call failed, else None.
    """

    def __init__(self, message: str, error: Optional[int] = None) -> None:
        super().__init__(message)
        self.errno = error


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISDIR, "a directory")):
        if test(mode):
            return name
    return "not a regular file"


def reason(exc: OSError) -> str:
    """The short reason of an OS error (``permission denied``, ``no such file``...)."""
    import errno  # errors only

    if exc.errno == errno.ELOOP:
        return "is a symbolic link (refused)"
    return (exc.strerror or str(exc)).lower()


def open_regular(path: PathLike, *, follow_symlinks: bool = True, write: bool = False) -> int:
    """A file descriptor for ``path``, which must be a regular file; never blocks.

    ``follow_symlinks=False`` refuses a symbolic link (sysfs attributes never are one).
    """
    name = os.fspath(path)
    flags = (_FLAGS & ~os.O_RDONLY | os.O_RDWR) if write else _FLAGS
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(name, flags)
    except OSError as exc:
        raise UnsafeFileError(f"{name}: {reason(exc)}", exc.errno) from None
    try:
        mode = os.fstat(fd).st_mode
    except OSError as exc:
        os.close(fd)
        raise UnsafeFileError(f"{name}: {reason(exc)}") from None
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise UnsafeFileError(f"{name}: {_kind(mode)}, not a regular file (refused)")
    return fd


def read_fd(fd: int, limit: int, name: str) -> bytes:
    """Up to ``limit`` bytes from the start of ``fd``; more than that is an error.

    The first read asks for the whole file as fstat sizes it (one buffer, no joining), later
    ones (a file that grew, or sizes the kernel does not know) for a chunk each.
    """
    try:
        first = os.fstat(fd).st_size + 1  # +1: the read that finds the end
    except OSError:
        first = 1
    parts, total = [], 0
    while total <= limit:
        want = first if not parts and first > 1 else _CHUNK
        try:
            chunk = os.pread(fd, min(want, limit + 1 - total), total)
        except OSError as exc:
            raise UnsafeFileError(f"{name}: {reason(exc)}") from None
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    if total > limit:
        raise UnsafeFileError(f"{name}: larger than {_size(limit)} (refused)")
    return b"".join(parts)


def read_bounded(path: PathLike, limit: int, *, follow_symlinks: bool = True) -> bytes:
    """The whole of a regular file of at most ``limit`` bytes."""
    fd = open_regular(path, follow_symlinks=follow_symlinks)
    try:
        return read_fd(fd, limit, os.fspath(path))
    finally:
        os.close(fd)


def map_bounded(path: PathLike, limit: int):
    """A regular file of at most ``limit`` bytes mapped read-only (an ``mmap``; ``b""`` when empty).

    Nothing is read until it is used: a look-up touches a few pages, not the whole file. Files
    are replaced by renaming a new one over them (as update-pciids does), so a mapped inode does
    not shrink under the reader.
    """
    import mmap

    name = os.fspath(path)
    fd = open_regular(name)
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            raise UnsafeFileError(f"{name}: larger than {_size(limit)} (refused)")
        return mmap.mmap(fd, size, access=mmap.ACCESS_READ) if size else b""
    except OSError as exc:
        raise UnsafeFileError(f"{name}: {reason(exc)}") from None
    finally:
        os.close(fd)


def iter_bounded(path: PathLike, limit: int, chunk: int = _CHUNK) -> Iterator[bytes]:
    """A regular file in chunks (streamed); raises once more than ``limit`` bytes came."""
    name = os.fspath(path)
    fd = open_regular(name)
    try:
        total = 0
        while True:
            try:
                data = os.pread(fd, chunk, total)
            except OSError as exc:
                raise UnsafeFileError(f"{name}: {reason(exc)}") from None
            if not data:
                return
            total += len(data)
            if total > limit:
                raise UnsafeFileError(f"{name}: larger than {_size(limit)} (refused)")
            yield data
    finally:
        os.close(fd)


def read_attribute(path: PathLike, limit: int = 4096, offset: int = 0) -> Optional[bytes]:
    """A sysfs attribute (at most ``limit`` bytes from ``offset``), or None when unreadable.

    Symbolic links and anything but a regular file are refused (None): a FIFO
    planted under a fake ``--sysfs-root`` is never read.
    """
    try:
        fd = open_regular(path, follow_symlinks=False)
    except UnsafeFileError:
        return None
    try:
        return os.pread(fd, limit, offset)
    except OSError:
        return None
    finally:
        os.close(fd)


def real_path(path: PathLike) -> str:
    """``os.path.realpath(path)``; for a path that exists, as the kernel resolved it on opening
    (``O_PATH``, which reads nothing and never blocks, then /proc/self/fd): three system calls, not an lstat
    and a readlink per component (listing sysfs resolves every device link)."""
    name = os.fspath(path)
    if not _O_PATH:
        return os.path.realpath(name)
    try:
        fd = os.open(name, _O_PATH | os.O_CLOEXEC)
    except OSError:
        return os.path.realpath(name)
    try:
        resolved = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:  # no /proc
        resolved = ""
    finally:
        os.close(fd)
    return resolved if resolved.startswith("/") else os.path.realpath(name)  # "(unreachable)/...": outside our root


def within(root: PathLike, path: PathLike) -> bool:
    """True when ``path`` (symbolic links resolved) lies inside ``root`` (resolved)."""
    return inside(real_path(root), real_path(path))


def inside(base: str, target: str) -> bool:
    """True when the resolved path ``target`` is the resolved path ``base`` or lies under it."""
    return target == base or target.startswith(base.rstrip(os.sep) + os.sep)


def check_output_path(path: PathLike) -> str:
    """``path`` if pcikit may write there; refuses /sys, /proc and /dev (symbolic links resolved)."""
    name = os.fspath(path)
    target = os.path.realpath(name)
    for tree in PROTECTED_TREES:
        if target == tree or target.startswith(tree + os.sep):
            raise UnsafeFileError(f"{name}: pcikit never writes under {tree} (refused)")
    return name


def write_file(path: PathLike, data: bytes) -> None:
    """Write ``data`` to a (new or regular) file outside /sys, /proc and /dev; one-line errors."""
    name = check_output_path(path)
    if os.path.lexists(name) and not os.path.isfile(name):
        mode = os.stat(name).st_mode if os.path.exists(name) else 0
        raise UnsafeFileError(f"{name}: {_kind(mode)}, not a regular file (refused)")
    try:
        with open(name, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise UnsafeFileError(f"{name}: {reason(exc)}") from None


def make_folder(path: PathLike) -> str:
    """Create the output folder ``path`` (and parents); one-line errors."""
    name = check_output_path(path)
    try:
        os.makedirs(name, exist_ok=True)
    except FileExistsError:
        raise UnsafeFileError(f"{name}: exists and is not a folder") from None
    except OSError as exc:
        raise UnsafeFileError(f"{name}: {reason(exc)}") from None
    return name


def _size(limit: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if limit >= 1 << shift and limit % (1 << shift) == 0:
            return f"{limit >> shift} {unit}"
    return f"{limit} bytes"
