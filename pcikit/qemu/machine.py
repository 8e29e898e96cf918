"""A paused QEMU q35 machine as a device source: its functions, after a firmware's bring-up."""
from __future__ import annotations

from typing import Optional, Sequence, Union

from ..access.base import Resource
from ..address import Address
from ..errors import NoSuchDeviceError
from ..model import Device
from .access import QemuBar, QemuConfig, config_size
from .ecam import open_ecam
from .firmware import Function, bring_up
from .qtest import DEFAULT_TIMEOUT, QemuError, QtestProcess, split_arguments

# Linux IORESOURCE flags, so BAR sizes read like sysfs ``resource`` lines
_IO, _MEM, _PREFETCH, _MEM64, _READONLY = 0x100, 0x200, 0x2000, 0x100000, 0x4000


class QemuMachine:
    """``qemu-system-x86_64 -machine q35 -S ... ARGS`` with every function brought up.

    ``args`` are the user's QEMU arguments (a string is split as a shell would):
    typically ``-device`` options. The machine is ready when the constructor
    returns; use it as a context manager (or call :meth:`close`) so QEMU always
    stops. ``devices`` lists every function in lspci order as a
    :class:`~pcikit.model.Device` whose config space is the live emulated one.
    """

    def __init__(self, args: Union[str, Sequence[str]] = (), timeout: float = DEFAULT_TIMEOUT) -> None:
        argv = split_arguments(args) if isinstance(args, str) else list(args)
        self.qtest = QtestProcess(argv, timeout)
        try:
            self.ecam = open_ecam(self.qtest)
            functions = bring_up(self.ecam)
            self._functions = {Address(0, *f.bdf): f for f in sorted(functions, key=lambda f: f.bdf)}
            self._sizes = {address: config_size(self.ecam, f.bdf) for address, f in self._functions.items()}
            self._devices = {address: self._device(address) for address in self._functions}
        except BaseException:
            self.qtest.close()
            raise

    # -- the source --------------------------------------------------------------------------
    @property
    def devices(self) -> list[Device]:
        """Every function, sorted by address (as lspci lists them)."""
        return list(self._devices.values())

    def device(self, slot: Union[str, Address]) -> Device:
        """One function by address (``00:03.0`` or ``0000:00:03.0``)."""
        return self._devices[self._address(slot)]

    def reload(self, slot: Union[str, Address]) -> Device:
        """A fresh model of one function (the Device model caches what it decoded)."""
        address = self._address(slot)
        self._devices[address] = self._device(address)
        return self._devices[address]

    def bar(self, slot: Union[str, Address], index: int) -> QemuBar:
        """BAR ``index`` of a function as a region (memory BARs only; decode is on after bring-up)."""
        address = self._address(slot)
        bar = next((b for b in self._functions[address].bars if b.index == index), None)
        if bar is None or bar.index == 6:
            raise NoSuchDeviceError(f"{address}: no BAR {index}")
        if bar.space != "memory":
            raise QemuError(f"{address}: BAR {index} is an I/O BAR (only memory BARs are regions)")
        return QemuBar(self.qtest, bar.address, bar.size)

    def resources(self, slot: Union[str, Address]) -> list[Resource]:
        """BAR 0-5 and the ROM as sysfs ``resource`` lines would give them (start, end, flags)."""
        function = self._functions[self._address(slot)]
        lines = [Resource(0, 0, 0)] * 7
        for bar in function.bars:
            flags = _IO if bar.space == "io" else _MEM | (_PREFETCH if bar.prefetchable else 0)
            flags |= _MEM64 if bar.bits == 64 else 0
            flags |= _READONLY if bar.index == 6 else 0
            lines[bar.index] = Resource(bar.address, bar.address + bar.size - 1, flags)
        return lines

    def _address(self, slot: Union[str, Address]) -> Address:
        try:
            address = slot if isinstance(slot, Address) else Address.parse(slot)
        except ValueError as exc:
            raise NoSuchDeviceError(str(exc)) from None
        if address not in self._functions:
            raise NoSuchDeviceError(f"the QEMU machine has no function {address}")
        return address

    def _device(self, address: Address) -> Device:
        bdf = self._functions[address].bdf
        return Device(address, QemuConfig(self.ecam, bdf, self._sizes[address]))

    @property
    def functions(self) -> list[Function]:
        """What the bring-up found and assigned (BARs, windows), in address order."""
        return list(self._functions.values())

    # -- lifetime ---------------------------------------------------------------------------
    def close(self) -> None:
        """Stop QEMU (SIGTERM, then SIGKILL)."""
        self.qtest.close()

    def __enter__(self) -> "QemuMachine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def machine(args: Union[str, Sequence[str]] = (), timeout: float = DEFAULT_TIMEOUT) -> QemuMachine:
    """Start a machine: ``with pcikit.qemu.machine("-device nvme,serial=a") as vm: vm.devices``."""
    return QemuMachine(args, timeout)


def find(vm: QemuMachine, vendor_id: int, device_id: Optional[int] = None) -> Device:
    """The first function with these IDs (NoSuchDeviceError when there is none)."""
    for dev in vm.devices:
        if dev.vendor_id == vendor_id and device_id in (None, dev.device_id):
            return dev
    wanted = f"{vendor_id:04x}:{'' if device_id is None else f'{device_id:04x}'}"
    raise NoSuchDeviceError(f"the QEMU machine has no device {wanted}")

