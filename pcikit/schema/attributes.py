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
clear) the field is read-only. Conditions are data, declared next to the field::

    Bits("aspm_control", 0, 2, access=RW, when=FieldBits("link_capabilities.aspm_support"))
    Bit("ari_forwarding_enable", 5, access=RW, when=Has("device_capabilities_2.ari_forwarding_supported"))
"""
from __future__ import annotations

from typing import Any, NamedTuple, Optional, Union

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

    def value(self, path: str) -> Any:
        """The decoded value at a dotted ``path`` (None when any step is missing)."""
        node = self.fields
        for step in path.split("."):
            if node is None:
                return None
            node = node.get(step) if hasattr(node, "get") else None
        return node


Answer = Union[bool, int]


class Has(NamedTuple):
    """True when any of the fields at ``paths`` is set (non-zero)."""

    paths: tuple[str, ...]

    def __call__(self, facts: Facts) -> Answer:
        return any(facts.value(path) for path in self.paths)


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


class Only(NamedTuple):
    """A fixed bit mask over the field: the bits of ``mask`` have the attribute, the others are RO
    (e.g. TC/VC Map, whose bit 0 is read-only)."""

    mask: int

    def __call__(self, facts: Facts) -> Answer:
        return self.mask


class Equals(NamedTuple):
    """True when ``(value at path) & mask == expected``."""

    path: str
    expected: int
    mask: int = -1

    def __call__(self, facts: Facts) -> Answer:
        value = facts.value(self.path)
        return value is not None and int(value) & self.mask == self.expected


class PortIn(NamedTuple):
    """True when the function's PCI Express Device/Port Type is one of ``types``."""

    types: frozenset

    def __call__(self, facts: Facts) -> Answer:
        return facts.port_type in self.types


def port_in(*types: int) -> PortIn:
    """:class:`PortIn` over the given Device/Port Types."""
    return PortIn(frozenset(types))


class Not(NamedTuple):
    """The opposite of a true/false condition."""

    condition: Any

    def __call__(self, facts: Facts) -> Answer:
        return not self.condition(facts)


class All(NamedTuple):
    """True when every condition is; int answers are combined bit by bit."""

    conditions: tuple

    def __call__(self, facts: Facts) -> Answer:
        result: Answer = -1
        for condition in self.conditions:
            answer = condition(facts)
            result &= (-1 if answer else 0) if isinstance(answer, bool) else int(answer)
        return result


def all_of(*conditions: Any) -> All:
    """:class:`All` over the given conditions."""
    return All(conditions)
