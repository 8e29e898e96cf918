"""A mock's per-byte register masks, read from the schema catalogue.

The header schema and every decoded capability's schema declare their fields'
attributes (:mod:`pcikit.schema.attributes`); this module places them in config
space as byte masks: writable, write-1-to-clear, write-1-to-set, sticky, and the
value a reset loads. Bytes the header owns (0x00-0x3f, or 0x47 for CardBus) take
the header's attributes only: a capability whose registers overlap the header
can never make a header byte writable.
"""
from __future__ import annotations

from typing import Iterable, NamedTuple, Optional

from ..model import Capability, Device
from ..schema import header as header_schema
from ..schema import registry
from ..schema.attributes import Facts
from ..schema.bits import Placed
from ..schema.catalogue import offsets, placed_access
from ..schema.context import parse_at

HEADER_END = {0: 0x40, 1: 0x40, 2: 0x48}
BODY_OFFSET = 0x10


class Masks(NamedTuple):
    """Per-byte masks of a config image, and the image a reset loads."""

    writable: bytearray
    clear: bytearray
    set: bytearray
    sticky: bytearray
    reset: bytearray


def header_access(model: Device) -> list[Placed]:
    """The header's registers (common part and the type's body), BARs and ROM aside."""
    image = model.image
    common = parse_at(header_schema.COMMON, image, 0)
    body_schema = header_schema.BODIES.get(model.header_type)
    body = parse_at(body_schema, image, BODY_OFFSET) if body_schema is not None else {}
    facts = Facts({**common, **body}, model.port_type, model.header_type)
    placed = placed_access(header_schema.COMMON, common, 0, facts)
    if body_schema is not None:
        placed += placed_access(body_schema, body, BODY_OFFSET, facts)
    return placed


def _schema(cap: Capability):
    """The schema a capability was decoded with: the module's ``schema_of(fields)`` or its ``SCHEMA``."""
    module = registry.extended_module(cap.cap_id) if cap.extended else registry.standard_module(cap.cap_id)
    if hasattr(module, "schema_of") and cap.fields is not None:
        return module.schema_of(cap.fields)
    return getattr(module, "SCHEMA", None)


def locate(cap: Optional[Capability]) -> dict[str, int]:
    """Config offsets of a capability's registers by dotted field path (empty without one)."""
    schema = _schema(cap) if cap is not None else None
    if schema is None or cap.fields is None:
        return {}
    return {path: cap.offset + relative for path, relative in offsets(schema, cap.fields).items()}


def bit(register, name: str) -> int:
    """The mask of field ``name`` within a schema Register."""
    field = next(f for f in register.fields if f.name == name)
    return field.mask << field.lo


def capability_access(model: Device) -> list[Placed]:
    """The registers of every capability whose schema module decodes it."""
    placed: list[Placed] = []
    for cap in model.capabilities + model.extended_capabilities:
        schema = _schema(cap)
        fields = cap.fields
        if schema is None or fields is None:
            continue
        placed += placed_access(schema, fields, cap.offset, Facts(fields, model.port_type, model.header_type))
    return placed


def build_masks(image: bytes, header: Iterable[Placed], others: Iterable[Placed], header_end: int) -> Masks:
    """Byte masks for ``image``: ``header`` registers anywhere, ``others`` only past ``header_end``."""
    size = len(image)
    masks = Masks(bytearray(size), bytearray(size), bytearray(size), bytearray(size), bytearray(image))
    for reg, floor in [(reg, 0) for reg in header] + [(reg, header_end) for reg in others]:
        for index in range(reg.width):
            at = reg.offset + index
            if not floor <= at < size:
                continue
            shift = 8 * index
            masks.writable[at] = (reg.writable >> shift) & 0xFF
            masks.clear[at] = (reg.clear >> shift) & 0xFF
            masks.set[at] = (reg.set >> shift) & 0xFF
            masks.sticky[at] = (reg.sticky >> shift) & 0xFF
            keep = (reg.reset_mask >> shift) & 0xFF
            masks.reset[at] = (image[at] & ~keep) | ((reg.reset >> shift) & keep)
    return masks
