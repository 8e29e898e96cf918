"""``class X(NamedTuple)`` without importing :mod:`typing` at run time.

Importing ``typing`` costs about as much as the interpreter's own start-up, and
``typing.NamedTuple`` checks every field's annotation when the class is created;
``pcikit list`` creates a dozen such classes. This ``NamedTuple`` builds the same
:func:`collections.namedtuple` from the class body (annotated fields, defaults,
methods, docstring) and checks nothing. Modules import it as::

    TYPE_CHECKING = False
    if TYPE_CHECKING:
        from typing import NamedTuple  # what type checkers read
    else:
        from .tuples import NamedTuple
"""
from __future__ import annotations

from collections import namedtuple

# what a class body may not define (namedtuple's own machinery), and what it defines anyway
_PROHIBITED = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults",
                         "_make", "_replace", "_asdict", "_source"})
_SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})


class _NamedTupleMeta(type):
    """Turns ``class X(NamedTuple): field: type [= default] ...`` into a namedtuple class."""

    def __new__(mcs, typename: str, bases: tuple, namespace: dict):  # noqa: N804 - a metaclass
        if bases != (_Root,):
            raise TypeError("a NamedTuple class can only inherit from NamedTuple")
        fields = list(namespace.get("__annotations__", {}))
        defaults = []
        for name in fields:
            if name in namespace:
                defaults.append(namespace[name])
            elif defaults:
                raise TypeError(f"{typename}: field {name} without a default follows fields with one")
        cls = namedtuple(typename, fields, defaults=defaults, module=namespace.get("__module__"))
        cls.__annotations__ = dict(namespace.get("__annotations__", {}))
        for key, value in namespace.items():
            if key in _PROHIBITED:
                raise AttributeError(f"cannot overwrite NamedTuple attribute {key}")
            if key not in _SPECIAL and key not in fields:
                setattr(cls, key, value)
        return cls


_Root = type.__new__(_NamedTupleMeta, "NamedTuple", (), {})  # the base a class statement sees


def NamedTuple(*args, **kwargs):  # noqa: N802 - stands in for typing.NamedTuple
    """Use as a base class only: ``class Address(NamedTuple): ...`` (see the module docstring)."""
    raise TypeError("pcikit.tuples.NamedTuple is a base class, not a function")


NamedTuple.__mro_entries__ = lambda bases: (_Root,)  # type: ignore[attr-defined]
