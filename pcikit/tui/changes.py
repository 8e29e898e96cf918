"""What changed between two reads of a device: field paths and byte offsets."""
from __future__ import annotations

from typing import Any, Iterator

from ..model import Device
from .spans import owner_path

Path = tuple


def _leaves(value: Any, path: Path) -> Iterator[tuple[Path, Any]]:
    if isinstance(value, dict):
        for key, child in value.items():
            if not str(key).startswith("_"):
                yield from _leaves(child, path + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _leaves(child, path + (index,))
    else:
        yield path, value


def field_values(dev: Device) -> dict[Path, Any]:
    """Every decoded leaf value of ``dev`` by path (header and capabilities)."""
    values: dict[Path, Any] = {}
    if dev.header is not None:
        values.update(_leaves(dev.header, ("header",)))
    for cap in dev.capabilities + dev.extended_capabilities:
        values[owner_path(cap) + ("<id>",)] = cap.cap_id
        if cap.fields is not None:
            values.update(_leaves(cap.fields, owner_path(cap)))
    return values


def changed_paths(old: Device, new: Device) -> set[Path]:
    """Paths whose value differs (or exists in one read only), with every enclosing path."""
    before, after = field_values(old), field_values(new)
    changed: set[Path] = set()
    for path in before.keys() | after.keys():
        if before.get(path, ...) != after.get(path, ...):
            changed.update(path[:n] for n in range(1, len(path) + 1))
    return changed


def changed_bytes(old: Device, new: Device) -> set[int]:
    """Config offsets whose byte differs between the two reads."""
    a, b = old.image, new.image
    return {i for i in range(min(len(a), len(b))) if a[i] != b[i]}
