"""PCI function addresses (``DDDD:BB:DD.F``); lspci's ``-s`` / ``-d`` filters are :mod:`pcikit.filters`."""
from __future__ import annotations


TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import NamedTuple, Optional
else:
    from .tuples import NamedTuple

HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def _hex_part(text: str, longest: int) -> bool:
    """1 to ``longest`` ASCII hex digits."""
    return 0 < len(text) <= longest and all(char in HEX_DIGITS for char in text)


def _split_address(text: str):
    """(domain or None, bus, device, function) texts of ``[DDDD:]BB:DD.F``, or None.

    By hand rather than with a regular expression: the listing parses every sysfs name, and
    importing :mod:`re` would cost it more than the parsing.
    """
    rest, dot, function = text.rpartition(".")
    parts = rest.split(":")
    if not dot or len(function) != 1 or function not in "01234567" or len(parts) not in (2, 3):
        return None
    domain = parts[0] if len(parts) == 3 else None
    if domain is not None and not _hex_part(domain, 8):
        return None
    if not (_hex_part(parts[-2], 2) and _hex_part(parts[-1], 2)):
        return None
    return domain, parts[-2], parts[-1], function


class Address(NamedTuple):
    """A PCI function address; sorts the way lspci sorts devices."""

    domain: int
    bus: int
    device: int
    function: int

    @classmethod
    def parse(cls, text: str) -> "Address":
        """Parse ``[DDDD:]BB:DD.F``; raise ValueError on anything else."""
        parts = _split_address(text.strip())
        if parts is None:
            raise ValueError(f"invalid PCI address {text!r} (expected [DDDD:]BB:DD.F)")
        domain, bus, dev, fn = parts
        address = cls(int(domain or "0", 16), int(bus, 16), int(dev, 16), int(fn))
        if address.bus > 0xFF or address.device > 0x1F:
            raise ValueError(f"invalid PCI address {text!r}: bus or device out of range")
        return address

    def __str__(self) -> str:
        return f"{self.domain:04x}:{self.bus:02x}:{self.device:02x}.{self.function}"

    @property
    def short(self) -> str:
        """``BB:DD.F`` without the domain."""
        return f"{self.bus:02x}:{self.device:02x}.{self.function}"
