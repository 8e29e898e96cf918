"""Config images rebuilt from pcikit JSON documents (``pcikit show --json``), so JSON inputs go
through the same decode and health checks as dumps.

Every register in the document keeps its ``raw`` value; the header and each capability are
built back with their schema (``SCHEMA.build``). Every capability's list header (ID and next
pointer) is always written so the lists walk as they did; a capability whose body cannot be
built is reported, and its body stays zero.
"""
from __future__ import annotations

from typing import Any, Optional

from ..access.base import CONFIG_SIZE_EXTENDED, KernelInfo
from ..access.memory import BytesConfig
from ..address import Address
from ..model import Device


def _put(image: bytearray, offset: int, data: bytes) -> None:
    end = min(offset + len(data), len(image))
    if 0 <= offset < end:
        image[offset:end] = data[: end - offset]


def _chain_headers(image: bytearray, caps: list, extended: bool) -> None:
    for i, cap in enumerate(caps):
        nxt = caps[i + 1]["offset"] if i + 1 < len(caps) else 0
        if extended:
            word = cap["id"] | (cap.get("version") or 0) << 16 | nxt << 20
            _put(image, cap["offset"], word.to_bytes(4, "little"))
        else:
            _put(image, cap["offset"], bytes((cap["id"], nxt)))


class _Zero(dict):
    """Stands in for a register group the document holds as null (built as zeros)."""

    def __missing__(self, key: str) -> "_Zero":
        return _Zero()


def _zero_nulls(value: Any) -> Any:
    if value is None:
        return _Zero()
    if isinstance(value, dict):
        return {k: _zero_nulls(v) for k, v in value.items()}
    return value


def _build(schema: Any, fields: dict) -> bytes:
    try:
        return schema.build(fields)
    except Exception:  # noqa: BLE001 - registers the document holds as null: retry them as zeros
        return schema.build(_zero_nulls(fields))


def _build_body(image: bytearray, cap: dict, extended: bool) -> Optional[str]:
    from ..schema import registry

    module = (registry.extended_module if extended else registry.standard_module)(cap["id"])
    schema = getattr(module, "SCHEMA", None)
    if schema is None or cap.get("fields") is None:
        return None
    try:
        body = _build(schema, cap["fields"])
    except Exception as exc:  # noqa: BLE001 - a document we cannot rebuild is reported, not fatal
        return f"{cap.get('name', hex(cap['id']))} at {cap['offset']:#x}: not rebuilt from JSON ({type(exc).__name__})"
    head = 4 if extended else 2
    _put(image, cap["offset"] + head, body[head:])
    return None


def device_from_document(doc: dict[str, Any]) -> tuple[Device, list[str]]:
    """A Device over the config image rebuilt from one JSON device object, and what could not be rebuilt.

    A live capture's driver and IRQs come along as the device's KernelInfo.
    """
    from ..schema.header import HEADER

    size = int(doc.get("config_size") or 0)
    if not 0 <= size <= CONFIG_SIZE_EXTENDED:
        raise ValueError(f"config_size {size} is outside 0-4096")
    image = bytearray(size)
    problems = []
    if doc.get("header") is not None and size >= 64:
        _put(image, 0, HEADER.build(doc["header"]))
    for key, extended in (("capabilities", False), ("extended_capabilities", True)):
        caps = list(doc.get(key) or [])
        for cap in caps:
            problem = _build_body(image, cap, extended)
            if problem:
                problems.append(problem)
        _chain_headers(image, caps, extended)
    return Device(Address.parse(doc["slot"]), BytesConfig(bytes(image)), _kernel(doc)), problems


def _kernel(doc: dict[str, Any]) -> Optional[KernelInfo]:
    """The kernel's facts a live capture recorded (driver, IRQs), or None for an offline document."""
    kernel = (doc.get("interrupts") or {}).get("kernel") or {}
    if not doc.get("driver") and kernel.get("irq") is None and not kernel.get("msi_irqs"):
        return None
    irqs = [irq for irq in kernel.get("msi_irqs") or [] if isinstance(irq, int)]
    irq = kernel.get("irq") if isinstance(kernel.get("irq"), int) else None
    driver = doc.get("driver") if isinstance(doc.get("driver"), str) else None
    return KernelInfo(driver=driver, irq=irq, msi_irqs=irqs)
