"""Where a name comes from: pci.ids first, then udev's hwdb, in lspci's order.

pciutils (lib/names.c) asks pci.ids, and only when pci.ids has no entry asks udev's hwdb with
a modalias built for that kind of name (lib/names-hwdb.c), reading one property of the answer.
An empty answer is no name. The hwdb file is opened on the first miss, never before, so naming
devices pci.ids knows costs nothing more.

Releases differ for subsystems: up to 3.11 lspci also asks the hwdb for a subsystem's name with
``ID_MODEL_FROM_DATABASE``, which the device's own pattern answers (so a subsystem pci.ids does
not list is named after its device); from 3.12 on it does not (pciutils commit 9f3d614).
"""
from __future__ import annotations

import os

from .ids import IdDatabase

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Mapping, NamedTuple, Optional, Sequence
    from .hwdb import Hwdb
else:
    from .tuples import NamedTuple

ENV = "PCIKIT_HWDB"  # "0": no hwdb; a path: that hwdb.bin; unset or "1": libudev's search order
DISABLE_PARAM = "hwdb.disable"

VENDOR_KEY = "ID_VENDOR_FROM_DATABASE"
MODEL_KEY = "ID_MODEL_FROM_DATABASE"
CLASS_KEY = "ID_PCI_CLASS_FROM_DATABASE"
SUBCLASS_KEY = "ID_PCI_SUBCLASS_FROM_DATABASE"
INTERFACE_KEY = "ID_PCI_INTERFACE_FROM_DATABASE"


class HwdbChoice(NamedTuple):
    """Whether to consult a hwdb, and which file (None: libudev's search order)."""

    enabled: bool = True
    path: Optional[str] = None


OFF = HwdbChoice(False)


def atoi(text: str) -> int:
    """C's atoi(): leading blanks, an optional sign, the digits that follow; 0 when none."""
    text = text.lstrip(" \t\n\r\f\v")
    sign = -1 if text[:1] == "-" else 1
    text = text[1:] if text[:1] in "+-" else text
    digits = len(text) - len(text.lstrip("0123456789"))
    return sign * int(text[:digits]) if digits else 0


def parse_params(params: Sequence[str]) -> dict[str, str]:
    """lspci's ``-O NAME=VALUE`` options; ValueError for bad syntax or an unknown name."""
    values: dict[str, str] = {}
    for param in params:
        name, equals, value = param.partition("=")
        if not equals or not name:
            raise ValueError(f"invalid PCI access parameter syntax: {param}")
        if name != DISABLE_PARAM:
            raise ValueError(f"unrecognized PCI access parameter: {name} (pcikit knows {DISABLE_PARAM})")
        values[name] = value
    return values


def choose_hwdb(params: Mapping[str, str], environ: Mapping[str, str] = os.environ) -> HwdbChoice:
    """``-O hwdb.disable=N`` decides when given (non-zero: off), else ``$PCIKIT_HWDB`` (``0``: off);
    a path in ``$PCIKIT_HWDB`` names the file, else libudev's search order finds it."""
    value = environ.get(ENV, "")
    if DISABLE_PARAM in params:
        enabled = not atoi(params[DISABLE_PARAM])
    else:
        enabled = value != "0"
    if not enabled:
        return OFF
    return HwdbChoice(True, value if value not in ("", "0", "1") else None)


class NameLookup:
    """Names of vendors, devices, subsystems and classes from pci.ids, else the hwdb; None if neither.

    Has :class:`~pcikit.ids.IdDatabase`'s methods, so views take either. ``hwdb_subsystems``
    is the behaviour of lspci up to 3.11 (see the module docstring).
    """

    def __init__(self, ids: IdDatabase, hwdb: HwdbChoice = OFF, hwdb_subsystems: bool = False) -> None:
        self.ids = ids
        self.choice = hwdb
        self.hwdb_subsystems = hwdb_subsystems
        self._hwdb: Optional["Hwdb"] = None
        self._opened = False
        self._answers: dict[tuple[str, str], Optional[str]] = {}  # as lspci caches them

    @property
    def path(self) -> Optional[str]:
        """The pci.ids in use."""
        return self.ids.path

    @property
    def hwdb_problem(self) -> Optional[str]:
        """Why the hwdb that exists gives no names (damaged, unreadable), if it was opened."""
        return self._hwdb.problem if self._hwdb is not None else None

    def _ask(self, key: str, modalias: str) -> Optional[str]:
        if not self.choice.enabled:
            return None
        if not self._opened:
            from .hwdb import open_hwdb  # imported on the first name pci.ids lacks

            self._opened = True
            self._hwdb = open_hwdb(self.choice.path)
        if self._hwdb is None:
            return None
        if (key, modalias) not in self._answers:
            self._answers[(key, modalias)] = self._hwdb.get(modalias, key) or None
        return self._answers[(key, modalias)]

    def _either(self, listed: Optional[str], key: str, modalias: str, *ids: int) -> Optional[str]:
        """pci.ids' entry when it has one (an empty one is no name), else the hwdb's."""
        if listed is not None:
            return listed or None
        return self._ask(key, modalias % ids)

    def vendor(self, vendor: int) -> Optional[str]:
        """Vendor name."""
        return self._either(self.ids.vendor(vendor), VENDOR_KEY, "pci:v%08X*", vendor)

    def device(self, vendor: int, device: int) -> Optional[str]:
        """Device name under its vendor."""
        return self._either(self.ids.device(vendor, device), MODEL_KEY, "pci:v%08Xd%08X*", vendor, device)

    def subsystem(self, vendor: int, device: int, sub_vendor: int, sub_device: int) -> Optional[str]:
        """Subsystem name listed under the device (and, up to lspci 3.11, the hwdb's answer)."""
        listed = self.ids.subsystem(vendor, device, sub_vendor, sub_device)
        if not self.hwdb_subsystems:
            return listed or None
        return self._either(listed, MODEL_KEY, "pci:v%08Xd%08Xsv%08Xsd%08X*", vendor, device, sub_vendor, sub_device)

    def generic_subsystem(self, sub_vendor: int, sub_device: int) -> Optional[str]:
        """A subsystem named for any device (pci.ids ``S`` blocks are not read; hwdb up to 3.11)."""
        if not self.hwdb_subsystems:
            return None
        return self._ask(MODEL_KEY, "pci:v*d*sv%08Xsd%08X*" % (sub_vendor, sub_device))

    def class_name(self, base: int) -> Optional[str]:
        """Base class name."""
        return self._either(self.ids.class_name(base), CLASS_KEY, "pci:v*d*sv*sd*bc%02X*", base)

    def subclass_name(self, base: int, sub: int) -> Optional[str]:
        """Subclass name."""
        return self._either(self.ids.subclass_name(base, sub), SUBCLASS_KEY, "pci:v*d*sv*sd*bc%02Xsc%02X*", base, sub)

    def prog_if_name(self, base: int, sub: int, prog_if: int) -> Optional[str]:
        """Programming interface name."""
        listed = self.ids.prog_if_name(base, sub, prog_if)
        return self._either(listed, INTERFACE_KEY, "pci:v*d*sv*sd*bc%02Xsc%02Xi%02X*", base, sub, prog_if)
