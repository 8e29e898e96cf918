"""Map BARs into :class:`~pcikit.mmio.Region` objects: live ``resourceN`` files or captured images.

* :func:`map_resource` maps ``/sys/bus/pci/devices/<slot>/resourceN`` (root only;
  read-only unless ``writable=True``).
* :func:`map_file` maps any file as a BAR image (``pcikit msix --bar N=FILE``).
* :func:`parse_bar_option` reads the ``N=FILE`` syntax.

Every failure is a :class:`~pcikit.errors.BarUnavailableError` whose message is
one line saying exactly what stood in the way (no such file, not root, the
kernel refused with EPERM/EINVAL, ...). The caller closes the region.
"""
from __future__ import annotations

import errno
import mmap
import os
from typing import Optional, Union

from .address import Address
from .errors import BarUnavailableError
from .mmio import Region

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


def map_file(
    path: Union[str, os.PathLike],
    *,
    writable: bool = False,
    offset: int = 0,
    length: Optional[int] = None,
) -> Region:
    """Map ``length`` bytes of ``path`` from the page-aligned ``offset`` (default: to the end).

    The mapping is read-only (``PROT_READ``) unless ``writable`` is true; the region
    is as long as the window, so reads past the file's end are refused, not SIGBUS.
    """
    name = os.fspath(path)
    if offset < 0 or offset % mmap.ALLOCATIONGRANULARITY:
        raise BarUnavailableError(
            f"{name}: window offset {offset:#x} is not a multiple of the page size "
            f"{mmap.ALLOCATIONGRANULARITY:#x}"
        )
    try:
        fd = os.open(name, os.O_RDWR if writable else os.O_RDONLY)
    except OSError as exc:
        raise _refusal(name, exc) from None
    try:
        file_size = os.fstat(fd).st_size
        if file_size == 0:
            raise BarUnavailableError(f"{name}: the file is empty")
        window = file_size - offset if length is None else length
        if window <= 0 or offset + window > file_size:
            raise BarUnavailableError(
                f"{name}: window {offset:#x}+{max(window, 0):#x} does not fit the file's {file_size:#x} bytes"
            )
        access = mmap.ACCESS_WRITE if writable else mmap.ACCESS_READ
        try:
            mapping = mmap.mmap(fd, window, access=access, offset=offset)
        except OSError as exc:
            raise _refusal(f"{name}: mmap", exc) from None
    finally:
        os.close(fd)
    return Region(mapping, owner=mapping)


def resource_path(address: Address, index: int, root: str = "/sys") -> str:
    """The sysfs file of BAR ``index`` of the function at ``address``."""
    return os.path.join(root, "bus", "pci", "devices", str(address), f"resource{index}")


def map_resource(address: Address, index: int, root: str = "/sys", *, writable: bool = False) -> Region:
    """Map live BAR ``index`` of ``address`` (whole BAR; read-only unless ``writable``)."""
    if not 0 <= index < BAR_COUNT:
        raise BarUnavailableError(f"BAR {index} of {address}: BAR numbers are 0-5")
    path = resource_path(address, index, root)
    if not os.path.exists(path):
        raise BarUnavailableError(
            f"BAR {index} of {address}: {path} does not exist (no memory BAR {index}, or no such device)"
        )
    if os.geteuid() != 0:
        raise BarUnavailableError(f"BAR {index} of {address}: mapping {path} needs root")
    try:
        return map_file(path, writable=writable)
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
