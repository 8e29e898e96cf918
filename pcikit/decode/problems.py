"""Collect everything odd about a device into one list of plain sentences."""
from __future__ import annotations

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Optional

    from ..model import Device
    from ..walk import WalkStop

_STOP_WORDS = {
    "looped": "capability list loops back to 0x{offset:02x}",
    "broken": "capability list broken: ID 0xff at 0x{offset:02x}",
    "too long": "capability list too long; walk stopped at 0x{offset:02x}",
}


def _stop(kind: str, stop: "Optional[WalkStop]") -> list[str]:
    if stop is None:
        return []
    if stop.reason == "access denied":
        return [f"{kind} not readable: only the first 64 bytes of config space are accessible (needs root)"]
    return [f"{kind}: " + _STOP_WORDS[stop.reason].format(offset=stop.offset)]


def _header_problems(dev: "Device") -> list[str]:
    if dev.config.size == 0:
        return ["config space is not readable"]
    if dev.config.size < 64:
        return [f"only {dev.config.size} bytes of config space readable; header incomplete"]
    problems = []
    if dev.vendor_id == 0xFFFF and dev.device_id == 0xFFFF:
        problems.append("config space reads all ones: device absent, gone or in reset")
    if dev.header_type not in (0, 1, 2):
        problems.append(f"unknown header type 0x{dev.header_type:02x}")
    if dev.interrupt.reserved_pin:
        problems.append(f"reserved Interrupt Pin value 0x{dev.interrupt.pin_raw:02x}")
    return problems


def _pointer_problems(dev: "Device") -> list[str]:
    return [
        f"capability at 0x{cap.offset:02x} ({cap.name}) lies inside the header"
        for cap in dev.capabilities
        if cap.offset < 0x40
    ]


def collect_problems(dev: "Device") -> list[str]:
    """Every recorded problem of ``dev``; decodes all capabilities to find them."""
    problems = _header_problems(dev)
    if dev.has_config and dev.header_type in (0, 1, 2):
        dev.bars  # noqa: B018 - decoding records BAR problems
    problems.extend(dev._early_problems)
    problems.extend(_pointer_problems(dev))
    problems.extend(_stop("capabilities", dev.capability_stop))
    problems.extend(_stop("extended capabilities", dev.extended_stop))
    for cap in dev.capabilities + dev.extended_capabilities:
        cap.fields  # noqa: B018 - decoding records capability problems
        problems.extend(cap.problems)
    return problems
