"""Field-by-field differences between two devices' JSON documents, grouped by capability.

Works on the documents ``pcikit show --json`` prints (``render.json``), so every
field is named as the JSON names it. Capabilities are paired by ID and by
occurrence (the second MSI capability of A with the second of B), not by
offset, so devices with different layouts still line up.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional

IGNORED = ("slot", "names", "driver", "capabilities", "extended_capabilities", "header")
# What the operating system knows, not the device: compared only when asked (--kernel).
KERNEL_FIELDS = ("driver", "interrupts.kernel")
# Header registers the document already shows at the top level (command, bars, ...).
COMMON_SHOWN = ("vendor_id", "device_id", "command", "status", "revision_id", "prog_if", "subclass", "base_class", "header_type")
BODY_SHOWN = ("bars", "interrupt_pin", "interrupt_line", "subsystem_vendor_id", "subsystem_id")
LAYOUT_FIELDS = ("offset", "fields.next", "fields.cap_id", "fields.header.next")
_HEX_WORDS = ("id", "raw", "address", "offset", "pointer", "code", "data", "mask", "base", "limit", "next")


@dataclass(frozen=True)
class Difference:
    """One field whose values differ (None: the field is absent on that side)."""

    field: str
    a: Any
    b: Any
    present: str = "ab"  # which sides have the field at all


@dataclass
class Group:
    """Differences of the device itself or of one capability pair."""

    kind: str  # "device", "capability" or "extended capability"
    name: str = ""
    cap_id: Optional[int] = None
    occurrence: int = 0
    offset_a: Optional[int] = None
    offset_b: Optional[int] = None
    differences: list[Difference] = field(default_factory=list)

    @property
    def title(self) -> str:
        """``device`` or ``capability MSI-X #1 [A 0x40, B 0x50]``."""
        if self.kind == "device":
            return "device"
        return f"{self.kind} {self.name} #{self.occurrence} [A 0x{self.offset_a:03x}, B 0x{self.offset_b:03x}]"


@dataclass
class Comparison:
    """All differences between A and B."""

    groups: list[Group] = field(default_factory=list)
    only_a: list[dict[str, Any]] = field(default_factory=list)
    only_b: list[dict[str, Any]] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        """True when nothing differs."""
        return not (self.only_a or self.only_b or any(g.differences for g in self.groups))


_MISSING = object()


def _by_index(value: Any) -> bool:
    """Lists of BAR-like dicts are compared by their ``index``, not their position."""
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) and "index" in v for v in value)


def _children(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {f".{k}": v for k, v in value.items()}
    if _by_index(value):
        return {f"[{v['index']}]": v for v in value}
    return {f"[{i}]": v for i, v in enumerate(value)}


def _container(value: Any) -> bool:
    return isinstance(value, dict) or isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)


def _walk(a: Any, b: Any, path: str, out: list[Difference]) -> None:
    """Append the differences of ``a`` and ``b`` under ``path``; a subtree on one side only is one difference."""
    if a is _MISSING or b is _MISSING:
        out.append(Difference(path, None if a is _MISSING else a, None if b is _MISSING else b, "b" if a is _MISSING else "a"))
    elif _container(a) and _container(b) and type(a) is type(b):
        left, right = _children(a), _children(b)
        for key in list(left) + [k for k in right if k not in left]:
            _walk(left.get(key, _MISSING), right.get(key, _MISSING), f"{path}{key}", out)
    elif a != b or type(a) is not type(b):
        out.append(Difference(path, a, b))


def _redundant_raw(diff: Difference, changed: set[str]) -> bool:
    """A register's ``raw`` difference adds nothing when one of its named fields differs too."""
    if not diff.field.endswith(".raw"):
        return False
    register = diff.field[: -len("raw")]
    return any(other != diff.field and other.startswith(register) for other in changed)


def _unknown_size(diff: Difference) -> bool:
    """BAR sizes a dump cannot know (None) are not differences."""
    return diff.field.startswith("bars[") and diff.field.endswith(".size") and None in (diff.a, diff.b)


def _diff(a: Any, b: Any, skip: tuple[str, ...] = ()) -> list[Difference]:
    """Leaf differences, in A's order, then B's extra fields."""
    found: list[Difference] = []
    _walk(a, b, "", found)
    found = [Difference(d.field.lstrip("."), d.a, d.b, d.present) for d in found]
    found = [d for d in found if d.field not in skip and not _unknown_size(d)]
    changed = {d.field for d in found}
    return [d for d in found if not _redundant_raw(d, changed)]


def _device_view(doc: dict[str, Any], kernel: bool = False) -> dict[str, Any]:
    view = {k: v for k, v in doc.items() if k not in IGNORED}
    if kernel:
        view["driver"] = doc.get("driver")
    elif isinstance(view.get("interrupts"), dict):
        view["interrupts"] = {k: v for k, v in view["interrupts"].items() if k != "kernel"}
    header = doc.get("header") or {}
    common = {k: v for k, v in (header.get("common") or {}).items() if k not in COMMON_SHOWN}
    body = {k: v for k, v in (header.get("body") or {}).items() if k not in BODY_SHOWN}
    view["header"] = {"common": common, "body": body}
    return view


def _paired(caps_a: list[dict], caps_b: list[dict]) -> tuple[list[tuple[int, dict, dict]], list[dict], list[dict]]:
    """Pair capabilities by (id, occurrence); return pairs and the unpaired of each side."""
    def keyed(caps: list[dict]) -> dict[tuple[int, int], dict]:
        seen: dict[int, int] = {}
        out = {}
        for cap in caps:
            seen[cap["id"]] = seen.get(cap["id"], 0) + 1
            out[(cap["id"], seen[cap["id"]])] = cap
        return out

    left, right = keyed(caps_a), keyed(caps_b)
    pairs = [(key[1], left[key], right[key]) for key in left if key in right]
    return pairs, [left[k] for k in left if k not in right], [right[k] for k in right if k not in left]


def _summary(cap: dict[str, Any], extended: bool) -> dict[str, Any]:
    return {"extended": extended, "id": cap["id"], "name": cap["name"], "offset": cap["offset"]}


def compare_documents(a: dict[str, Any], b: dict[str, Any], ignore_layout: bool = False,
                      kernel: bool = False) -> Comparison:
    """Compare two device documents: the device's state (config space, BARs).

    ``ignore_layout`` skips capability offsets and next pointers; ``kernel`` also compares
    what the operating system reports (:data:`KERNEL_FIELDS`: driver, IRQ numbers).
    """
    result = Comparison()
    result.groups.append(Group("device", differences=_diff(_device_view(a, kernel), _device_view(b, kernel))))
    skip = LAYOUT_FIELDS if ignore_layout else ()
    if ignore_layout:
        result.groups[0].differences = [d for d in result.groups[0].differences if d.field != "header.body.capabilities_pointer"]
    for key, kind in (("capabilities", "capability"), ("extended_capabilities", "extended capability")):
        pairs, only_a, only_b = _paired(a.get(key) or [], b.get(key) or [])
        for occurrence, left, right in pairs:
            view_a = {k: v for k, v in left.items() if k not in ("id", "name")}
            view_b = {k: v for k, v in right.items() if k not in ("id", "name")}
            group = Group(kind, left["name"], left["id"], occurrence, left["offset"], right["offset"], _diff(view_a, view_b, skip))
            result.groups.append(group)
        result.only_a.extend(_summary(c, kind != "capability") for c in only_a)
        result.only_b.extend(_summary(c, kind != "capability") for c in only_b)
    return result


def _hexish(path: str) -> bool:
    last = path.rsplit(".", 1)[-1].split("[")[0]
    return last in _HEX_WORDS or any(word in _HEX_WORDS for word in last.split("_"))


def show_value(path: str, value: Any, present: bool = True) -> str:
    """A value as the text report prints it."""
    if not present:
        return "(absent)"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and value >= 10 and _hexish(path):
        return f"0x{value:x}"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def render_text(result: Comparison, label_a: str, label_b: str) -> str:
    """The human report: differences by group, then capabilities found on one side only."""
    lines = [f"--- A: {label_a}", f"+++ B: {label_b}"]
    count = 0
    for group in result.groups:
        if not group.differences:
            continue
        lines.append(group.title)
        for diff in group.differences:
            left = show_value(diff.field, diff.a, "a" in diff.present)
            right = show_value(diff.field, diff.b, "b" in diff.present)
            lines.append(f"  {diff.field}: {left} -> {right}")
            count += 1
    for side, caps in (("A", result.only_a), ("B", result.only_b)):
        for cap in caps:
            kind = "extended capability" if cap["extended"] else "capability"
            lines.append(f"only in {side}: {kind} {cap['name']} [0x{cap['offset']:03x}]")
            count += 1
    lines.append("identical" if result.identical else f"{count} difference{'s' if count != 1 else ''}")
    return "\n".join(lines) + "\n"


def to_json(result: Comparison, label_a: str, label_b: str) -> dict[str, Any]:
    """The ``--json`` document."""
    groups = []
    for group in result.groups:
        if not group.differences:
            continue
        entry: dict[str, Any] = {"group": group.kind}
        if group.kind != "device":
            entry.update(id=group.cap_id, name=group.name, occurrence=group.occurrence,
                         offset_a=group.offset_a, offset_b=group.offset_b)
        entry["differences"] = [
            {"field": d.field, "a": d.a, "b": d.b, **({} if d.present == "ab" else {"only_in": d.present})}
            for d in group.differences
        ]
        groups.append(entry)
    return {
        "a": label_a, "b": label_b, "identical": result.identical, "groups": groups,
        "only_in_a": result.only_a, "only_in_b": result.only_b,
    }
