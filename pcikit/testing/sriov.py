"""SR-IOV on the physical function (PCIe Base 6.0 chapter 9): VF BAR sizing, NumVFs, VF Enable.

The register attributes (NumVFs and System Page Size RW, VF Migration Status RW1C, ...) come
from the schema (``pcikit.schema.ecaps.sriov``). What this model adds is behaviour:

* VF BARs size like BARs (``vf_bar_sizes``: bytes per VF, by VF BAR index), paired the way
  the header's BARs are.
* Setting VF Enable makes NumVFs (at most TotalVFs) virtual functions appear, VF *n* at
  routing ID PF + First VF Offset + *n* x VF Stride, each with its own config space: the PF's
  header and standard capabilities, Vendor and Device ID reading FFFFh (9.3.4.1.1, 9.3.4.1.2),
  no BARs of its own (VF memory is the PF's VF BARs) and no extended capabilities. Clearing VF
  Enable removes them.
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
from .registers import BODY_OFFSET, bit, locate

if TYPE_CHECKING:
    from .device import MockDevice

VF_ENABLE = bit(sriov_schema.SRIOV_CONTROL, "vf_enable")
_BARS = slice(BODY_OFFSET, BODY_OFFSET + header_schema.TYPE0.bars.sizeof())  # RO zero in a VF
_NO_ID = 0xFFFF


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

    def __init__(self, pf: "MockDevice", cap: Capability) -> None:
        self._pf = pf
        self._where = locate(cap)
        self._fields = cap.fields
        self.virtual_functions: list["MockDevice"] = []
        pf.config.watch(self._where["sriov_control"], 2, self._control_written)

    def _reg(self, name: str, width: int = 2) -> int:
        return self._pf.config.peek(self._where[name], width)

    def _control_written(self, old: int, new: int) -> None:
        if new & VF_ENABLE and not old & VF_ENABLE:
            self._enable()
        elif old & VF_ENABLE and not new & VF_ENABLE:
            self.virtual_functions = []

    def _address(self, index: int) -> Address:
        pf = self._pf.address
        rid = (pf.bus << 8 | pf.device << 3 | pf.function) + self._reg("first_vf_offset") + index * self._reg("vf_stride")
        return Address(pf.domain, (rid >> 8) & 0xFF, (rid >> 3) & 0x1F, rid & 7)

    def _image(self) -> bytes:
        size = self._pf.config.size
        image = bytearray(self._pf.config.peek(0, size).to_bytes(size, "little"))
        image[0:4] = (_NO_ID | _NO_ID << 16).to_bytes(4, "little")  # Vendor ID, Device ID
        image[_BARS] = bytes(_BARS.stop - _BARS.start)
        if size > EXTENDED_START:
            image[EXTENDED_START:EXTENDED_START + 4] = bytes(4)  # no extended capabilities (SR-IOV is the PF's)
        return bytes(image)

    def _enable(self) -> None:
        from .device import MockDevice

        count = min(self._reg("num_vfs"), self._fields.total_vfs)
        image = self._image()
        self.virtual_functions = [MockDevice(image, address=self._address(i)) for i in range(count)]
