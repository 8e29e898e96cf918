"""The access interface every config space source implements."""
from __future__ import annotations

import os

from ..errors import ConfigReadError, ReadOnlyError

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import NamedTuple, Optional
else:
    from ..tuples import NamedTuple

CONFIG_SIZE_LEGACY = 256
CONFIG_SIZE_EXTENDED = 4096
VPD_SIZE = 0x8000  # the VPD Address register has 15 bits


class ConfigSpace:
    """Little-endian config space of one function.

    ``size`` is how many bytes the source can really return (64 for a non-root
    sysfs reader, 256 or 4096 for a full dump). ``read`` beyond it raises
    :class:`ConfigReadError`; :meth:`image` gives all 4096 bytes with the
    unreadable ones as 0xff, which is what decoders parse.
    """

    size: int = 0

    def read_block(self, offset: int, length: int) -> bytes:
        """Return ``length`` bytes at ``offset``; subclasses implement this."""
        raise NotImplementedError

    def readable(self, offset: int, length: int = 1) -> bool:
        """True when ``length`` bytes at ``offset`` can be read."""
        return 0 <= offset and offset + length <= self.size

    def read(self, offset: int, width: int) -> int:
        """Read a 1, 2, 4 or 8 byte little-endian value."""
        if width not in (1, 2, 4, 8):
            raise ValueError(f"width must be 1, 2, 4 or 8, not {width}")
        if not self.readable(offset, width):
            raise ConfigReadError(offset, width, self.size)
        return int.from_bytes(self.read_block(offset, width), "little")

    def write(self, offset: int, width: int, value: int) -> None:
        """Write a value; read-only sources refuse."""
        raise ReadOnlyError(f"{type(self).__name__} is read-only")

    def read8(self, offset: int) -> int:
        """Read one byte."""
        return self.read(offset, 1)

    def read16(self, offset: int) -> int:
        """Read a little-endian word."""
        return self.read(offset, 2)

    def read32(self, offset: int) -> int:
        """Read a little-endian dword."""
        return self.read(offset, 4)

    def write8(self, offset: int, value: int) -> None:
        """Write one byte."""
        self.write(offset, 1, value)

    def write16(self, offset: int, value: int) -> None:
        """Write a word."""
        self.write(offset, 2, value)

    def write32(self, offset: int, value: int) -> None:
        """Write a dword."""
        self.write(offset, 4, value)

    def image(self) -> bytes:
        """All 4096 bytes; bytes beyond ``size`` read as 0xff."""
        data = self.read_block(0, self.size) if self.size else b""
        return data + b"\xff" * (CONFIG_SIZE_EXTENDED - len(data))


class Resource(NamedTuple):
    """One line of sysfs ``resource``: start, inclusive end, kernel IORESOURCE flags."""

    start: int
    end: int
    flags: int

    @property
    def size(self) -> int:
        """Length in bytes; 0 when unassigned."""
        return self.end - self.start + 1 if self.end else 0


class KernelInfo:
    """What the operating system knows beyond config space (live sources only)."""

    FIELDS = ("driver", "irq", "resources", "numa_node", "iommu_group", "physical_slot",
              "msi_irqs", "msi_mode", "modules", "vpd_path", "parent", "dt_node", "rcd_link",
              "modalias")

    def __init__(
        self,
        driver: Optional[str] = None,
        irq: Optional[int] = None,
        resources: Optional[list[Resource]] = None,
        numa_node: Optional[int] = None,
        iommu_group: Optional[str] = None,
        physical_slot: Optional[str] = None,
        msi_irqs: Optional[list[int]] = None,
        modules: Optional[list[str]] = None,
        vpd_path: Optional[str] = None,
        msi_mode: Optional[str] = None,
        parent: Optional[str] = None,
        dt_node: Optional[str] = None,
        rcd_link: Optional[tuple[int, int, int]] = None,
        modalias: Optional[str] = None,
    ) -> None:
        self.driver = driver
        self.irq = irq
        self.resources: list[Resource] = list(resources or [])
        self.numa_node = numa_node
        self.iommu_group = iommu_group
        self.physical_slot = physical_slot
        self.msi_irqs: list[int] = list(msi_irqs or [])
        self.msi_mode = msi_mode  # "msi" or "msix": what the kernel says the msi_irqs are
        self._modules: Optional[list[str]] = list(modules) if modules is not None else None
        self.vpd_path = vpd_path
        self.parent = parent  # "DDDD:BB:DD.F" of the PCI function the kernel puts this one under
        self.dt_node = dt_node  # the device tree node (``of_node``) the kernel links, resolved
        # A CXL 1.1 Restricted CXL Device's link registers (Link Capabilities, Control, Status) that
        # live in its RCRB, not in config space: sysfs rcd_link_cap/_ctrl/_status.
        self.rcd_link = rcd_link
        self.modalias = modalias  # "pci:v...d...sv...sd...bc..sc..i..", what the kernel matches drivers by

    @property
    def modules(self) -> list[str]:
        """Kernel modules that can drive the device (given, else looked up from ``modalias``)."""
        if self._modules is None:
            from .kmod import modules_for

            self._modules = modules_for(self.modalias) if self.modalias else []
        return self._modules

    def as_dict(self) -> dict:
        """The facts as keyword arguments (to copy or rebuild a KernelInfo)."""
        return {name: getattr(self, name) for name in self.FIELDS}

    def __repr__(self) -> str:
        return f"KernelInfo({', '.join(f'{k}={v!r}' for k, v in self.as_dict().items())})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.as_dict() == other.as_dict()  # type: ignore[attr-defined]

    def read_vpd(self) -> Optional[bytes]:
        """The VPD contents the kernel gives (at most 32 KiB), or None when unreadable."""
        if self.vpd_path is None:
            return None
        from .files import UnsafeFileError, open_regular

        try:
            fd = open_regular(self.vpd_path, follow_symlinks=False)
        except UnsafeFileError:
            return None
        data = b""
        try:
            while len(data) < VPD_SIZE:
                chunk = os.pread(fd, VPD_SIZE - len(data), len(data))
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass  # what was read before the error is still good
        finally:
            os.close(fd)
        return data
