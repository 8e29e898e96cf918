"""Which config space bytes each decoded field came from.

Byte ranges are derived from the construct schemas that decoded the fields: a
field starts where the sizes (``sizeof``) of the fields before it end, inside
the Struct parsed at a known offset. Bit fields of a register cover the bytes
holding their bits. For capabilities the schema parses are observed by
re-running the decoder with a recording context (decoders call
``ctx.parse(schema, rel)``), so decoders need no extra metadata.

A path names a field: ``("header", "common", "command", "bus_master")`` or
``("cap", 0x50, "message_control", "enable")`` (``"ecap"`` for extended ones).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Optional

from construct import Array, Construct, Container, IfThenElse, Renamed, Struct, Switch

from ..model import Capability, Device
from ..schema.bits import Register
from ..schema.context import DecodeContext

Path = tuple
CONFIG_BYTES = 4096
_SEARCH_DEPTH = 4


@dataclass(frozen=True)
class Span:
    """A field's bytes: ``start`` (absolute config offset) and ``length``; ``bits`` (lo, width) for bit fields."""

    path: Path
    start: int
    length: int
    bits: Optional[tuple[int, int]] = None

    @property
    def end(self) -> int:
        """One past the last byte."""
        return self.start + self.length

    def covers(self, offset: int) -> bool:
        """True when ``offset`` is one of this field's bytes."""
        return self.start <= offset < self.end


def _evaluate(func: Any, context: Any) -> Any:
    return func(context) if callable(func) else func


def _walk(con: Construct, value: Any, context: Any, start: int, path: Path, out: list[Span]) -> Optional[int]:
    """Append the spans of ``con`` parsed as ``value`` at ``start``; return its size (None: unknown)."""
    if isinstance(con, Renamed):
        return _walk(con.subcon, value, context, start, path, out)
    if isinstance(con, Struct):
        return _walk_struct(con, value, start, path, out)
    if isinstance(con, IfThenElse):
        branch = con.thensubcon if _evaluate(con.condfunc, context) else con.elsesubcon
        return _walk(branch, value, context, start, path, out)
    if isinstance(con, Switch):
        branch = con.cases.get(_evaluate(con.keyfunc, context), con.default)
        return _walk(branch, value, context, start, path, out)
    if isinstance(con, Array) and isinstance(value, list):
        return _walk_array(con, value, start, path, out)
    if isinstance(con, Register):
        return _walk_register(con, start, path, out)
    try:
        size = con.sizeof(**context) if isinstance(context, dict) else con.sizeof()
    except Exception:  # noqa: BLE001 - variable-size leaf: offsets after it are unknown
        return None
    if size:
        out.append(Span(path, start, size))
    return size


def _walk_struct(con: Struct, value: Any, start: int, path: Path, out: list[Span]) -> Optional[int]:
    position = start
    members = value if isinstance(value, dict) else Container()
    for sub in con.subcons:
        name = sub.name
        size = _walk(sub, members.get(name) if name else None, members, position, path + (name,) if name else path, out)
        if size is None:
            return None
        position += size
    if path and position > start:
        out.append(Span(path, start, position - start))
    return position - start


def _walk_array(con: Array, value: list, start: int, path: Path, out: list[Span]) -> Optional[int]:
    position = start
    for index, item in enumerate(value):
        size = _walk(con.subcon, item, Container(), position, path + (index,), out)
        if size is None:
            return None
        position += size
    if position > start:
        out.append(Span(path, start, position - start))
    return position - start


def _walk_register(con: Register, start: int, path: Path, out: list[Span]) -> int:
    size = con.sizeof()
    out.append(Span(path, start, size))
    for bits in con.fields:
        first, last = bits.lo // 8, (bits.lo + bits.width - 1) // 8
        out.append(Span(path + (bits.name,), start + first, last - first + 1, (bits.lo, bits.width)))
    return size


def schema_spans(schema: Construct, value: Any, start: int, path: Path = ()) -> list[Span]:
    """Spans of every field of ``schema`` parsed as ``value`` at absolute offset ``start``."""
    out: list[Span] = []
    _walk(schema, value, Container(), start, path, out)
    return out


class _RecordingContext(DecodeContext):
    """A DecodeContext that remembers every (schema, relative offset, result) parsed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.records: list = []

    def parse(self, schema: Construct, relative: int = 0) -> Container:
        """Parse as DecodeContext does, and remember what was parsed where."""
        result = super().parse(schema, relative)
        self.records.append((schema, relative, result))
        return result


def _locate(root: Any, target: Any, depth: int = 0) -> Optional[Path]:
    """The path of ``target`` (by identity) inside the decoded fields, or None."""
    if root is target:
        return ()
    if depth >= _SEARCH_DEPTH:
        return None
    if isinstance(root, dict):
        items: Iterable = ((k, v) for k, v in root.items() if not str(k).startswith("_"))
    elif isinstance(root, list):
        items = enumerate(root)
    else:
        return None
    for key, child in items:
        if isinstance(child, (dict, list)):
            found = _locate(child, target, depth + 1)
            if found is not None:
                return (key,) + found
    return None


def owner_path(cap: Capability) -> Path:
    """The path prefix of a capability's fields."""
    return ("ecap" if cap.extended else "cap", cap.offset)


def _decoder(cap: Capability) -> Any:
    from ..schema import registry

    return registry.extended_module(cap.cap_id) if cap.extended else registry.standard_module(cap.cap_id)


def capability_spans(cap: Capability) -> list[Span]:
    """Spans of one capability's fields; just its header when it has no decoder or fails to decode."""
    owner = owner_path(cap)
    header_length = 4 if cap.extended else 2
    spans: list[Span] = []
    module = _decoder(cap)
    if module is not None and cap.fields is not None:
        ctx = cap.device.decode_context(cap, _RecordingContext)
        try:
            result = module.decode(ctx)
        except Exception:  # noqa: BLE001 - the model already recorded why
            result = None
        for schema, relative, parsed in ctx.records if result is not None else ():
            where = _locate(result, parsed)
            if where is not None:
                spans.extend(schema_spans(schema, parsed, cap.offset + relative, owner + where))
    spans = [s for s in spans if s.path != owner]
    end = max([cap.offset + header_length] + [s.end for s in spans])
    spans.append(Span(owner, cap.offset, min(end, CONFIG_BYTES) - cap.offset))
    return spans


def device_spans(dev: Device) -> list[Span]:
    """Spans of the header and of every capability of ``dev``."""
    from ..schema.header import HEADER

    spans: list[Span] = []
    if dev.header is not None:
        spans.extend(schema_spans(HEADER, dev.header, 0, ("header",)))
    for cap in dev.capabilities + dev.extended_capabilities:
        spans.extend(capability_spans(cap))
    return spans


class FieldMap:
    """Spans of one device, looked up by path or by byte offset."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans = spans
        self._by_path = {span.path: span for span in spans}
        self._owner: list[Optional[Span]] = [None] * CONFIG_BYTES
        # Larger spans first so the innermost (whole-byte, non-bit) field wins.
        for span in sorted((s for s in spans if s.bits is None), key=lambda s: (-s.length, len(s.path))):
            for offset in range(span.start, min(span.end, CONFIG_BYTES)):
                self._owner[offset] = span

    @classmethod
    def of(cls, dev: Device) -> "FieldMap":
        """The map of every decoded field of ``dev``."""
        return cls(device_spans(dev))

    def span(self, path: Path) -> Optional[Span]:
        """The span of a field, or of the register a summary key was lifted from."""
        found = self._by_path.get(path)
        if found is not None or len(path) < 2:
            return found
        owner, key = path[:-1], path[-1]
        candidates = [
            s for s in self.spans
            if s.path[: len(owner)] == owner and len(s.path) > len(owner) + 1
            and (s.path[-1] == key or "_".join(map(str, s.path[-2:])) == key)
        ]
        return candidates[0] if len(candidates) == 1 else None

    def at(self, offset: int) -> Optional[Span]:
        """The innermost whole-byte field holding ``offset`` (registers, not their bits)."""
        return self._owner[offset] if 0 <= offset < CONFIG_BYTES else None

    def bit_fields_at(self, offset: int) -> list[Span]:
        """Bit fields whose bits live in the byte at ``offset``."""
        return [s for s in self.spans if s.bits is not None and s.covers(offset)]


def _owner(dev: Device, path: Path) -> Optional[Capability]:
    if len(path) < 2 or path[0] not in ("cap", "ecap"):
        return None
    caps = dev.extended_capabilities if path[0] == "ecap" else dev.capabilities
    return next((cap for cap in caps if cap.offset == path[1]), None)


def value_at(dev: Device, path: Path) -> Any:
    """The decoded value a path names (None when there is none)."""
    if not path:
        return None
    if path[0] == "header":
        value, rest = dev.header, path[1:]
    else:
        cap = _owner(dev, path)
        if cap is None:
            return None
        value, rest = cap.fields, path[2:]
    for key in rest:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def describe(dev: Device, path: Path) -> str:
    """``MSI-X [50] › message_control › enable`` for a path."""
    if not path:
        return ""
    if path[0] == "header":
        head, rest = "Header", path[1:]
    else:
        cap = _owner(dev, path)
        width = 3 if path[0] == "ecap" else 2
        head = f"{cap.name if cap else 'Capability'} [{path[1]:0{width}x}]"
        rest = path[2:]
    return " › ".join([head] + [f"[{k}]" if isinstance(k, int) else str(k) for k in rest])
