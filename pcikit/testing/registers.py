"""A mock's per-byte register masks, read from the schema catalogue.

The header schema and every decoded capability's schema declare their fields'
attributes (:mod:`pcikit.schema.attributes`); this module places them in config
space as byte masks: writable, write-1-to-clear, write-1-to-set, sticky, and the
value a reset loads. Bytes the header owns (0x00-0x3f, or 0x47 for CardBus) take
the header's attributes only: a capability whose registers overlap the header
can never make a header byte writable.
"""
from __future__ import annotations

import weakref
from typing import Iterable, NamedTuple, Optional

from ..model import Capability, Device
from ..schema import header as header_schema
from ..schema import registry
from ..schema.attributes import Facts
from ..schema.bits import Placed
from ..schema.attributes import SOFTWARE_SET
from ..schema.catalogue import Located, condition_paths, offsets, place, registers
from ..schema.context import parse_at

BODY_OFFSET = header_schema.COMMON.sizeof()  # the type-specific body follows the common 16 bytes


def _offsets_of(schema, base: int) -> dict[str, int]:
    return {path: base + rel for path, rel in offsets(schema, schema.parse(bytes(schema.sizeof()))).items()}


COMMON = _offsets_of(header_schema.COMMON, 0)  # header register offsets by field name
BODY = {kind: _offsets_of(schema, BODY_OFFSET) for kind, schema in header_schema.BODIES.items()}
HEADER_END = {kind: BODY_OFFSET + schema.sizeof() for kind, schema in header_schema.BODIES.items()}
COMMAND = COMMON["command"]
STATUS = COMMON["status"]


class Masks(NamedTuple):
    """Per-byte masks of a config image, and the image a reset loads."""

    writable: bytearray
    clear: bytearray
    set: bytearray
    sticky: bytearray
    reset: bytearray


# The header layouts have no optional members: each is walked once, on zeros.
_HEADER_REGISTERS = {id(schema): registers(schema, schema.parse(bytes(schema.sizeof())))
                     for schema in (header_schema.COMMON, header_schema.VF_COMMON, *header_schema.BODIES.values())}


def header_access(model: Device, virtual_function: bool = False) -> list[Placed]:
    """The header's registers (common part and the type's body), BARs and ROM aside; a VF's
    common part has the VF attributes (``header.VF_COMMON``)."""
    image = model.image
    common_schema = header_schema.VF_COMMON if virtual_function else header_schema.COMMON
    common = parse_at(common_schema, image, 0)
    body_schema = header_schema.BODIES.get(model.header_type)
    body = parse_at(body_schema, image, BODY_OFFSET) if body_schema is not None else {}
    facts = Facts({**common, **body}, model.port_type, model.header_type)
    placed = place(_HEADER_REGISTERS[id(common_schema)], 0, facts)
    if body_schema is not None:
        placed += place(_HEADER_REGISTERS[id(body_schema)], BODY_OFFSET, facts)
    return placed


def _schema(cap: Capability):
    """The schema a capability was decoded with: the module's ``schema_of(fields)`` or its ``SCHEMA``."""
    module = registry.extended_module(cap.cap_id) if cap.extended else registry.standard_module(cap.cap_id)
    if hasattr(module, "schema_of") and cap.fields is not None:
        return module.schema_of(cap.fields)
    return getattr(module, "SCHEMA", None)


_located: "weakref.WeakKeyDictionary[Capability, list[Located]]" = weakref.WeakKeyDictionary()


def _registers_of(cap: Capability) -> list[Located]:
    """The members of a decoded capability at their offsets from it (walked once per capability)."""
    found = _located.get(cap)
    if found is None:
        schema = _schema(cap)
        found = _located[cap] = registers(schema, cap.fields) if schema is not None and cap.fields is not None else []
    return found


def locate(cap: Optional[Capability]) -> dict[str, int]:
    """Config offsets of a capability's registers by dotted field path (empty without one)."""
    if cap is None:
        return {}
    return {located.name: cap.offset + located.offset for located in _registers_of(cap)}


def bit(register, name: str) -> int:
    """The mask of field ``name`` within a schema Register."""
    field = register.field(name)
    return field.mask << field.lo


def registers_of(model: Device, cap: Capability) -> list[Placed]:
    """The masks of one capability's registers (none when no schema module decodes it)."""
    found = _registers_of(cap)
    return place(found, cap.offset, Facts(cap.fields, model.port_type, model.header_type)) if found else []


def capability_access(model: Device) -> list[Placed]:
    """The registers of every capability whose schema module decodes it."""
    return [reg for cap in model.capabilities + model.extended_capabilities for reg in registers_of(model, cap)]


def _software_set(located: Located, path: str) -> bool:
    """True when ``path`` names a field of the register ``located`` that software sets."""
    fields = getattr(located.register, "fields", ())
    if path == located.name:
        return any(field.access in SOFTWARE_SET for field in fields)
    prefix = located.name + "."
    return path.startswith(prefix) and any(
        field.name == path[len(prefix):] and field.access in SOFTWARE_SET for field in fields)


def live_registers(cap: Capability) -> list[Located]:
    """The registers of ``cap`` holding a field that software sets and a condition of ``cap`` reads
    (CXL CONFIG_LOCK): writing one changes what the others' attributes are."""
    found = _registers_of(cap)
    read = set().union(*(condition_paths(located) for located in found))
    return [located for located in found if any(_software_set(located, path) for path in read)]


def put(masks: Masks, reg: Placed, floor: int, base: bytes, kept: Optional[bytes] = None) -> None:
    """Set ``reg``'s bytes at or past ``floor`` in ``masks`` (not those ``kept`` marks); bytes a
    reset keeps come from ``base``."""
    for index in range(reg.width):
        at = reg.offset + index
        if not floor <= at < len(masks.writable) or kept is not None and kept[at]:
            continue
        shift = 8 * index
        masks.writable[at] = (reg.writable >> shift) & 0xFF
        masks.clear[at] = (reg.clear >> shift) & 0xFF
        masks.set[at] = (reg.set >> shift) & 0xFF
        masks.sticky[at] = (reg.sticky >> shift) & 0xFF
        keep = (reg.reset_mask >> shift) & 0xFF
        masks.reset[at] = (base[at] & ~keep) | ((reg.reset >> shift) & keep)


def build_masks(image: bytes, header: Iterable[Placed], others: Iterable[Placed], header_end: int) -> Masks:
    """Byte masks for ``image``: ``header`` registers anywhere, ``others`` only past ``header_end``."""
    size = len(image)
    masks = Masks(bytearray(size), bytearray(size), bytearray(size), bytearray(size), bytearray(image))
    for reg, floor in [(reg, 0) for reg in header] + [(reg, header_end) for reg in others]:
        put(masks, reg, floor, image)
    return masks
