"""Straight-line parsers generated from the construct schemas (construct stays the declaration).

:func:`generate` turns a schema into one Python function ``parse(data, pos)`` that reads its
fields with ``struct`` formats (a run of fixed-size fields in one ``unpack_from``) and decodes
registers with shifts, building the same Containers construct's ``parse`` gives (without its
``_io`` entry, as construct's own compiled parsers), of a subclass whose fields read as attributes
at a plain lookup's cost (:mod:`pcikit.schema.fastcontainer`). An array of a fixed count of integers
is read in its struct's run. Conditions, switches and counts keep their declared expressions: they
are called with a context holding the fields parsed so far (and ``_`` for the enclosing struct),
as construct evaluates them; a struct none of whose members evaluates one gets no context (no
expression could read it). A schema using a construct this module does not know gives None, and
stays construct's to parse.

The compiled code is kept between runs (:mod:`pcikit.schema.codecache`, keyed by a hash of
the source). A read past the end of ``data`` raises (``struct.error``, or
:class:`~pcikit.schema.context.ShortRead` for byte strings and padding), as does an expression
that cannot be evaluated; :func:`~pcikit.schema.context.parse_at` then lets construct parse, so
errors read exactly as construct words them. Tests check every
registry schema's parser against construct's parse over the whole corpus.
"""
from __future__ import annotations

import struct

from construct import (Array, Bytes, Computed, Construct, Container, Default, FormatField, IfThenElse, ListContainer,
                       Padded, Pass, Renamed, Struct, Switch)

from .bits import Register, Scalar
from .codecache import compiled
from .context import ShortRead
from .fastcontainer import container_class

TYPE_CHECKING = False  # typing is imported by type checkers only
if TYPE_CHECKING:
    from typing import Any, Callable, Optional

_FORMATS = {"<B": "B", "<H": "H", "<L": "L", "<I": "I", "<Q": "Q", "<b": "b", "<h": "h", "<l": "l", "<i": "i", "<q": "q"}


class Unsupported(Exception):
    """A construct the generator does not translate (internal)."""


class _Emitter:
    """Collects the function's lines, its constants and fresh local names."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, Any] = {"Container": Container, "ListContainer": ListContainer,
                                      "ShortRead": ShortRead, "_len": len}
        self.count = 0

    def local(self, stem: str) -> str:
        self.count += 1
        return f"{stem}{self.count}"

    def constant(self, value: Any, stem: str = "k") -> str:
        name = self.local(f"_{stem}")
        self.names[name] = value
        return name

    def line(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    def value_of(self, expression: Any, ctx: str) -> str:
        """Source for a declared value: a constant, or an expression/callable of the context."""
        if callable(expression):
            return f"{self.constant(expression, 'e')}({ctx})"
        return self.constant(expression)


def _format(node: Construct) -> Optional[str]:
    """The struct letter of a little-endian integer field (through Scalar/Default/Renamed), else None."""
    while isinstance(node, (Scalar, Default)):
        node = node.subcon
    if isinstance(node, FormatField):
        return _FORMATS.get(node.fmtstr)
    return None


def _run_letters(node: Construct) -> Optional[str]:
    """The struct letters a member of a run of fixed fields reads: an integer field's (a register's
    integer), or a fixed count of them (an Array of integers); None for any other member."""
    node = _unnamed(node)
    if isinstance(node, Array) and not node.discard and type(node.count) is int and node.count >= 0:
        letter = _format(node.subcon)
        return letter * node.count if letter else None
    return _format(node)


def _reads_context(node: Construct) -> bool:
    """True when parsing ``node`` may evaluate a declared expression (which reads the context)."""
    while isinstance(node, (Renamed, Scalar, Default, Register)):
        node = node.subcon
    if isinstance(node, FormatField) or node is Pass:
        return False
    if isinstance(node, Struct):
        return any(map(_reads_context, node.subcons))
    if isinstance(node, Computed):
        return callable(node.func)
    if isinstance(node, Bytes):
        return callable(node.length)
    if isinstance(node, Padded):
        return callable(node.length) or _reads_context(node.subcon)
    if isinstance(node, IfThenElse):
        return callable(node.condfunc) or _reads_context(node.thensubcon) or _reads_context(node.elsesubcon)
    if isinstance(node, Switch):
        return callable(node.keyfunc) or any(map(_reads_context, [*node.cases.values(), node.default]))
    if isinstance(node, Array):
        return callable(node.count) or _reads_context(node.subcon)
    return True  # a construct not translated: generation gives up on it anyway


def _emit(out: _Emitter, node: Construct, ctx: Optional[str], depth: int) -> str:
    """Statements parsing ``node`` at ``pos``; returns the local holding its value."""
    if isinstance(node, Renamed):
        return _emit(out, node.subcon, ctx, depth)
    if isinstance(node, (Scalar, Default)):
        return _emit(out, node.subcon, ctx, depth)
    if isinstance(node, Register):
        raw = _emit(out, node.subcon, ctx, depth)
        return _register(out, node, raw, depth)
    if isinstance(node, FormatField):  # another byte order or a float is read with its own format
        return _unpack(out, node.fmtstr[0], _format(node) or node.fmtstr[1:], depth)[0]
    if isinstance(node, Struct):
        return _struct(out, node, ctx, depth)
    if node is Pass:
        value = out.local("v")
        out.line(depth, f"{value} = None")
        return value
    if isinstance(node, Computed):
        value = out.local("v")
        out.line(depth, f"{value} = {out.value_of(node.func, ctx)}")
        return value
    if isinstance(node, Bytes):
        return _bytes(out, node, ctx, depth)
    if isinstance(node, Padded):
        return _padded(out, node, ctx, depth)
    if isinstance(node, IfThenElse):
        return _branches(out, node.condfunc, [(True, node.thensubcon)], node.elsesubcon, ctx, depth, truth=True)
    if isinstance(node, Switch):
        return _branches(out, node.keyfunc, list(node.cases.items()), node.default, ctx, depth)
    if isinstance(node, Array) and not node.discard:
        return _array(out, node, ctx, depth)
    raise Unsupported(type(node).__name__)


def _register(out: _Emitter, node: Register, raw: str, depth: int) -> str:
    value = out.local("r")
    out.line(depth, f"raw = {raw}")  # the name Bits.expression reads
    out.line(depth, f"{value} = {out.constant(container_class(node.names), 'C')}({node.items_source()})")
    return value


def _unpack(out: _Emitter, order: str, letters: str, depth: int) -> list[str]:
    """One ``unpack_from`` of the values ``letters`` name (struct letters, one value each) in byte
    ``order``; the locals holding them."""
    layout = struct.Struct(order + letters)
    values = [out.local("i") for _ in letters]
    if values:
        out.line(depth, f"{', '.join(values)}, = {out.constant(layout.unpack_from, 'u')}(data, pos)")
        out.line(depth, f"pos += {layout.size}")
    return values


def _struct(out: _Emitter, node: Struct, ctx: Optional[str], depth: int) -> str:
    inner, value = (out.local("c") if _reads_context(node) else None), out.local("s")
    if inner is not None:
        out.line(depth, f"{inner} = Container(_={ctx})")
    subcons = list(node.subcons)
    names = tuple(dict.fromkeys(sub.name for sub in subcons if sub.name))
    out.line(depth, f"{value} = {out.constant(container_class(names), 'C')}()")
    index = 0
    while index < len(subcons):
        run = index
        while run < len(subcons) and _run_letters(subcons[run]) is not None:
            run += 1
        if run > index:  # a run of integer fields (registers and integer arrays among them): one unpack
            results = _run(out, subcons[index:run], inner, depth)
        else:
            results = [_emit(out, subcons[index], inner, depth)]
            run = index + 1
        for sub, result in zip(subcons[index:run], results):
            if sub.name and inner is not None:
                out.line(depth, f"{value}[{sub.name!r}] = {inner}[{sub.name!r}] = {result}")
            elif sub.name:
                out.line(depth, f"{value}[{sub.name!r}] = {result}")
        index = run
    return value


def _run(out: _Emitter, subcons: list[Construct], ctx: Optional[str], depth: int) -> list[str]:
    """The values of a run of fixed fields, read with one unpack: registers decoded, arrays as lists."""
    letters = [_run_letters(sub) for sub in subcons]
    raws = iter(_unpack(out, "<", "".join(letters), depth))
    results = []
    for sub, read in zip(subcons, letters):
        node = _unnamed(sub)
        if isinstance(node, Array):
            value = out.local("a")
            out.line(depth, f"{value} = ListContainer([{', '.join(next(raws) for _ in read)}])")
            if ctx is not None and node.count:
                out.line(depth, f"{ctx}['_index'] = {node.count - 1}")  # as construct's loop leaves it
            results.append(value)
        else:
            results.append(_finish(out, sub, next(raws), depth))
    return results


def _unnamed(node: Construct) -> Construct:
    """The construct under any name; a Register is looked through to its integer field."""
    while isinstance(node, Renamed):
        node = node.subcon
    return node.subcon if isinstance(node, Register) else node


def _finish(out: _Emitter, sub: Construct, raw: str, depth: int) -> str:
    """A field read as part of a run: registers decode their raw value."""
    while isinstance(sub, Renamed):
        sub = sub.subcon
    return _register(out, sub, raw, depth) if isinstance(sub, Register) else raw


def _bytes(out: _Emitter, node: Bytes, ctx: Optional[str], depth: int) -> str:
    length, value = out.local("n"), out.local("b")
    out.line(depth, f"{length} = {out.value_of(node.length, ctx)}")
    out.line(depth, f"if {length} < 0 or pos + {length} > _len(data): raise ShortRead")
    out.line(depth, f"{value} = bytes(data[pos : pos + {length}])")
    out.line(depth, f"pos += {length}")
    return value


def _padded(out: _Emitter, node: Padded, ctx: Optional[str], depth: int) -> str:
    start, length = out.local("p"), out.local("n")
    out.line(depth, f"{start} = pos")
    out.line(depth, f"{length} = {out.value_of(node.length, ctx)}")
    value = _emit(out, node.subcon, ctx, depth)
    out.line(depth, f"if pos - {start} > {length} or {start} + {length} > _len(data): raise ShortRead")
    out.line(depth, f"pos = {start} + {length}")
    return value


def _branches(out: _Emitter, key: Any, cases: list, default: Construct, ctx: Optional[str], depth: int,
              truth: bool = False) -> str:
    """A switch (or an if): each case parsed in its own branch, into one local."""
    chosen, value = out.local("w"), out.local("v")
    out.line(depth, f"{chosen} = {out.value_of(key, ctx)}")
    for number, (case, sub) in enumerate(cases):
        test = f"{chosen}" if truth else f"{chosen} == {out.constant(case)}"
        out.line(depth, f"{'if' if number == 0 else 'elif'} {test}:")
        out.line(depth + 1, f"{value} = {_emit(out, sub, ctx, depth + 1)}")
    out.line(depth, "else:")
    out.line(depth + 1, f"{value} = {_emit(out, default, ctx, depth + 1)}")
    return value


def _array(out: _Emitter, node: Array, ctx: Optional[str], depth: int) -> str:
    count, value, index = out.local("n"), out.local("a"), out.local("j")
    out.line(depth, f"{count} = {out.value_of(node.count, ctx)}")
    out.line(depth, f"if not 0 <= {count}: raise ShortRead")
    out.line(depth, f"{value} = ListContainer()")
    out.line(depth, f"for {index} in range({count}):")
    if ctx is not None:
        out.line(depth + 1, f"{ctx}['_index'] = {index}")
    out.line(depth + 1, f"{value}.append({_emit(out, node.subcon, ctx, depth + 1)})")
    return value


def generate(schema: Construct) -> Optional[Callable[[Any, int], Any]]:
    """``parse(data, pos)`` for ``schema`` (as ``schema.parse(data[pos:])``), or None when
    the schema uses a construct this module does not translate."""
    out = _Emitter()
    root = "root" if _reads_context(schema) else None
    try:
        result = _emit(out, schema, root, 0)
    except Unsupported:
        return None
    head = ["def parse(data, pos):", *(["    root = Container()"] if root else [])]
    source = "\n".join([*head, *("    " + line for line in out.lines), f"    return {result}", ""])
    namespace = dict(out.names)
    exec(compiled(source, f"parser of a {type(schema).__name__}"), namespace)
    parse = namespace["parse"]
    parse.source = source  # for reading what was generated
    return parse
