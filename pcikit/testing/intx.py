"""Legacy INTx: a level the device raises, gated the way the PCI spec gates it.

Status bit 3 (Interrupt Status) always shows the device's level. The pin
reaches the interrupt controller only while Command bit 10 (Interrupt Disable)
is clear and neither MSI nor MSI-X is enabled (a function using MSI/MSI-X must
not use INTx). Changes of what the controller sees are recorded as
Assert_INTx (data 1) / Deassert_INTx (data 0) messages.
"""
from __future__ import annotations

from typing import Callable, Optional

from ..schema import header as header_schema
from .config import MockConfig
from .registers import BODY, COMMAND, STATUS, bit
from .state import DeviceState, MockError

INTERRUPT_DISABLE = bit(header_schema.COMMAND, "interrupt_disable")
INTERRUPT_STATUS = bit(header_schema.STATUS, "interrupt_status")
INTERRUPT_PIN = BODY[0]["interrupt_pin"]  # the same offset in type 0, 1 and 2 headers
PIN_NAMES = {1: "INTA", 2: "INTB", 3: "INTC", 4: "INTD"}


class IntxModel:
    """The function's legacy interrupt pin."""

    def __init__(self, config: MockConfig, state: DeviceState, message_interrupts_on: Callable[[], bool]) -> None:
        self._config = config
        self._state = state
        self._message_interrupts_on = message_interrupts_on
        self.level = False
        self._asserted = False
        config.watch(COMMAND, 2, self._gate_changed)

    @property
    def pin(self) -> Optional[str]:
        """``"INTA"``..``"INTD"``, or None when Interrupt Pin is 0 (or reserved)."""
        return PIN_NAMES.get(self._config.peek(INTERRUPT_PIN, 1))

    @property
    def asserted(self) -> bool:
        """What the interrupt controller sees."""
        return self._asserted

    def set_level(self, level: bool) -> None:
        """Raise (True) or lower (False) the device's interrupt."""
        if self.pin is None:
            raise MockError("the device has no INTx pin (Interrupt Pin is 0 or reserved)")
        self.level = bool(level)
        self.update()

    def update(self) -> None:
        """Recompute Interrupt Status and the pin after a change of level or gating."""
        if self._state.removed:
            return
        status = self._config.peek(STATUS, 2) & ~INTERRUPT_STATUS
        self._config.poke(STATUS, 2, status | (INTERRUPT_STATUS if self.level else 0))
        command = self._config.peek(COMMAND, 2)
        asserted = self.level and not command & INTERRUPT_DISABLE and not self._message_interrupts_on()
        if asserted != self._asserted:
            self._asserted = asserted
            self._state.deliver("intx", None, None, 1 if asserted else 0)

    def _gate_changed(self, old: int, new: int) -> None:
        self.update()

    def reset(self) -> None:
        """The level drops; the controller sees a deassert if it saw an assert."""
        self.level = False
        self.update()
