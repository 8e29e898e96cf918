"""Plain-data conversion of decoded fields (construct Containers) for JSON and text views."""
from __future__ import annotations

from typing import Any


def plain(value: Any) -> Any:
    """Containers -> dicts (private ``_`` keys dropped), lists -> lists, bytes -> hex strings."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        return str(value)
    return str(value)
