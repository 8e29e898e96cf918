"""``class X(NamedTuple)`` without importing :mod:`typing` at run time.

Importing ``typing`` costs about as much as the interpreter's own start-up, and
``typing.NamedTuple`` checks every field's annotation when the class is created;
``pcikit list`` creates a dozen such classes. This ``NamedTuple`` builds a class that
behaves as :func:`collections.namedtuple`'s (fields, defaults, ``_make``, ``_replace``,
``_asdict``, the repr) from the class body and checks nothing; it does not import
:mod:`collections` either (a millisecond at start-up), nor run namedtuple's generic
machinery per class. Modules import it as::

    TYPE_CHECKING = False
    if TYPE_CHECKING:
        from typing import NamedTuple  # what type checkers read
    else:
        from .tuples import NamedTuple
"""
from __future__ import annotations

try:
    from _collections import _tuplegetter  # CPython's field accessor, as namedtuple's
except ImportError:  # pragma: no cover - other interpreters
    from operator import itemgetter

    def _tuplegetter(index: int, doc: str) -> property:
        return property(itemgetter(index), doc=doc)

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
        extra = {"__annotations__": dict(namespace.get("__annotations__", {}))}
        for key, value in namespace.items():
            if key in _PROHIBITED:
                raise AttributeError(f"cannot overwrite NamedTuple attribute {key}")
            if key not in _SPECIAL and key not in fields:
                extra[key] = value
        return _namedtuple(typename, fields, defaults, namespace.get("__module__"), extra)


def _namedtuple(typename: str, fields: list[str], defaults: list, module: str, extra: dict) -> type:
    """A tuple subclass with these named fields, as :func:`collections.namedtuple` makes it, and
    the ``extra`` attributes of the class body (its docstring, methods), given to ``type()`` with
    the rest: setting them on the class afterwards costs a slot update each."""
    for name in fields:
        if not name.isidentifier() or name.startswith("_"):
            raise ValueError(f"{typename}: invalid field name {name!r}")
    arguments = ", ".join(fields)
    new = _new_function(typename, fields)
    new.__defaults__ = tuple(defaults) or None
    field_tuple = tuple(fields)
    body = {
        "__doc__": f"{typename}({arguments})", "__slots__": (), "_fields": field_tuple,
        "_field_defaults": dict(zip(fields[len(fields) - len(defaults):], defaults)),
        "__new__": new, "_make": classmethod(_make), "_replace": _replace, "__repr__": _repr,
        "_asdict": _asdict, "__getnewargs__": _getnewargs, "__match_args__": field_tuple, "__module__": module,
    }
    for index, name in enumerate(fields):
        body[name] = _tuplegetter(index, f"Alias for field number {index}")
    body.update(extra)
    return type(typename, (tuple,), body)


# ``__new__`` of 0 to 12 fields, compiled with this module: a class gets a copy with its own
# parameter names (compiling one per class, as namedtuple does, costs ~25 us each at start-up).
def _new0(_cls): return _tuple_new(_cls, ())  # noqa: E704
def _new1(_cls, a): return _tuple_new(_cls, (a,))  # noqa: E704
def _new2(_cls, a, b): return _tuple_new(_cls, (a, b))  # noqa: E704
def _new3(_cls, a, b, c): return _tuple_new(_cls, (a, b, c))  # noqa: E704
def _new4(_cls, a, b, c, d): return _tuple_new(_cls, (a, b, c, d))  # noqa: E704
def _new5(_cls, a, b, c, d, e): return _tuple_new(_cls, (a, b, c, d, e))  # noqa: E704
def _new6(_cls, a, b, c, d, e, f): return _tuple_new(_cls, (a, b, c, d, e, f))  # noqa: E704
def _new7(_cls, a, b, c, d, e, f, g): return _tuple_new(_cls, (a, b, c, d, e, f, g))  # noqa: E704
def _new8(_cls, a, b, c, d, e, f, g, h): return _tuple_new(_cls, (a, b, c, d, e, f, g, h))  # noqa: E704
def _new9(_cls, a, b, c, d, e, f, g, h, i): return _tuple_new(_cls, (a, b, c, d, e, f, g, h, i))  # noqa: E704
def _new10(_cls, a, b, c, d, e, f, g, h, i, j): return _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j))  # noqa: E704
def _new11(_cls, a, b, c, d, e, f, g, h, i, j, k): return _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k))  # noqa: E704
def _new12(_cls, a, b, c, d, e, f, g, h, i, j, k, m):
    return _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k, m))


_tuple_new = tuple.__new__
_NEW = (_new0, _new1, _new2, _new3, _new4, _new5, _new6, _new7, _new8, _new9, _new10, _new11, _new12)


def _new_function(typename: str, fields: list[str]):
    """``__new__(_cls, <fields>)`` building the tuple, its parameters named after the fields."""
    qualname = f"{typename}.__new__"
    if len(fields) < len(_NEW):
        template = _NEW[len(fields)]
        code = template.__code__.replace(co_varnames=("_cls", *fields), co_name="__new__")
        function = type(template)(code, template.__globals__, "__new__")
    else:
        arguments = ", ".join(fields)
        namespace = {"_tuple_new": _tuple_new}
        exec(f"def __new__(_cls, {arguments}):\n return _tuple_new(_cls, ({arguments},))", namespace)
        function = namespace["__new__"]
    function.__qualname__ = qualname
    return function


def _make(cls, iterable):
    result = tuple.__new__(cls, iterable)
    if len(result) != len(cls._fields):
        raise TypeError(f"Expected {len(cls._fields)} arguments, got {len(result)}")
    return result


def _replace(self, **changes):
    result = self._make(map(changes.pop, self._fields, self))
    if changes:
        raise ValueError(f"Got unexpected field names: {list(changes)!r}")
    return result


def _repr(self) -> str:
    return f"{type(self).__name__}(" + ", ".join(f"{name}={value!r}" for name, value in zip(self._fields, self)) + ")"


def _asdict(self) -> dict:
    return dict(zip(self._fields, self))


def _getnewargs(self) -> tuple:
    return tuple(self)


_Root = type.__new__(_NamedTupleMeta, "NamedTuple", (), {})  # the base a class statement sees


def NamedTuple(*args, **kwargs):  # noqa: N802 - stands in for typing.NamedTuple
    """Use as a base class only: ``class Address(NamedTuple): ...`` (see the module docstring)."""
    raise TypeError("pcikit.tuples.NamedTuple is a base class, not a function")


NamedTuple.__mro_entries__ = lambda bases: (_Root,)  # type: ignore[attr-defined]
