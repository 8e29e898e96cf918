"""Which lspci release the lspci-compatible renderers imitate (``--lspci-version``).

pciutils changed its text between releases (3.9 as Debian 12 ships it, 3.14 as current
distributions do); a renderer asks ``ctx.dialect >= V3_13`` where a line differs. What
changes in each release is listed in docs/lspci-dialects.md.
"""
from __future__ import annotations

import os

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Mapping, NamedTuple, Optional
else:
    from ...tuples import NamedTuple

ENV = "PCIKIT_LSPCI_VERSION"


class LspciVersion(NamedTuple):
    """A pciutils release, ordered as versions are (3.9 < 3.10 < 3.14)."""

    major: int
    minor: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"


V3_9 = LspciVersion(3, 9)
V3_10 = LspciVersion(3, 10)
V3_11 = LspciVersion(3, 11)
V3_12 = LspciVersion(3, 12)
V3_13 = LspciVersion(3, 13)
V3_14 = LspciVersion(3, 14)

SUPPORTED: tuple[LspciVersion, ...] = (V3_9, V3_10, V3_11, V3_12, V3_13, V3_14)
NEWEST = SUPPORTED[-1]

_FORM = r"(\d{1,3})\.(\d{1,3})(?:\.\d{1,3})?"  # compiled (and cached by re) when a version is named


def parse_version(text: str) -> LspciVersion:
    """``"3.9"``, ``"3.14"`` or ``"3.14.0"`` -> a supported version; ValueError names the range."""
    import re  # only when a version is named

    match = re.fullmatch(_FORM, text.strip())
    version = LspciVersion(int(match.group(1)), int(match.group(2))) if match else None
    if version not in SUPPORTED:
        raise ValueError(
            f"unsupported lspci version {text!r} (supported: {SUPPORTED[0]} ... {NEWEST}, e.g. 3.9 or 3.14)"
        )
    return version


def choose_version(option: Optional[str], environ: Mapping[str, str] = os.environ) -> LspciVersion:
    """The dialect to render: the option, else ``$PCIKIT_LSPCI_VERSION``, else the newest."""
    if option is not None:
        return parse_version(option)
    value = environ.get(ENV)
    if value:
        try:
            return parse_version(value)
        except ValueError as exc:
            raise ValueError(f"{ENV}: {exc}") from None
    return NEWEST
