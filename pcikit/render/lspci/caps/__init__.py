"""lspci renderers per capability family, looked up by ID (pciutils ``ls-caps.c``/``ls-ecaps.c``).

Renderer contract: a module under ``caps/`` (standard) or ``ecaps/`` (extended)
with ``render(ctx: RenderContext, cap: Capability) -> None`` that writes the rest
of the ``Capabilities: [xx] `` line and any detail lines, exactly as lspci prints
them in the release ``ctx.dialect`` names.
It reads ``cap.fields`` (decoded by the schema layer) and ``cap.readable()``
where lspci checks that bytes can be fetched.
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Optional

from ....model import Capability
from ....schema import registry
from ..context import RenderContext
from ..dialect import V3_11, V3_12, V3_14, LspciVersion


def _modules(table: dict[int, tuple], ids: tuple[int, ...]) -> dict[int, str]:
    """ID -> module name, read from the schema registry: a renderer has its schema module's name."""
    return {cap_id: table[cap_id][0] for cap_id in ids}


# The capabilities lspci decodes (its other IDs print a name only, or the bare ID).
STANDARD: dict[int, str] = _modules(registry.STANDARD, (
    0x01, 0x02, 0x03, 0x04, 0x05, 0x07, 0x08, 0x09, 0x0A, 0x0D, 0x10, 0x11, 0x12, 0x13, 0x14,
))

STANDARD_NAME_ONLY: dict[int, str] = {
    0x00: "Null",
    0x06: "CompactPCI hot-swap <?>",
    0x0B: "CompactPCI central resource control <?>",
    0x0C: "Hot-plug capable",
    0x0E: "AGP3 <?>",
    0x0F: "Secure device <?>",
}

EXTENDED: dict[int, str] = _modules(registry.EXTENDED, (
    0x01, 0x02, 0x03, 0x05, 0x07, 0x09, 0x0B, 0x0D, 0x0E, 0x0F, 0x10, 0x12, 0x13, 0x15, 0x17, 0x18,
    0x19, 0x1B, 0x1D, 0x1E, 0x1F, 0x23, 0x24, 0x2E,
))

EXTENDED_NAME_ONLY: dict[int, str] = {
    0x00: "Null",
    0x04: "Power Budgeting <?>",
    0x06: "Root Complex Internal Link <?>",
    0x08: "Multi-Function Virtual Channel <?>",
    0x0A: "Root Complex Register Block <?>",
    0x11: "Multi-Root I/O Virtualization <?>",
    0x16: "Dynamic Power Allocation <?>",
    0x1A: "Protocol Multiplexing <?>",
    0x1C: "LN Requester <?>",
    0x20: "PCI Express over M_PHY <?>",
    0x21: "FRS Queueing <?>",
    0x22: "Readiness Time Reporting <?>",
    0x25: "Data Link Feature <?>",
    0x26: "Physical Layer 16.0 GT/s <?>",
    0x27: "Lane Margining at the Receiver <?>",
    0x28: "Hierarchy ID <?>",
    0x29: "Native PCIe Enclosure Management <?>",
}

# Extended capabilities lspci decodes only from a release on (before it: EXTENDED_NAME_ONLY or the bare ID).
EXTENDED_SINCE: dict[int, tuple[LspciVersion, str]] = {
    cap_id: (since, registry.EXTENDED[cap_id][0]) for cap_id, since in {
        0x26: V3_14, 0x27: V3_11, 0x2A: V3_14, 0x2F: V3_14, 0x30: V3_12, 0x31: V3_14, 0x32: V3_14,
        0x34: V3_14, 0x36: V3_14,
    }.items()
}

# Names lspci learnt before it decoded them: shown from that release on, until EXTENDED_SINCE applies.
EXTENDED_NAME_ONLY_SINCE: dict[int, tuple[LspciVersion, str]] = {
    0x2A: (V3_11, "Physical Layer 32.0 GT/s <?>"),
}

_modules: dict[str, Optional[ModuleType]] = {}


def _module(package: str, name: Optional[str]) -> Optional[ModuleType]:
    if name is None:
        return None
    key = f"{__name__.rsplit('.', 1)[0]}.{package}.{name}"
    if key not in _modules:
        try:
            _modules[key] = importlib.import_module(key)
        except ModuleNotFoundError as exc:
            if exc.name != key:
                raise
            _modules[key] = None
    return _modules[key]


def _render(ctx: RenderContext, cap: Capability, module: ModuleType) -> None:
    """Run a renderer; a capability it cannot show becomes a marker line and a problem."""
    if cap.fields is None:
        ctx.write(f"{cap.name} <unreadable>\n")
        return
    mark = len(ctx.out)
    try:
        module.render(ctx, cap)
    except Exception as exc:  # one odd capability must not hide the rest of the device
        del ctx.out[mark:]
        cap.problems.append(f"{cap.name} at 0x{cap.offset:03x}: cannot render: {exc!r}")
        ctx.write(f"{cap.name} <error: cannot render>\n")


def render_standard(ctx: RenderContext, cap: Capability) -> None:
    """Rest of one standard capability line, dispatching by ID."""
    module = _module("caps", STANDARD.get(cap.cap_id))
    if module is not None:
        _render(ctx, cap, module)
    elif cap.cap_id in STANDARD_NAME_ONLY:
        ctx.write(STANDARD_NAME_ONLY[cap.cap_id] + "\n")
    else:
        ctx.write(f"Capability ID {cap.cap_id:#x} [{cap.header:04x}]\n")


def render_extended(ctx: RenderContext, cap: Capability) -> None:
    """Rest of one extended capability line, dispatching by ID."""
    name = EXTENDED.get(cap.cap_id)
    since = EXTENDED_SINCE.get(cap.cap_id)
    if since is not None and ctx.dialect >= since[0]:
        name = since[1]
    module = _module("ecaps", name)
    named = EXTENDED_NAME_ONLY_SINCE.get(cap.cap_id)
    if module is not None:
        _render(ctx, cap, module)
    elif named is not None and ctx.dialect >= named[0]:
        ctx.write(named[1] + "\n")
    elif cap.cap_id in EXTENDED_NAME_ONLY:
        ctx.write(EXTENDED_NAME_ONLY[cap.cap_id] + "\n")
    else:
        ctx.write(f"Extended Capability ID {cap.cap_id:#x}\n")
