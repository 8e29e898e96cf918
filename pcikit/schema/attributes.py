"""Register field attributes as the PCIe Base Specification names them, and device-dependent conditions.

Every :class:`~pcikit.schema.bits.Bits` field carries one attribute (default RO):

======== ==============================================================================
RO       read-only (hardwired or status the device sets)
RW       read-write
RW1C     write 1 to clear (status)
RW1S     write 1 to set
HwInit   initialised by hardware or firmware, read-only to software; kept across resets
RsvdP    reserved: reads 0, software preserves the value on writes
RsvdZ    reserved: reads 0, software writes 0
ROS      read-only, sticky
RWS      read-write, sticky
RW1CS    write 1 to clear, sticky
======== ==============================================================================

Sticky fields keep their value across a Function Level Reset and hot reset (and
D3hot->D0 soft reset); only a cold reset (power-on) reloads them. Bits a register
declares no field for are reserved (RsvdP unless the register says RsvdZ).

A field's attribute may depend on the device: ``when`` is a condition evaluated
on the capability's decoded fields and the function's facts (port type, header
type). Where it is false (or, for an int answer, for the field bits it leaves
clear) the field is read-only. A reset value may be such a condition too (:class:`Either`). A path starting with ``.`` is read from the
structure holding the register (a list element: an EA entry, a VC Resource).
Conditions are data, declared next to the field, and say which fields they read
(``reads()``), so a mock re-evaluates them when software writes one::

    Bits("aspm_control", 0, 2, access=RW, when=FieldBits("link_capabilities.aspm_support"))
    Bit("ari_forwarding_enable", 5, access=RW, when=Has("device_capabilities_2.ari_forwarding_supported"))
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Any, NamedTuple, Optional, Union

    Answer = Union[bool, int]
else:
    from ..tuples import NamedTuple

RO = "RO"
RW = "RW"
RW1C = "RW1C"
RW1S = "RW1S"
HWINIT = "HwInit"
RSVDP = "RsvdP"
RSVDZ = "RsvdZ"
ROS = "ROS"
RWS = "RWS"
RW1CS = "RW1CS"

ATTRIBUTES = (RO, RW, RW1C, RW1S, HWINIT, RSVDP, RSVDZ, ROS, RWS, RW1CS)
WRITABLE = frozenset({RW, RWS})
CLEARABLE = frozenset({RW1C, RW1CS})
SETTABLE = frozenset({RW1S})
STICKY = frozenset({ROS, RWS, RW1CS})
SOFTWARE_SET = WRITABLE | CLEARABLE | SETTABLE  # fields whose value a reset defines


class Facts(NamedTuple):
    """What a condition may look at: the decoded fields of the structure, and the function's facts."""

    fields: Any
    port_type: Optional[int] = None
    header_type: int = 0
    scope: tuple[str, ...] = ()  # path of the structure holding the register being placed

    def value(self, path: str) -> Any:
        """The decoded value at a dotted ``path`` (``.path``: from :attr:`scope`; None when a step is missing)."""
        node = self.fields
        steps = (*self.scope, *path[1:].split(".")) if path.startswith(".") else path.split(".")
        for step in steps:
            if isinstance(node, list) and step.isdigit():
                node = node[int(step)] if int(step) < len(node) else None
            else:
                node = node.get(step) if hasattr(node, "get") else None
            if node is None:
                return None
        return node


class Has(NamedTuple):
    """True when any of the fields at ``paths`` is set (non-zero)."""

    paths: tuple[str, ...]

    def __call__(self, facts: Facts) -> Answer:
        return any(facts.value(path) for path in self.paths)

    def reads(self) -> tuple[str, ...]:
        """The field paths this condition looks at."""
        return self.paths


def has(*paths: str) -> Has:
    """:class:`Has` over one or more dotted paths."""
    return Has(paths)


class FieldBits(NamedTuple):
    """The value at ``path`` as a bit mask over the field: bit i writable where bit i is set.

    ``vectors=True`` reads the value as a log2 vector count (MSI Multiple Message
    Capable) and answers a mask of that many low bits.
    """

    path: str
    vectors: bool = False

    def __call__(self, facts: Facts) -> Answer:
        value = int(facts.value(self.path) or 0)
        return (1 << (1 << min(value, 5))) - 1 if self.vectors else value

    def reads(self) -> tuple[str, ...]:
        """The field paths this condition looks at."""
        return (self.path,)


class Count(NamedTuple):
    """The value at ``path`` as a count of low field bits with the attribute (one per lane of the
    Maximum Link Width: Lane Error Status)."""

    path: str

    def __call__(self, facts: Facts) -> Answer:
        return (1 << min(int(facts.value(self.path) or 0), 64)) - 1

    def reads(self) -> tuple[str, ...]:
        """The field paths this condition looks at."""
        return (self.path,)


class Only(NamedTuple):
    """A fixed bit mask over the field: the bits of ``mask`` have the attribute, the others are RO
    (e.g. TC/VC Map, whose bit 0 is read-only)."""

    mask: int

    def __call__(self, facts: Facts) -> Answer:
        return self.mask

    def reads(self) -> tuple[str, ...]:
        """No fields: the mask is fixed."""
        return ()


class LaterElement(NamedTuple):
    """True for a register in any element of a list but the first (VC Resources other than VC0)."""

    def __call__(self, facts: Facts) -> Answer:
        index = next((step for step in reversed(facts.scope) if step.isdigit()), None)
        return index is not None and index != "0"

    def reads(self) -> tuple[str, ...]:
        """No fields: the answer is the element's place."""
        return ()


class Either(NamedTuple):
    """``yes`` where ``condition`` holds, else ``no``: a value that depends on the device, such as a
    reset value (TC/VC Map: FFh in VC0's resource, 00h in the others)."""

    condition: Any
    yes: int
    no: int

    def __call__(self, facts: Facts) -> Answer:
        return self.yes if self.condition(facts) else self.no

    def reads(self) -> tuple[str, ...]:
        """The field paths the condition looks at."""
        return self.condition.reads()


class Equals(NamedTuple):
    """True when ``(value at path) & mask == expected``."""

    path: str
    expected: int
    mask: int = -1

    def __call__(self, facts: Facts) -> Answer:
        value = facts.value(self.path)
        return value is not None and int(value) & self.mask == self.expected

    def reads(self) -> tuple[str, ...]:
        """The field paths this condition looks at."""
        return (self.path,)


class PortIn(NamedTuple):
    """True when the function's PCI Express Device/Port Type is one of ``types``."""

    types: frozenset

    def __call__(self, facts: Facts) -> Answer:
        return facts.port_type in self.types

    def reads(self) -> tuple[str, ...]:
        """No fields: the port type is the function's."""
        return ()


def port_in(*types: int) -> PortIn:
    """:class:`PortIn` over the given Device/Port Types."""
    return PortIn(frozenset(types))


class Not(NamedTuple):
    """The opposite of a true/false condition."""

    condition: Any

    def __call__(self, facts: Facts) -> Answer:
        return not self.condition(facts)

    def reads(self) -> tuple[str, ...]:
        """The field paths the negated condition looks at."""
        return self.condition.reads()


class All(NamedTuple):
    """True when every condition is; int answers are combined bit by bit."""

    conditions: tuple

    def __call__(self, facts: Facts) -> Answer:
        result: Answer = -1
        for condition in self.conditions:
            answer = condition(facts)
            result &= (-1 if answer else 0) if isinstance(answer, bool) else int(answer)
        return result

    def reads(self) -> tuple[str, ...]:
        """The field paths every condition looks at."""
        return tuple(path for condition in self.conditions for path in condition.reads())


def all_of(*conditions: Any) -> All:
    """:class:`All` over the given conditions."""
    return All(conditions)
