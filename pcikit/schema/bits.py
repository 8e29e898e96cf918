"""Registers as construct values: the raw integer plus named bit fields.

``Register(Int16ul, Bit("enable", 0), Bits("table_size", 0, 11, add=1))`` parses
to ``Container(raw=..., enable=..., table_size=...)`` and builds back from
either ``raw`` or the fields (fields win). It compiles to plain shifts, so
compiled schemas stay fast; derived fields (``shift``/``add``) keep the raw
encoding recoverable.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from construct import Container, Construct


class Bits(NamedTuple):
    """A field of ``width`` bits at bit ``lo``; value = (bits << shift) + add."""

    name: str
    lo: int
    width: int = 1
    shift: int = 0
    add: int = 0

    @property
    def mask(self) -> int:
        """The unshifted mask of the field."""
        return (1 << self.width) - 1

    @property
    def is_flag(self) -> bool:
        """Single-bit fields with no transform decode to bool."""
        return self.width == 1 and not self.shift and not self.add

    def decode(self, raw: int) -> Any:
        """The field's value within a raw register value."""
        value = (raw >> self.lo) & self.mask
        return bool(value) if self.is_flag else (value << self.shift) + self.add

    def encode(self, raw: int, value: Any) -> int:
        """``raw`` with this field replaced by ``value``."""
        bits = ((int(value) - self.add) >> self.shift) & self.mask
        return (raw & ~(self.mask << self.lo)) | (bits << self.lo)

    def expression(self) -> str:
        """Python source computing the field from a name ``raw``."""
        core = f"((raw >> {self.lo}) & {self.mask})"
        if self.is_flag:
            return f"bool{core}"
        return f"(({core} << {self.shift}) + {self.add})"


def Bit(name: str, lo: int) -> Bits:
    """A one-bit flag."""
    return Bits(name, lo)


class Register(Construct):
    """An integer register decoded into ``raw`` and named :class:`Bits` fields."""

    def __init__(self, subcon: Construct, *fields: Bits) -> None:
        super().__init__()
        self.subcon = subcon
        self.fields = fields

    def decode(self, raw: int) -> Container:
        """Container of ``raw`` and every field."""
        result = Container(raw=raw)
        for spec in self.fields:
            result[spec.name] = spec.decode(raw)
        return result

    def encode(self, obj: Any) -> int:
        """The raw value for a Container/dict (or a plain int)."""
        if isinstance(obj, int):
            return obj
        raw = obj.get("raw") or 0
        for spec in self.fields:
            if obj.get(spec.name) is not None:
                raw = spec.encode(raw, obj[spec.name])
        return raw

    def _parse(self, stream, context, path):
        return self.decode(self.subcon._parsereport(stream, context, path))

    def _build(self, obj, stream, context, path):
        raw = self.encode(obj)
        self.subcon._build(raw, stream, context, path)
        return self.decode(raw)

    def _sizeof(self, context, path):
        return self.subcon._sizeof(context, path)

    def _emitparse(self, code):
        fname = f"decode_register_{id(self)}"
        items = "".join(f", {spec.name!r}: {spec.expression()}" for spec in self.fields)
        code.append(f"def {fname}(raw):\n    return Container({{'raw': raw{items}}})\n")
        return f"{fname}({self.subcon._compileparse(code)})"
