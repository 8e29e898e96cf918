"""Registers as construct values: the raw integer plus named bit fields.

``Register(Int16ul, Bit("enable", 0), Bits("table_size", 0, 11, add=1))`` parses
to ``Container(raw=..., enable=..., table_size=...)`` and builds back from
either ``raw`` or the fields (fields win). It compiles to plain shifts, so
compiled schemas stay fast; derived fields (``shift``/``add``) keep the raw
encoding recoverable.

Each field also declares its access attribute, its reset value (in the field's
raw encoding) and, when the attribute depends on the device, a condition
(:mod:`pcikit.schema.attributes`). :meth:`Register.access` turns them into the
register's masks. :class:`Scalar` gives a plain integer field attributes
without changing what it decodes to.
"""
from __future__ import annotations

from construct import Container, Construct, Subconstruct

from .attributes import CLEARABLE, RO, RSVDP, SETTABLE, SOFTWARE_SET, STICKY, WRITABLE, Facts
from .context import GENERATE_AFTER

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Any, Callable, Mapping, NamedTuple, Optional
else:
    from ..tuples import NamedTuple


class Bits(NamedTuple):
    """A field of ``width`` bits at bit ``lo``; value = (bits << shift) + add."""

    name: str
    lo: int
    width: int = 1
    shift: int = 0
    add: int = 0
    access: str = RO
    reset: Any = 0  # an int, None (a reset keeps the value) or a condition answering the int
    when: Any = None

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
        """Python source computing the field from a name ``raw``, in as few operations as it takes
        (generated parsers run it for every field of every register they read)."""
        if self.is_flag:
            return f"((raw & {1 << self.lo}) != 0)"
        value = f"(raw >> {self.lo}) & {self.mask}" if self.lo else f"raw & {self.mask}"
        if self.shift:
            value = f"({value}) << {self.shift}"
        if self.add:
            value = f"({value}) + {self.add}"
        return f"({value})"


    def allowed(self, facts: Optional[Facts]) -> int:
        """The register bits where this field has its declared attribute (RO elsewhere)."""
        if self.when is None:
            return self.mask << self.lo
        if facts is None:
            return 0
        answer = self.when(facts)
        if isinstance(answer, bool):
            return self.mask << self.lo if answer else 0
        return (int(answer) & self.mask) << self.lo

    def reset_value(self, facts: Optional[Facts]) -> Optional[int]:
        """The field's reset value (raw encoding) for the device ``facts`` describe; None: kept."""
        if callable(self.reset):
            return int(self.reset(facts)) if facts is not None else None
        return self.reset

def Bit(name: str, lo: int, access: str = RO, reset: int = 0, when: Any = None) -> Bits:
    """A one-bit flag."""
    return Bits(name, lo, access=access, reset=reset, when=when)


class Access(NamedTuple):
    """What a register's attributes mean for its bits (all masks over the register's width).

    ``reset_mask`` holds the bits a reset sets to ``reset`` (software-set fields);
    the others (RO, HwInit, reserved) keep the value the device has.
    """

    width: int
    writable: int = 0
    clear: int = 0
    set: int = 0
    sticky: int = 0
    reset_mask: int = 0
    reset: int = 0

    def placed(self, offset: int) -> "Placed":
        """These masks at config ``offset``."""
        return Placed(offset, *self)


class Placed(NamedTuple):
    """:class:`Access` of a register at a config offset."""

    offset: int
    width: int
    writable: int = 0
    clear: int = 0
    set: int = 0
    sticky: int = 0
    reset_mask: int = 0
    reset: int = 0


def field_access(fields: tuple[Bits, ...], width: int, facts: Optional[Facts]) -> Access:
    """The masks ``fields`` declare, for a register ``width`` bytes wide."""
    writable = clear = settable = sticky = reset_mask = reset = 0
    for field in fields:
        bits = field.allowed(facts)
        if not bits or field.access not in SOFTWARE_SET and field.access not in STICKY:
            continue
        if field.access in WRITABLE:
            writable |= bits
        elif field.access in CLEARABLE:
            clear |= bits
        elif field.access in SETTABLE:
            settable |= bits
        if field.access in STICKY:
            sticky |= bits
        value = field.reset_value(facts)
        if field.access in SOFTWARE_SET and value is not None:  # None: a reset keeps the value
            reset_mask |= bits
            reset = (reset & ~bits) | ((value << field.lo) & bits)
    return Access(width, writable, clear, settable, sticky, reset_mask, reset)


def _fixed_access(fields: tuple[Bits, ...], subcon: Construct) -> Optional[Access]:
    """The masks of a register whose fields have no conditions (computed once), else None."""
    if any(field.when is not None or callable(field.reset) for field in fields):
        return None
    return field_access(fields, subcon.sizeof(), None)


_LATER = object()  # a register's fixed masks before its first access(): decoding never asks for them


def _access(con: Any, facts: Optional[Facts]) -> Access:
    """:meth:`Register.access` and :meth:`Scalar.access`: the fixed masks (computed on first use), else
    the masks for ``facts``."""
    if con._fixed is _LATER:
        con._fixed = _fixed_access(con.fields, con.subcon)
    return con._fixed or field_access(con.fields, con.subcon.sizeof(), facts)


class Register(Construct):
    """An integer register decoded into ``raw`` and named :class:`Bits` fields.

    ``reserved`` is the attribute of the bits no field covers (RsvdP or RsvdZ).
    """

    def __init__(self, subcon: Construct, *fields: Bits, reserved: str = RSVDP) -> None:
        super().__init__()
        self.subcon = subcon
        self.fields = fields
        self.reserved = reserved
        self._fixed: Any = _LATER
        self._uses = 0
        self._decoder: Optional[Callable[[int], Container]] = None

    def access(self, facts: Optional[Facts] = None) -> Access:
        """The register's masks for a device described by ``facts`` (conditions false without)."""
        return _access(self, facts)

    def field(self, name: str) -> Bits:
        """The field called ``name``; KeyError when the register has none."""
        for bits in self.fields:
            if bits.name == name:
                return bits
        raise KeyError(name)

    def retyped(self, access: str, resets: Optional[Mapping[str, int]] = None) -> "Register":
        """The same layout with every field ``access`` (and reset values by field name).

        For registers that share one layout but not one attribute (AER status, mask
        and severity).
        """
        resets = resets or {}
        fields = tuple(f._replace(access=access, reset=resets.get(f.name, 0)) for f in self.fields)
        return Register(self.subcon, *fields, reserved=self.reserved)

    @property
    def names(self) -> tuple:
        """The keys of a decoded value: ``raw`` and every field's name."""
        return ("raw", *(spec.name for spec in self.fields))

    def items_source(self) -> str:
        """Python source of the decoded value's items as a dict display, from a name ``raw``."""
        items = "".join(f", {spec.name!r}: {spec.expression()}" for spec in self.fields)
        return f"{{'raw': raw{items}}}"

    def decode(self, raw: int) -> Container:
        """Container of ``raw`` and every field; a register decoded often is decoded by a function
        generated from its fields' expressions (as generated parsers decode it), into a Container
        reading its fields as attributes at a plain lookup's cost."""
        decoder = self._decoder
        if decoder is None:
            self._uses += 1
            if self._uses <= GENERATE_AFTER:
                result = Container(raw=raw)
                for spec in self.fields:
                    result[spec.name] = spec.decode(raw)
                return result
            decoder = self._decoder = self._generated()
        return decoder(raw)

    def _generated(self) -> Callable[[int], Container]:
        from .codecache import compiled
        from .fastcontainer import container_class

        namespace = {"_C": container_class(self.names)}
        exec(compiled(f"def decode(raw):\n    return _C({self.items_source()})\n", "register decoder"), namespace)
        return namespace["decode"]

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
        code.append(f"def {fname}(raw):\n    return Container({self.items_source()})\n")
        return f"{fname}({self.subcon._compileparse(code)})"


class Scalar(Subconstruct):
    """A plain integer field (decodes to an int, as its subcon does) whose bits have attributes.

    ``Scalar(Int8ul, Bits("value", 0, 8, access=RW))``; see :func:`whole` for the
    common one-field case.
    """

    def __init__(self, subcon: Construct, *fields: Bits) -> None:
        super().__init__(subcon)
        self.fields = fields
        self._fixed: Any = _LATER
        self._uses = 0
        self._decoder: Optional[Callable[[int], Container]] = None

    def access(self, facts: Optional[Facts] = None) -> Access:
        """The field's masks for a device described by ``facts``."""
        return _access(self, facts)

    def _emitparse(self, code):
        return self.subcon._compileparse(code)

    def _emitbuild(self, code):
        return self.subcon._compilebuild(code)


def whole(subcon: Construct, access: str, reset: int = 0, when: Any = None) -> Scalar:
    """A plain integer field whose every bit has ``access``."""
    return Scalar(subcon, Bits("value", 0, 8 * subcon.sizeof(), access=access, reset=reset, when=when))
