"""SR-IOV on the physical function (PCIe Base 6.0 chapter 9): VF BAR sizing, NumVFs, VF Enable.

The register attributes (NumVFs and System Page Size RW, VF Migration Status RW1C, ...) come
from the schema (``pcikit.schema.ecaps.sriov``). What this model adds is behaviour:

* VF BARs size like BARs (``vf_bar_sizes``: bytes per VF, by VF BAR index), paired the way
  the header's BARs are.
* Setting VF Enable makes NumVFs (at most TotalVFs) virtual functions appear, VF *n* at
  routing ID PF + First VF Offset + *n* x VF Stride, each with its own config space: the PF's
  header and standard capabilities with the VF header attributes (``header.VF_COMMON``: Vendor
  and Device ID FFFFh, I/O and Memory Space Enable and Interrupt Disable hardwired 0, Parity
  Error Response and SERR# Enable RsvdP, no INTx pin), BAR registers reading 0 and no extended capabilities. Clearing VF Enable removes them.
* VF memory: each VF's ``bar(n)`` is its own share (one VF BAR size) of the PF's VF BAR *n*; it
  decodes while VF Enable and VF MSE are set (9.3.3.3.4) — with either clear an access is a
  master abort, as a PF BAR's is with Memory Space off. An MSI-X table in a VF BAR is the VF's.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Optional

from ..address import Address
from ..model import Capability
from ..schema.bits import Placed
from ..schema import header as header_schema
from ..schema.ecaps import sriov as sriov_schema
from ..walk import EXTENDED_START
from .bars import BarPlan, plan_bar_array
from .registers import BODY, BODY_OFFSET, COMMAND, bit, locate

if TYPE_CHECKING:
    from .device import MockDevice

VF_ENABLE = bit(sriov_schema.SRIOV_CONTROL, "vf_enable")
VF_MSE = bit(sriov_schema.SRIOV_CONTROL, "vf_mse")
_BARS = slice(BODY_OFFSET, BODY_OFFSET + header_schema.TYPE0.bars.sizeof())  # RO zero in a VF
_VF_COMMAND_ZERO = sum(bit(header_schema.VF_COMMAND, name) for name in header_schema.VF_COMMAND_HARDWIRED_ZERO)
_INTERRUPT_PIN = BODY[0]["interrupt_pin"]


def plan_vf_bars(image: bytes, cap: Optional[Capability], sizes: Mapping[int, int]) -> tuple[list[BarPlan], list[str]]:
    """The VF BARs of the SR-IOV capability ``cap`` (none without one)."""
    where = locate(cap)
    if "vf_bar" not in where:
        if sizes:
            raise ValueError("vf_bar_sizes given, but the function has no SR-IOV capability")
        return [], []
    return plan_bar_array(image, where["vf_bar"], sriov_schema.VF_BAR_COUNT, sizes, "VF BAR", memory_only=True)


def vf_bar_registers(plans: list[BarPlan]) -> list[Placed]:
    """Masks of the VF BAR registers (sizing)."""
    return [reg for plan in plans for reg in plan.registers()]


class SriovModel:
    """VF Enable and the virtual functions of a physical function's SR-IOV capability."""

    def __init__(self, pf: "MockDevice", cap: Capability, vf_bars: list[BarPlan]) -> None:
        self._pf = pf
        self._where = locate(cap)
        self._fields = cap.fields
        self.vf_bars = vf_bars  # bytes per VF; VF Resizable BAR changes them
        self.virtual_functions: list["MockDevice"] = []
        pf.config.watch(self._where["sriov_control"], 2, self._control_written)
        pf.on_reset(self._after_reset)

    def _after_reset(self) -> None:
        """A PF reset clears VF Enable (its reset value): the VFs are gone."""
        if not self._reg("sriov_control") & VF_ENABLE:
            self.virtual_functions = []

    def _reg(self, name: str, width: int = 2) -> int:
        return self._pf.config.peek(self._where[name], width)

    def _control_written(self, old: int, new: int) -> None:
        if new & VF_ENABLE and not old & VF_ENABLE:
            self._enable()
        elif old & VF_ENABLE and not new & VF_ENABLE:
            self.virtual_functions = []
        elif (old ^ new) & VF_MSE:
            for vf in self.virtual_functions:
                vf.refresh_decode()

    def _memory_decodes(self) -> bool:
        return self._reg("sriov_control") & (VF_ENABLE | VF_MSE) == VF_ENABLE | VF_MSE

    def _address(self, index: int) -> Address:
        pf = self._pf.address
        rid = (pf.bus << 8 | pf.device << 3 | pf.function) + self._reg("first_vf_offset") + index * self._reg("vf_stride")
        return Address(pf.domain, (rid >> 8) & 0xFF, (rid >> 3) & 0x1F, rid & 7)

    def _image(self) -> bytes:
        size = self._pf.config.size
        image = bytearray(self._pf.config.peek(0, size).to_bytes(size, "little"))
        image[0:4] = (header_schema.VF_ID | header_schema.VF_ID << 16).to_bytes(4, "little")  # Vendor ID, Device ID
        command = int.from_bytes(image[COMMAND:COMMAND + 2], "little") & ~_VF_COMMAND_ZERO
        image[COMMAND:COMMAND + 2] = command.to_bytes(2, "little")
        image[_INTERRUPT_PIN] = 0
        image[_BARS] = bytes(_BARS.stop - _BARS.start)
        if size > EXTENDED_START:
            image[EXTENDED_START:EXTENDED_START + 4] = bytes(4)  # no extended capabilities (SR-IOV is the PF's)
        return bytes(image)

    def _enable(self) -> None:
        from .device import MockDevice

        count = min(self._reg("num_vfs"), self._fields.total_vfs)
        image = self._image()
        memory = (self.vf_bars, self._memory_decodes)
        self.virtual_functions = [MockDevice(image, address=self._address(i), _vf_memory=memory) for i in range(count)]
