"""The VPD access window (PCI Local Bus 3.0, I.3.1.1): VPD Address, the F flag and VPD Data.

Writing VPD Address with F clear reads the dword at that address of the VPD contents into VPD
Data and sets F; writing it with F set stores VPD Data there and clears F. The mock completes
each transfer at once. Addresses past the contents read as zero; writes there are dropped.
"""
from __future__ import annotations

from ..model import Capability
from ..schema.caps import vpd as vpd_schema
from .config import MockConfig
from .registers import bit, locate

_F = bit(vpd_schema.VPD_ADDRESS, "f")
_ADDRESS = bit(vpd_schema.VPD_ADDRESS, "address")


class VpdModel:
    """The VPD capability ``cap`` over ``contents`` (at most 32 KiB)."""

    def __init__(self, config: MockConfig, cap: Capability, contents: bytes) -> None:
        self.contents = bytearray(contents[: vpd_schema.VPD_SIZE])
        self._config = config
        where = locate(cap)
        self._address, self._data = where["vpd_address"], where["vpd_data"]
        config.watch(self._address, 2, self._address_written)

    def _address_written(self, old: int, new: int) -> None:
        address = new & _ADDRESS & ~3
        if new & _F:
            data = self._config.peek(self._data, 4).to_bytes(4, "little")
            if address + 4 <= len(self.contents):
                self.contents[address:address + 4] = data
            self._config.poke(self._address, 2, new & ~_F)
        else:
            chunk = bytes(self.contents[address:address + 4]).ljust(4, b"\0")
            self._config.poke(self._data, 4, int.from_bytes(chunk, "little"))
            self._config.poke(self._address, 2, new | _F)
