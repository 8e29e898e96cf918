"""MSI as the PCI Local Bus spec 6.8.1 defines it and QEMU's ``hw/pci/msi.c`` models it.

* Enable and Multiple Message Enable are writable; an MME above Multiple
  Message Capable is clamped to it (QEMU does the same).
* The function may only signal vectors below the enabled count; it sends the
  message data with its low bits replaced by the vector number.
* With per-vector masking, a masked vector that fires sets its pending bit
  (read-only to software); clearing the mask bit delivers it and clears the bit.
"""
from __future__ import annotations

from typing import Optional

from ..schema.caps import msi as msi_schema
from ..schema.catalogue import offsets
from .config import MockConfig
from .registers import bit
from .state import DeviceState, MockError

ENABLE = bit(msi_schema.MESSAGE_CONTROL, "enable")
MULTIPLE_MESSAGE_ENABLE = bit(msi_schema.MESSAGE_CONTROL, "multiple_message_enable_log2")
_MME_SHIFT = (MULTIPLE_MESSAGE_ENABLE & -MULTIPLE_MESSAGE_ENABLE).bit_length() - 1


class MsiModel:
    """The MSI capability at ``offset``."""

    def __init__(self, config: MockConfig, offset: int, state: DeviceState) -> None:
        self.offset = offset
        self._config = config
        self._state = state
        fields = msi_schema.SCHEMA.parse(bytes(config.peek(offset + i, 1) for i in range(24)))
        self._layout = {name: offset + relative for name, relative in offsets(msi_schema.SCHEMA, fields).items()}
        control = fields.message_control
        self.vectors_capable = 1 << min(control.multiple_message_capable_log2, 5)
        self.per_vector_masking = control.per_vector_masking
        self._control = self._layout["message_control"]
        config.watch(self._control, 2, self._control_written)
        if "mask_bits" in self._layout:
            config.watch(self._layout["mask_bits"], 4, self._mask_written)

    def _reg(self, name: str, width: int = 4) -> int:
        offset: Optional[int] = self._layout.get(name)
        return self._config.peek(offset, width) if offset is not None else 0

    @property
    def enabled(self) -> bool:
        """MSI Enable."""
        return bool(self._reg("message_control", 2) & ENABLE)

    @property
    def vectors_enabled(self) -> int:
        """Vectors software granted (Multiple Message Enable as a count)."""
        return 1 << ((self._reg("message_control", 2) & MULTIPLE_MESSAGE_ENABLE) >> _MME_SHIFT)

    @property
    def address(self) -> int:
        """Message Address (64-bit when the capability has an upper half)."""
        return self._reg("message_address") | self._reg("message_upper_address") << 32

    @property
    def data(self) -> int:
        """Message Data as software wrote it."""
        return self._reg("message_data", 2)

    def masked(self, vector: int) -> bool:
        """The vector's mask bit (always False without per-vector masking)."""
        return bool(self._reg("mask_bits") >> self._check(vector) & 1)

    def pending(self, vector: int) -> bool:
        """The vector's pending bit (always False without per-vector masking)."""
        return bool(self._reg("pending_bits") >> self._check(vector) & 1)

    def _check(self, vector: int) -> int:
        if not 0 <= vector < self.vectors_capable:
            raise MockError(f"MSI vector {vector} does not exist ({self.vectors_capable} capable)")
        return vector

    def fire(self, vector: int) -> bool:
        """Signal ``vector``; True when a message was delivered.

        Nothing is sent while MSI is disabled or when ``vector`` is at or above the
        enabled count; a masked vector becomes pending instead.
        """
        self._check(vector)
        if self._state.removed or not self.enabled or vector >= self.vectors_enabled:
            return False
        if self.masked(vector):
            self._set_pending(vector, True)
            return False
        return self._deliver(vector)

    def _deliver(self, vector: int) -> bool:
        count = self.vectors_enabled
        data = (self.data & ~(count - 1)) | vector
        return self._state.deliver("msi", vector, self.address, data)

    def _set_pending(self, vector: int, on: bool) -> None:
        offset = self._layout.get("pending_bits")
        if offset is None:
            return
        bits = self._config.peek(offset, 4)
        bits = bits | 1 << vector if on else bits & ~(1 << vector)
        self._config.poke(offset, 4, bits)

    def _control_written(self, old: int, new: int) -> None:
        mme = (new & MULTIPLE_MESSAGE_ENABLE) >> _MME_SHIFT
        if 1 << mme > self.vectors_capable:
            clamped = self.vectors_capable.bit_length() - 1
            self._config.poke(self._control, 2, (new & ~MULTIPLE_MESSAGE_ENABLE) | clamped << _MME_SHIFT)

    def _mask_written(self, old: int, new: int) -> None:
        if not self.enabled:
            return
        for vector in range(min(self.vectors_capable, self.vectors_enabled)):
            if old >> vector & 1 and not new >> vector & 1 and self.pending(vector):
                self._set_pending(vector, False)
                self._deliver(vector)
