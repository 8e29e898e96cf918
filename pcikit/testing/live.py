"""Attributes that follow software-set fields: a capability's masks follow its own writes.

Most conditions read capability or HwInit fields, fixed once a mock is built. A few read a
field software writes: CXL CONFIG_LOCK makes the RWL controls read-only once set (CXL 3.0
8.1.3.6), and a reset clears it. When such a register is written, and after every reset, the
capability is decoded again from the current config bytes and its registers' masks re-placed
from the catalogue. Which registers those are follows from the conditions' ``reads()``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..access.memory import BytesConfig
from ..model import Capability, Device
from .registers import live_registers, registers_of

if TYPE_CHECKING:
    from .device import MockDevice


class LiveConditions:
    """Re-evaluates one capability's conditions after writes to the registers they read."""

    def __init__(self, dev: "MockDevice", cap: Capability, floor: int) -> None:
        self._dev, self._offset, self._extended, self._floor = dev, cap.offset, cap.extended, floor
        for located in live_registers(cap):
            dev.config.watch(cap.offset + located.offset, located.register.subcon.sizeof(), self._written)
        dev.on_reset(self._reevaluate)

    @staticmethod
    def wanted(cap: Capability) -> bool:
        """True when a condition of ``cap`` reads a field software writes."""
        return bool(live_registers(cap))

    def _written(self, old: int, new: int) -> None:
        if old != new:
            self._reevaluate()

    def _reevaluate(self) -> None:
        config = self._dev.config
        model = Device(self._dev.address, BytesConfig(config.peek(0, config.size).to_bytes(config.size, "little")))
        found = model.extended_capabilities if self._extended else model.capabilities
        cap = next((c for c in found if c.offset == self._offset), None)
        if cap is not None and cap.fields is not None:
            config.place(registers_of(model, cap), self._floor)
