"""pcikit.tuples.NamedTuple behaves as typing.NamedTuple does (the class a type checker is told it is)."""
from __future__ import annotations

import pickle
import typing

import pytest

from pcikit.tuples import NamedTuple


class Point(NamedTuple):
    """A point."""

    x: int
    y: int = 0

    def norm1(self) -> int:
        return abs(self.x) + abs(self.y)

    @property
    def swapped(self) -> "Point":
        return Point(self.y, self.x)

    def __str__(self) -> str:
        return f"<{self.x},{self.y}>"

    def __repr__(self) -> str:
        return "P" + super().__repr__()  # a __class__ cell (typing's own NamedTuple refuses one in 3.11)


class Reference(typing.NamedTuple):
    """A point."""

    x: int
    y: int = 0


def test_fields_defaults_and_tuple_behaviour_as_typing_namedtuple():
    p = Point(3, -4)
    ref = Reference(3, -4)
    assert tuple(p) == tuple(ref) and p == (3, -4) and hash(p) == hash(ref)
    assert Point._fields == Reference._fields == ("x", "y")
    assert Point._field_defaults == Reference._field_defaults == {"y": 0}
    assert Point(1) == Reference(1) and Point(y=2, x=1) == (1, 2)
    assert p._replace(y=9) == ref._replace(y=9) and p._asdict() == ref._asdict()
    assert Point._make([5, 6]) == Reference._make([5, 6]) and type(Point._make([5, 6])) is Point
    assert Point.__match_args__ == Reference.__match_args__
    assert pickle.loads(pickle.dumps(p)) == p and type(pickle.loads(pickle.dumps(p))) is Point
    with pytest.raises(TypeError):
        Point()
    with pytest.raises(ValueError):
        p._replace(z=1)


def test_the_class_body_is_the_class():
    p = Point(3, -4)
    assert Point.__doc__ == "A point." and Point.__qualname__ == "Point" and Point.__module__ == __name__
    assert Point.__annotations__ == {"x": "int", "y": "int"}
    assert p.norm1() == 7 and p.swapped == (-4, 3) and str(p) == "<3,-4>"
    assert repr(p) == "P" + tuple.__repr__(p)


def test_definitions_typing_refuses_are_refused():
    with pytest.raises(TypeError):
        class _Late(NamedTuple):
            a: int = 0
            b: int
    with pytest.raises(AttributeError):
        class _Own(NamedTuple):
            a: int

            def _asdict(self):
                return {}
