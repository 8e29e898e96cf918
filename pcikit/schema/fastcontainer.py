"""Containers whose fields read as attributes at a plain lookup's cost.

construct's Container answers ``c.name`` from its ``__getattr__``, which runs only after the
ordinary lookup has failed (~0.4 us a read); the subclasses made here declare each field as a
property getting the item (~0.04 us). Everything else is construct's Container: items, key
order, equality, repr, mutation (the properties read the items, so they follow them).
"""
from __future__ import annotations

from operator import itemgetter

from construct import Container

_ATTRIBUTES = frozenset(dir(Container))  # names construct's Container answers itself (methods, dunders)
_CLASSES: dict = {}


def container_class(names: tuple) -> type:
    """The Container subclass (one per set of field names) reading ``names`` as properties;
    names construct's Container answers itself (``items``, ``keys``...) stay its own."""
    found = _CLASSES.get(names)
    if found is None:
        members = {name: property(itemgetter(name)) for name in names
                   if name.isidentifier() and name not in _ATTRIBUTES}
        found = _CLASSES[names] = type("Container", (Container,), {"__slots__": (), **members})
    return found
