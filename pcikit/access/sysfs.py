"""Live devices from Linux sysfs (``/sys/bus/pci/devices``).

Config space is read with ``os.pread`` (never through pyudev attributes, which
stop at the first NUL). Without CAP_SYS_ADMIN the kernel returns only 64 bytes;
``size`` then says so and decoders show what can be shown.
"""
from __future__ import annotations

import os

from ..address import Address
from ..errors import DeviceGoneError, NoSuchDeviceError, PcikitError, PermissionNeededError
from .base import CONFIG_SIZE_EXTENDED, ConfigSpace, KernelInfo, Resource
from .files import UnsafeFileError, inside, open_regular, read_attribute, real_path, reason, within

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Iterable, Iterator, Optional

DEFAULT_ROOT = "/sys"
# Every config read the kernel makes is a hardware access (a VM exit under a hypervisor: ~20 us per
# dword here), so a file is fetched in stages: the 12 bytes naming the function (IDs, revision and
# class: all a listing prints), the 64-byte header, then everything.
_FETCH_STAGES = (12, 64)


def devices_dir(root: str = DEFAULT_ROOT) -> str:
    """The folder holding one link per PCI function."""
    return os.path.join(root, "bus", "pci", "devices")


def list_addresses(root: str = DEFAULT_ROOT) -> list[Address]:
    """Every function under ``root``, sorted as lspci sorts them."""
    try:
        names = os.listdir(devices_dir(root))
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise PcikitError(f"{devices_dir(root)}: {reason(exc)}") from None
    addresses = []
    for name in names:
        try:
            addresses.append(Address.parse(name))
        except ValueError:
            continue
    return sorted(addresses)


def device_path(address: Address, root: str = DEFAULT_ROOT) -> str:
    """The sysfs folder of one function (the address is validated, never raw text)."""
    return os.path.join(devices_dir(root), str(address))


class SysfsConfig(ConfigSpace):
    """Config space of a live function, fetched on demand: 12 bytes first, more when asked.

    ``size`` is what the kernel lets this user read (64 bytes without CAP_SYS_ADMIN);
    asking for it fetches the rest once.
    """

    def __init__(self, path: str) -> None:
        self._path = os.path.join(path, "config")
        self._data = b""
        self._complete = False
        self._fetch(_FETCH_STAGES[0])

    @property
    def size(self) -> int:  # type: ignore[override]
        """Readable length (fetches the whole file on first use)."""
        self._fetch(CONFIG_SIZE_EXTENDED)
        return len(self._data)

    def _fetch(self, want: int) -> None:
        if self._complete or want <= len(self._data):
            return
        try:
            fd = open_regular(self._path, follow_symlinks=False)
        except UnsafeFileError as exc:
            import errno  # failures only: a listing that reads every file never needs it

            if exc.errno == errno.ENOENT:
                raise DeviceGoneError(f"{os.path.dirname(self._path)}: device is gone") from None
            if exc.errno in (errno.EACCES, errno.EPERM):
                raise PermissionNeededError(f"{self._path}: permission denied") from None
            raise
        held = len(self._data)
        try:  # only the bytes not held yet (as lspci's config_fetch): each one is a hardware read
            data = self._data + os.pread(fd, min(want, CONFIG_SIZE_EXTENDED) - held, held)
        except OSError as exc:
            import errno

            if exc.errno in (errno.ENODEV, errno.ENOENT, errno.ENXIO):
                raise DeviceGoneError(f"{os.path.dirname(self._path)}: device is gone") from None
            raise PcikitError(f"{self._path}: {reason(exc)}") from None
        finally:
            os.close(fd)
        self._complete = len(data) < want or len(data) >= CONFIG_SIZE_EXTENDED
        self._data = data

    def _fetch_to(self, end: int) -> None:
        """Fetch the smallest stage (or the whole file) that covers bytes up to ``end``."""
        if end > len(self._data):
            self._fetch(next((stage for stage in _FETCH_STAGES if end <= stage), CONFIG_SIZE_EXTENDED))

    def readable(self, offset: int, length: int = 1) -> bool:
        """True when readable; fetches more of the file only when a read goes past what is held."""
        end = offset + length
        self._fetch_to(end)
        return 0 <= offset and end <= len(self._data)

    def read_block(self, offset: int, length: int) -> bytes:
        """Bytes of the file (fetching more when needed)."""
        self._fetch_to(offset + length)
        return self._data[offset : offset + length]

    def image(self) -> bytes:
        """Fetch everything readable, then pad with 0xff to 4096."""
        self._fetch(CONFIG_SIZE_EXTENDED)
        return self._data + b"\xff" * (CONFIG_SIZE_EXTENDED - len(self._data))


_ATTRIBUTE_SIZE = 4096  # sysfs text attributes are at most one page


def _read_text(path: str) -> Optional[str]:
    data = read_attribute(path, _ATTRIBUTE_SIZE)
    return None if data is None else data.decode("ascii", "replace").strip()


def _read_int(path: str, base: int = 10) -> Optional[int]:
    text = _read_text(path)
    try:
        return int(text, base) if text is not None else None
    except ValueError:
        return None


def _resources(path: str) -> list[Resource]:
    text = _read_text(os.path.join(path, "resource"))
    resources = []
    for line in (text or "").splitlines():
        parts = line.split()
        try:
            values = [int(p, 16) for p in parts[:3]]
        except ValueError:
            break  # not the kernel's format: the rest cannot be trusted to line up with BAR numbers
        if len(values) == 3:
            resources.append(Resource(*values))
    return resources


def _link_name(path: str) -> Optional[str]:
    try:
        return os.path.basename(os.readlink(path))
    except OSError:
        return None


def _msi_irqs(path: str) -> list[int]:
    folder = os.path.join(path, "msi_irqs")
    if os.path.islink(folder):  # the kernel's is a real folder: a link could lead out of --sysfs-root
        return []
    try:
        return sorted(int(n) for n in os.listdir(folder) if n.isdigit())
    except OSError:
        return []


def _msi_mode(path: str, irqs: list[int]) -> Optional[str]:
    """``msi`` or ``msix``: the kernel's word for how the function's msi_irqs are delivered."""
    if not irqs:
        return None
    text = _read_text(os.path.join(path, "msi_irqs", str(irqs[0])))
    return text if text in ("msi", "msix") else None


def physical_slots(root: str = DEFAULT_ROOT) -> dict[tuple[int, int, int], str]:
    """(domain, bus, device) -> hot-plug slot name, from ``bus/pci/slots/*/address``.

    The first slot (in directory order) naming a device wins, as in pciutils; slots without a
    parsable ``DDDD:BB:DD`` address (empty slots) are skipped.
    """
    folder = os.path.join(root, "bus", "pci", "slots")
    try:
        names = os.listdir(folder)
    except OSError:
        return {}
    slots: dict[tuple[int, int, int], str] = {}
    for name in names:
        if os.path.islink(os.path.join(folder, name)):  # slot folders are real folders, never links out
            continue
        parts = (_read_text(os.path.join(folder, name, "address")) or "").split(":") if name[0] != "." else []
        try:
            key = tuple(int(part, 16) for part in parts)
        except ValueError:
            continue
        if len(key) == 3:
            slots.setdefault(key, name)  # type: ignore[arg-type]
    return slots


def _parent(path: str) -> Optional[str]:
    """The PCI function whose sysfs folder holds this one (as pciutils finds it), or None.

    The folder's parent must be named like an address and be that device's own folder.
    """
    above = os.path.realpath(os.path.join(path, ".."))
    try:
        address = Address.parse(os.path.basename(above))
    except ValueError:
        return None
    linked = os.path.realpath(os.path.join(os.path.dirname(path), str(address)))
    return str(address) if linked == above else None


def _dt_node(path: str) -> Optional[str]:
    """The resolved ``of_node`` link (device-tree platforms), as pciutils resolves it, or None."""
    try:
        target = os.readlink(os.path.join(path, "of_node"))
    except OSError:
        return None
    resolved = os.path.realpath(path + "/" + target)  # pciutils appends the link to the folder
    return resolved if os.path.exists(resolved) else None


def kernel_info(path: str, physical_slot: Optional[str] = None) -> KernelInfo:
    """Driver, IRQ, resources and placement as the kernel reports them (the slot: :func:`physical_slots`).

    The attribute files are read on the first access to any fact, so a listing that names
    devices only (``pcikit list``) reads config space and nothing else.
    """
    return _SysfsKernelInfo(path, physical_slot)


def _read_kernel_info(path: str, physical_slot: Optional[str]) -> dict:
    numa = _read_int(os.path.join(path, "numa_node"))
    vpd = os.path.join(path, "vpd")
    irqs = _msi_irqs(path)
    return dict(
        driver=_link_name(os.path.join(path, "driver")),
        irq=_read_int(os.path.join(path, "irq")),
        resources=_resources(path),
        numa_node=numa if numa is not None and numa >= 0 else None,
        iommu_group=_link_name(os.path.join(path, "iommu_group")),
        physical_slot=physical_slot,
        msi_irqs=irqs,
        msi_mode=_msi_mode(path, irqs),
        vpd_path=vpd if os.path.exists(vpd) else None,
        parent=_parent(path),
        dt_node=_dt_node(path),
        modalias=_read_text(os.path.join(path, "modalias")),
        rcd_link=_rcd_link(path),
    )


class _SysfsKernelInfo(KernelInfo):
    """A :class:`KernelInfo` whose facts are read from the device folder on first access."""

    def __init__(self, path: str, physical_slot: Optional[str]) -> None:  # noqa: D107 - nothing read yet
        self._source = (path, physical_slot)

    def __getattr__(self, name: str):
        source = self.__dict__.get("_source")
        if name not in KernelInfo.FIELDS or source is None:
            raise AttributeError(name)
        KernelInfo.__init__(self, **_read_kernel_info(*source))
        del self._source
        return getattr(self, name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KernelInfo) and self.as_dict() == other.as_dict()


def _rcd_link(path: str) -> Optional[tuple[int, int, int]]:
    """(Link Capabilities, Link Control, Link Status) of a Restricted CXL Device, when the kernel has them."""
    values = [_read_int(os.path.join(path, name), 16) for name in ("rcd_link_cap", "rcd_link_ctrl", "rcd_link_status")]
    if not values[0]:
        return None
    return (values[0], values[1] or 0, values[2] or 0)


def confined(path: str, root: str) -> bool:
    """True when a device folder, its links resolved, stays inside ``root`` (what --sysfs-root promises)."""
    return within(root, path)


def open_function(address: Address, root: str = DEFAULT_ROOT) -> tuple[SysfsConfig, str]:
    """Config space and sysfs folder of one function; NoSuchDeviceError when absent."""
    path = device_path(address, root)
    if not os.path.isdir(path):
        raise NoSuchDeviceError(f"no PCI device {address}")
    if not confined(path, root):
        raise NoSuchDeviceError(f"{path}: links outside {root} (refused)")
    return SysfsConfig(path), path


def iter_functions(root: str = DEFAULT_ROOT, addresses: Optional[Iterable[Address]] = None
                   ) -> Iterator[tuple[Address, str]]:
    """(address, sysfs folder) of every function inside ``root`` (of those at ``addresses``, from
    :func:`list_addresses`), lspci order.

    A device link that leads out of ``root`` is skipped: a fake tree is read, never
    the files it points at elsewhere.
    """
    base = real_path(root)  # once, not once per device
    for address in list_addresses(root) if addresses is None else addresses:
        path = device_path(address, root)
        if inside(base, real_path(path)):
            yield address, path
