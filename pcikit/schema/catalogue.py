"""The register catalogue: where each register of a structure sits, and what its attributes make of it.

:func:`registers` walks a schema (a construct ``Struct`` of :class:`Register` and
:class:`Scalar` fields, with ``If``, ``Array``, ``Default``, ``Padding`` and
nested structs) alongside its decoded fields and yields every register present,
at its offset. :func:`placed_access` turns that into masks at config offsets:
what the mock device writes, clears, keeps across resets. The header and each
capability schema are read here; nothing else in pcikit lists register offsets
for the mock.
"""
from __future__ import annotations

from construct import Array, Computed, Construct, IfThenElse, Padded, Renamed, RepeatUntil, Struct, Subconstruct

from .attributes import Facts
from .bits import Placed, Register, Scalar

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Any, NamedTuple, Optional
else:
    from ..tuples import NamedTuple


class Located(NamedTuple):
    """One member of a structure: offset from the structure's start, field path, construct.

    ``register`` is a :class:`Register` or :class:`Scalar` (members with attributes)
    or the plain construct of a member that has none (read-only).
    """

    offset: int
    path: tuple[str, ...]
    register: Any

    @property
    def name(self) -> str:
        """The dotted field path."""
        return ".".join(self.path)


_sizes: dict[int, tuple[Construct, int]] = {}


def _sizeof(node: Construct) -> int:
    """``node.sizeof()``, remembered (construct computes it anew on every call)."""
    known = _sizes.get(id(node))
    if known is None or known[0] is not node:
        known = _sizes[id(node)] = (node, node.sizeof())
    return known[1]


class _Unknown(Exception):
    """A member whose size the walk cannot know (the rest of the structure is skipped)."""


def registers(schema: Construct, fields: Any, base: int = 0) -> list[Located]:
    """Every register and plain field of ``schema`` whose decoded value is present, in layout order."""
    found: list[Located] = []
    try:
        _walk(schema, fields, base, (), found)
    except _Unknown:
        pass
    return found


def _walk(node: Construct, value: Any, offset: int, path: tuple[str, ...], found: list[Located]) -> int:
    """Append the registers of ``node`` at ``offset``; return its size."""
    if isinstance(node, (Register, Scalar)):
        if value is not None:
            found.append(Located(offset, path, node))
        return _sizeof(node)
    if isinstance(node, Struct):
        size = 0
        for member in node.subcons:
            name = getattr(member, "name", None)
            child = value.get(name) if name and hasattr(value, "get") else None
            size += _walk(member, child, offset + size, path + ((name,) if name else ()), found)
        return size
    if isinstance(node, Renamed):
        return _walk(node.subcon, value, offset, path, found)
    if isinstance(node, IfThenElse):
        return _walk(node.thensubcon, value, offset, path, found) if value is not None else 0
    if isinstance(node, Computed):
        return 0
    if isinstance(node, Padded) and callable(node.length) and value is not None:
        _walk(node.subcon, value, offset, path, found)  # its length read from its own fields (an EA
        return node.length(value)  # entry's Entry Size), whatever its members cover
    if isinstance(node, (Array, RepeatUntil)) and isinstance(value, list) \
            and isinstance(node.subcon, (Register, Scalar, Struct, Padded)):
        size = 0  # elements laid end to end (a Struct element may hold a list of its own)
        for index, element in enumerate(value):
            size += _walk(node.subcon, element, offset + size, path + (str(index),), found)
        return size
    if isinstance(node, Subconstruct) and not isinstance(node, (Array, RepeatUntil)) and not hasattr(node, "length"):
        return _walk(node.subcon, value, offset, path, found)
    try:
        size = _sizeof(node)
    except Exception:  # noqa: BLE001 - construct raises SizeofError and friends
        raise _Unknown from None
    if value is not None and path and size:
        found.append(Located(offset, path, node))
    return size


def offsets(schema: Construct, fields: Any) -> dict[str, int]:
    """Dotted field path -> offset from the structure's start, for every member present."""
    return {located.name: located.offset for located in registers(schema, fields)}


def placed_access(schema: Construct, fields: Any, at: int, facts: Optional[Facts] = None) -> list[Placed]:
    """The masks of every register of ``schema`` decoded as ``fields``, placed at config offset ``at``."""
    return place(registers(schema, fields), at, facts if facts is not None else Facts(fields))


def place(found: list[Located], at: int, facts: Facts) -> list[Placed]:
    """The masks of the registers ``found`` (by :func:`registers`) for ``facts``, placed at ``at``.

    Each register's conditions see ``facts`` scoped to the structure holding it.
    """
    return [located.register.access(facts._replace(scope=located.path[:-1])).placed(at + located.offset)
            for located in found if isinstance(located.register, (Register, Scalar))]


def condition_paths(located: Located) -> set[str]:
    """The absolute field paths the conditions of one register read."""
    scope = ".".join(located.path[:-1])
    paths = set()
    for field in getattr(located.register, "fields", ()):
        for path in field.when.reads() if field.when is not None else ():
            paths.add(f"{scope}{path}" if path.startswith(".") and scope else path.lstrip("."))
    return paths
