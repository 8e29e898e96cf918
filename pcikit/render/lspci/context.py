"""What every lspci renderer function receives."""
from __future__ import annotations

from .dialect import NEWEST, V3_10, LspciVersion
from .names import Namer

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Any, NamedTuple, Optional
else:
    from ...tuples import NamedTuple


def flag(value: int, mask: int = 1) -> str:
    """lspci's FLAG(): '+' when any bit of ``mask`` is set in ``value``."""
    return "+" if value & mask else "-"


_SIGNS = str.maketrans("01", "-+")


def signs16(value: int) -> str:
    """:func:`flag` of bits 0 to 15 of ``value`` at once: ``signs16(v)[n] == flag(v, 1 << n)``."""
    return format(value & 0xFFFF, "016b")[::-1].translate(_SIGNS)


def size_suffix(size: int) -> str:
    """`` [size=4K]`` the way lspci rounds it (empty for 0)."""
    if not size:
        return ""
    for suffix in ("", "K", "M", "G"):
        if size % 1024:
            return f" [size={size & 0xFFFFFFFF}{suffix}]"
        size //= 1024
    return f" [size={size & 0xFFFFFFFF}T]"


def c_char(value: int) -> str:
    """printf's ``%c`` of an int: its low byte; bytes past ASCII as surrogate escapes (written raw)."""
    byte = value & 0xFF
    return chr(byte) if byte < 0x80 else chr(0xDC00 + byte)


def pm(value: object) -> str:
    """'+' or '-' for a decoded boolean field."""
    return "+" if value else "-"


class LspciOptions(NamedTuple):
    """The lspci switches that change the text (-v, -n, -D, -k, -x, -m, -P, -b) and the release imitated."""

    verbose: int = 0
    numeric: int = 0
    domains: Optional[bool] = None  # None: show domains when any device has one
    kernel: bool = False
    hex_level: int = 0
    dialect: LspciVersion = NEWEST
    machine: int = 0  # -m (1), -mm (2)
    path: int = 0  # -P (1: bridge path), -PP (2: bus path)
    bus_centric: bool = False  # -b: addresses and IRQ as the bus sees them
    forced_domains: bool = False  # -D: machine formats show domain 0 too


class RenderContext:
    """Options, names and the device being printed; ``out`` collects the text.

    ``verbose`` is the -v level, ``dialect`` the lspci release imitated (compare with
    ``dialect.V3_13`` and friends), ``name_size`` lspci's name buffers (256 bytes since 3.10,
    128 before: longer names end in '...'); ``write(text)`` appends text exactly as printf
    would print it. Plain attributes: renderers read them line after line. ``common`` is the
    device header's first 16 bytes, decoded (the verbose view sets it).
    """

    def __init__(self, options: LspciOptions, namer: Namer, device: object = None) -> None:
        self.options = options
        self.namer = namer
        self.device = device
        self.out: list[str] = []
        self.write = self.out.append
        self.verbose: int = options.verbose
        self.dialect: LspciVersion = options.dialect
        self.name_size = 256 if options.dialect >= V3_10 else 128
        self.common: Optional[Any] = None
