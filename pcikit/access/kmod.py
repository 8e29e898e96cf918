"""Which kernel modules handle a device: its ``modalias`` against the installed modules' aliases.

What lspci -k prints as ``Kernel modules:`` (libkmod's lookup): the ``pci:`` patterns of
``/lib/modules/<release>/modules.alias`` that match, in file order (depmod writes it in module
order), else those of the built-in modules (``modules.builtin.modinfo``). Aliases from
``/etc/modprobe.d`` are not consulted. Files are read once per process, bounded.
"""
from __future__ import annotations

import os
from functools import lru_cache
TYPE_CHECKING = False  # typing is not imported at run time: start-up cost (tests/test_startup.py)
if TYPE_CHECKING:
    from typing import NamedTuple, Optional
else:
    from ..tuples import NamedTuple

from .files import UnsafeFileError, read_bounded

_LIMIT = 64 << 20  # a distribution kernel's modules.alias is about 1.5 MB


def modules_dir() -> str:
    """``/lib/modules/<running kernel release>`` (where libkmod looks)."""
    return os.path.join("/lib/modules", os.uname().release)


class _Table(NamedTuple):
    """Aliases in file order, bucketed by the vendor a pattern names (``*`` vendors apart)."""

    by_vendor: dict[str, list[tuple[int, str, str]]]
    any_vendor: list[tuple[int, str, str]]

    @classmethod
    def of(cls, pairs: list[tuple[str, str]]) -> "_Table":
        by_vendor: dict[str, list[tuple[int, str, str]]] = {}
        any_vendor: list[tuple[int, str, str]] = []
        for index, (pattern, module) in enumerate(pairs):
            vendor = pattern[5:13]  # "pci:v" then 8 hex digits, or a wildcard
            fixed = pattern.startswith("pci:v") and not any(c in vendor for c in "*?[")
            (by_vendor.setdefault(vendor, []) if fixed else any_vendor).append((index, pattern, module))
        return cls(by_vendor, any_vendor)

    def candidates(self, modalias: str) -> list[tuple[int, str, str]]:
        """The aliases that can match, in file order."""
        return sorted(self.by_vendor.get(modalias[5:13], []) + self.any_vendor)


def _read(path: str) -> bytes:
    try:
        return read_bounded(path, _LIMIT)
    except (OSError, UnsafeFileError):
        return b""


@lru_cache(maxsize=4)
def _aliases(directory: str) -> _Table:
    """(pattern, module) of every ``alias pci:...`` line of modules.alias, in order."""
    pairs = []
    for line in _read(os.path.join(directory, "modules.alias")).decode("utf-8", "replace").splitlines():
        words = line.split()
        if len(words) == 3 and words[0] == "alias" and words[1].startswith("pci:"):
            pairs.append((words[1], words[2]))
    return _Table.of(pairs)


@lru_cache(maxsize=4)
def _builtin_aliases(directory: str) -> _Table:
    """(pattern, module) of the built-in modules' ``module.alias=pci:...`` entries, in order."""
    pairs = []
    for entry in _read(os.path.join(directory, "modules.builtin.modinfo")).decode("utf-8", "replace").split("\0"):
        module, _, rest = entry.partition(".")
        if rest.startswith("alias=pci:"):
            pairs.append((rest[len("alias="):], module))
    return _Table.of(pairs)


def _matching(modalias: str, table: _Table) -> list[str]:
    from fnmatch import fnmatchcase  # imports re: only where aliases are matched

    found: list[str] = []
    for _, pattern, module in table.candidates(modalias):
        if fnmatchcase(modalias, pattern) and (not found or found[-1] != module):
            found.append(module)  # lspci drops a module repeated by consecutive aliases
    return found


def modules_for(modalias: str, directory: Optional[str] = None) -> list[str]:
    """The modules whose aliases match ``modalias`` (built-in ones only when no loadable one does)."""
    directory = directory or modules_dir()
    return _matching(modalias, _aliases(directory)) or _matching(modalias, _builtin_aliases(directory))
