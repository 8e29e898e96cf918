"""Plain-data conversion of decoded fields (construct Containers) for JSON and text views."""
from __future__ import annotations

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Any


_AS_IS = frozenset({int, bool, float, str, type(None)})  # exact types returned unchanged (the fast path)


def plain(value: Any) -> Any:
    """Containers -> dicts (private ``_`` keys dropped), lists -> lists, bytes -> hex strings."""
    if type(value) in _AS_IS:
        return value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            key = key if type(key) is str else str(key)
            if not key.startswith("_"):
                out[key] = item if type(item) in _AS_IS else plain(item)
        return out
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        return str(value)
    return str(value)
