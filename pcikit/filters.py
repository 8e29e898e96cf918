"""lspci-style device filters: ``-s`` (by address) and ``-d`` (by IDs and class)."""
from __future__ import annotations

from .address import HEX_DIGITS, Address

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import NamedTuple, Optional
else:
    from .tuples import NamedTuple

_FILTER_CHARS = HEX_DIGITS | frozenset("xX:.*")  # what -s may contain (x: a 0x prefix)
_MASK32 = 0xFFFFFFFF


def _hex_field(text: str, limit: int, what: str, masked: bool = False) -> tuple[Optional[int], int]:
    """(value, mask) of one filter field as pciutils parses it; (None, ...) when ``""`` or ``*``.

    Hex digits only; an ``0x`` prefix is allowed where a field takes no ``x`` wildcards (as lspci
    3.10+ allows it); in a ``masked`` field (the class) each ``x`` is a wildcard digit.
    """
    if text in ("", "*"):
        return None, _MASK32
    digits = text[2:] if not masked and text[:2] in ("0x", "0X") else text
    value = bound = 0
    mask = _MASK32
    for char in digits:
        if masked and char in "xX":
            value, bound, mask = value << 4, bound << 4 | 1, mask << 4 & _MASK32
        elif char in HEX_DIGITS:
            digit = int(char, 16)
            value, bound, mask = value << 4 | digit, bound << 4 | digit, (mask << 4 | 0xF) & _MASK32
        else:
            raise ValueError(f"invalid {what} {text!r} in filter")
        if bound > limit:
            raise ValueError(f"{what} {text!r} out of range")
    return value, mask


def _hex_or_any(text: str, limit: int, what: str) -> Optional[int]:
    return _hex_field(text, limit, what)[0]


class SlotFilter(NamedTuple):
    """lspci's ``-s [[[[domain]:]bus]:][slot][.[func]]``."""

    domain: Optional[int] = None
    bus: Optional[int] = None
    device: Optional[int] = None
    function: Optional[int] = None

    @classmethod
    def parse(cls, text: str) -> "SlotFilter":
        """Parse the lspci slot filter syntax; raise ValueError when malformed."""
        if not set(text) <= _FILTER_CHARS:
            raise ValueError(f"invalid slot filter {text!r}")
        func_part = None
        if "." in text:
            text, func_part = text.rsplit(".", 1)
        parts = text.split(":") if text else [""]
        if len(parts) > 3:
            raise ValueError(f"invalid slot filter {text!r}")
        parts = [""] * (3 - len(parts)) + parts
        return cls(
            _hex_or_any(parts[0], 0x7FFFFFFF, "domain"),
            _hex_or_any(parts[1], 0xFF, "bus"),
            _hex_or_any(parts[2], 0x1F, "slot"),
            _hex_or_any(func_part or "", 7, "function"),
        )

    def matches(self, address: Address) -> bool:
        """True when every given part equals the address's part."""
        return all(
            want is None or want == have
            for want, have in zip((self.domain, self.bus, self.device, self.function), address)
        )


class IdFilter(NamedTuple):
    """lspci's ``-d [vendor]:[device][:class[:prog-if]]`` (``x`` digits in the class match any)."""

    vendor: Optional[int] = None
    device: Optional[int] = None
    class_code: Optional[int] = None
    class_mask: int = _MASK32
    prog_if: Optional[int] = None

    @classmethod
    def parse(cls, text: str) -> "IdFilter":
        """Parse ``[vendor]:[device][:class[:prog-if]]``; raise ValueError when malformed."""
        parts = text.split(":")
        if len(parts) not in (2, 3, 4):
            raise ValueError(f"invalid ID filter {text!r} (expected [vendor]:[device][:class[:prog-if]])")
        parts += [""] * (4 - len(parts))
        klass, mask = _hex_field(parts[2], 0xFFFF, "class", masked=True)
        return cls(_hex_or_any(parts[0], 0xFFFF, "vendor"), _hex_or_any(parts[1], 0xFFFF, "device"),
                   klass, mask, _hex_or_any(parts[3], 0xFF, "programming interface"))

    def matches(self, vendor_id: int, device_id: int, class_word: int, prog_if: Optional[int] = None) -> bool:
        """True when vendor, device, (16-bit) class and programming interface match where given."""
        return (
            (self.vendor is None or self.vendor == vendor_id)
            and (self.device is None or self.device == device_id)
            and (self.class_code is None or not (self.class_code ^ class_word) & self.class_mask)
            and (self.prog_if is None or prog_if is None or self.prog_if == prog_if)
        )
