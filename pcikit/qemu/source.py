"""A QEMU machine behind the :class:`~pcikit.sources.Source` interface (``--qemu "ARGS"``)."""
from __future__ import annotations

import atexit
from typing import Optional, Sequence, Union

from ..access.base import KernelInfo
from ..address import Address
from ..errors import BarUnavailableError, NoSuchDeviceError
from ..mmio import BarRegion
from ..model import Device
from ..sources import Source
from .machine import QemuMachine
from .qtest import QemuError


class QemuSource(Source):
    """The functions of a paused QEMU q35 machine started with ``args``.

    ``live``: config space and BARs are read from the running emulator (and
    writable: it is an emulator). The machine starts in the constructor and stops
    with :meth:`close`, at interpreter exit, or when this process dies.
    """

    live = True

    def __init__(self, args: Union[str, Sequence[str]]) -> None:
        self.machine = QemuMachine(args)
        self.args = args if isinstance(args, str) else " ".join(args)
        self.label = "qemu"
        atexit.register(self.machine.close)

    def load(self) -> list[Device]:
        """Every function, lspci order."""
        return self.machine.devices

    def reload(self, address: Address) -> Optional[Device]:
        """A fresh model of one function; None when the machine has no such function."""
        try:
            return self.machine.reload(address)
        except NoSuchDeviceError:
            return None

    def bar_region(self, dev: Device, index: int) -> BarRegion:
        """The assigned memory BAR over qtest (not closed: QEMU owns it)."""
        try:
            return self.machine.bar(dev.address, index)
        except (NoSuchDeviceError, QemuError) as exc:
            raise BarUnavailableError(str(exc)) from None

    def with_bar_sizes(self, dev: Device) -> Device:
        """``dev`` with the BAR sizes the bring-up found, as a kernel would report them."""
        return Device(dev.address, dev.config, KernelInfo(resources=self.machine.resources(dev.address)), dev.title)

    def close(self) -> None:
        """Stop QEMU."""
        self.machine.close()
        atexit.unregister(self.machine.close)
