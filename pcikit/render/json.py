"""The stable JSON document (docs/json-schema.md, docs/pcikit.schema.json): one object per device,
in the order given (the CLI gives lspci's order)."""
from __future__ import annotations

try:  # json's own C escaper (json.encoder's, when it has it) without importing the json package
    from _json import encode_basestring_ascii as _escape
except ImportError:  # pragma: no cover - interpreters without the C accelerator
    from json.encoder import encode_basestring_ascii as _escape

from ..ids import IdDatabase
from ..model import Capability, Device
from .fields import plain

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Any, Callable, Iterable, Iterator, Mapping, Optional


def _names(dev: Device, ids: Optional[IdDatabase]) -> dict[str, Optional[str]]:
    if ids is None:
        return {"vendor": None, "device": None, "subsystem": None, "class": None}
    klass = ids.subclass_name(dev.class_code >> 16, (dev.class_code >> 8) & 0xFF)
    return {
        "vendor": ids.vendor(dev.vendor_id),
        "device": ids.device(dev.vendor_id, dev.device_id),
        "subsystem": _subsystem_name(dev, ids),
        "class": klass if klass is not None else ids.class_name(dev.class_code >> 16),
    }


def _subsystem_name(dev: Device, ids: IdDatabase) -> Optional[str]:
    """The subsystem's own entry, else (as lspci does) the device name when they are equal."""
    sub = dev.subsystem
    if not sub:
        return None
    name = ids.subsystem(dev.vendor_id, dev.device_id, *sub)
    if name is None and sub == (dev.vendor_id, dev.device_id):
        name = ids.device(dev.vendor_id, dev.device_id)
    return name


def _as_decoded(value: Any) -> Any:
    """Decoded fields left as they are (the writer applies :func:`plain`'s rules as it goes)."""
    return value


def _capability(cap: Capability, convert: Callable[[Any], Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"offset": cap.offset, "id": cap.cap_id}
    if cap.extended:
        entry["version"] = cap.version
    entry["name"] = cap.name
    entry["fields"] = convert(cap.fields) if cap.fields is not None else None
    return entry


def _bars(dev: Device) -> list[dict[str, Any]]:
    return [
        {
            "index": bar.index,
            "space": bar.space,
            "address": bar.address,
            "bits": bar.bits,
            "prefetchable": bar.prefetchable,
            "size": bar.size,
        }
        for bar in dev.bars
    ]


def _interrupts(dev: Device, regions: Optional[tuple]) -> dict[str, Any]:
    """``interrupts`` always; ``msix_table`` and ``pba`` when the table's BAR could be read."""
    from .. import interrupts

    summary = interrupts.interrupt_summary(dev, *(regions or ()))
    extra: dict[str, Any] = {"interrupts": summary.to_json()}
    state = summary.msix
    if state is not None and state.unread is None and state.vectors:
        extra["msix_table"] = [v.to_json() for v in state.vectors]
        extra["pba"] = [v.pending for v in state.vectors]
    return extra


def device_document(dev: Device, ids: Optional[IdDatabase] = None, regions: Optional[tuple] = None) -> dict[str, Any]:
    """The JSON object of one device (plain dicts, lists, numbers, strings).

    ``regions`` is (BAR index -> mapped region, BAR index -> why unmapped); with the
    MSI-X table's BAR mapped, the document carries ``msix_table`` and ``pba``.
    """
    return _document(dev, ids, regions, plain)


def _document(dev: Device, ids: Optional[IdDatabase], regions: Optional[tuple],
              convert: Callable[[Any], Any]) -> dict[str, Any]:
    """:func:`device_document` with the decoded fields passed through ``convert``."""
    header = dev.header
    sub = dev.subsystem
    problems = dev.problems
    return {
        "slot": str(dev.address),
        "vendor_id": dev.vendor_id,
        "device_id": dev.device_id,
        "subsystem_vendor_id": sub[0] if sub else None,
        "subsystem_id": sub[1] if sub else None,
        "revision": dev.revision,
        "class_code": dev.class_code,
        "header_type": dev.header_type,
        "multifunction": dev.multifunction,
        "config_size": dev.config.size,
        "names": _names(dev, ids),
        "command": convert(header.common.command) if header else None,
        "status": convert(header.common.status) if header else None,
        "interrupt": {"pin": dev.interrupt.pin, "line": dev.interrupt.line},
        "bars": _bars(dev) if header else [],
        "capabilities": [_capability(c, convert) for c in dev.capabilities],
        "extended_capabilities": [_capability(c, convert) for c in dev.extended_capabilities],
        "driver": dev.kernel.driver if dev.kernel else None,
        "header": convert(header) if header else None,
        **(_interrupts(dev, regions) if header else {}),
        "problems": problems,
    }


def _float(value: float) -> str:
    """A float as json writes it (``NaN``, ``Infinity`` and ``-Infinity`` included)."""
    if value != value:
        return "NaN"
    if value in (_INFINITY, -_INFINITY):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


_INFINITY = float("inf")
_KEYWORDS = {None: "null", True: "true", False: "false"}


def _key(key: Any) -> str:
    """A dict key as json converts it (strings, numbers, booleans and None)."""
    if isinstance(key, str):
        return key
    if isinstance(key, float):
        return _float(key)
    if key is True or key is False or key is None:
        return _KEYWORDS[key]
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _indented(value: Any, newline: str, write: Callable[[str], None], fields: bool = False) -> None:
    """Write ``value`` exactly as ``json.dumps(value, indent=2)`` does at the nesting ``newline`` gives.

    With ``fields``, decoded fields are written as ``json.dumps(plain(value), indent=2)`` would write
    them (:func:`~pcikit.render.fields.plain`: ``_`` keys dropped, other keys as str, bytes as hex,
    anything else as its str), without building the plain copy first.
    """
    write(_text(value, newline, fields))


def _text(value: Any, newline: str, fields: bool) -> str:
    """The text :func:`_indented` writes.

    json's indented encoder is pure Python and generator-driven (its C encoder cannot indent);
    this one builds each container's text with one join, in a third of the time. Strings go
    through json's own C escaper.
    """
    kind = type(value)
    if kind is str:
        return _escape(value)
    if value is None or value is True or value is False:
        return _KEYWORDS[value]
    if kind is int:
        return int.__repr__(value)
    if isinstance(value, dict):
        return _dict_text(value, newline, fields)
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        inner = newline + "  "
        return "[" + inner + ("," + inner).join([_text(item, inner, fields) for item in value]) + newline + "]"
    return _leaf_text(value, fields)


def _dict_text(value: dict, newline: str, fields: bool) -> str:
    inner = newline + "  "
    parts: list[str] = []
    append = parts.append
    named = _KEY_TEXT
    for key, item in value.items():
        start = named.get(key)
        if start is None:
            if type(key) is not str:
                key = str(key) if fields else _key(key)
            if fields and key[:1] == "_":
                continue
            start = _escape(key) + ": "
            if type(key) is str and key[:1] != "_" and len(named) < _KEY_TEXTS:  # kept in either mode
                named[key] = start
        if item is True:  # the common leaves inline, flags first (most fields are flags)
            append(start + "true")
            continue
        if item is False:
            append(start + "false")
            continue
        kind = type(item)  # exact types: subclasses take the long way
        if kind is int:
            append(start + int.__repr__(item))
        elif kind is str:
            append(start + _escape(item))
        elif item is None:
            append(start + "null")
        else:
            append(start + _text(item, inner, fields))
    if not parts:
        return "{}"
    return "{" + inner + ("," + inner).join(parts) + newline + "}"


_KEY_TEXT: dict[str, str] = {}  # field name -> its JSON text and ": " (names repeat device after device)
_KEY_TEXTS = 1 << 16  # bounded: keys are field names, but a document may carry any


def _leaf_text(value: Any, fields: bool) -> str:
    """A value that is not an exact str, int, bool, None, dict, list or tuple: as json writes it,
    or with ``fields`` as json writes what plain() turns it into."""
    if fields and isinstance(value, (bytes, bytearray)):
        return _escape(value.hex())
    if isinstance(value, str):
        return _escape(str(value) if fields else value)
    if isinstance(value, int):  # bool is exact (no subclasses): int subclasses stay numbers
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    if fields:
        return _escape(str(value))
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(devices: Iterable[Device], ids: Optional[IdDatabase] = None,
          regions: Optional[Mapping[Any, tuple]] = None) -> str:
    """The JSON array for ``devices``; ``regions`` maps an address to (regions, why unmapped)."""
    return "".join(iter_dumps(devices, ids, regions))


def iter_dumps(devices: Iterable[Device], ids: Optional[IdDatabase] = None,
               regions: Optional[Mapping[Any, tuple]] = None) -> Iterator[str]:
    """:func:`dumps` in pieces, one device at a time (the same text, joined).

    Only one device's document exists at a time, so a caller that hands over devices it no
    longer holds (see the CLI) writes any number of them in bounded memory.
    """
    regions = regions or {}
    first = True
    for dev in devices:
        yield ("[\n  " if first else ",\n  ") + _text(_document(dev, ids, regions.get(dev.address), _as_decoded),
                                                       "\n  ", True)
        first = False
    yield "[]" if first else "\n]"
