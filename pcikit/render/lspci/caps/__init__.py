"""lspci renderers per capability family, looked up by ID (pciutils ``ls-caps.c``/``ls-ecaps.c``).

Which module renders an ID, from which lspci release, and the name lspci prints
where it does not decode the ID are declared in :mod:`pcikit.schema.registry`.

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

from ....model import Capability
from ....schema import registry
from ..context import RenderContext

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Optional

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


def _dispatch(ctx: RenderContext, cap: Capability, entry: Optional[registry.Entry], package: str,
              bare: str) -> None:
    """Decode as the registry's lspci renderer if this release does, else lspci's name or the bare ID."""
    module = None
    if entry is not None and entry.lspci is not None and ctx.dialect >= entry.lspci_from:
        module = _module(package, entry.lspci)
    if module is not None:
        _render(ctx, cap, module)
    elif entry is not None and entry.lspci_name is not None and ctx.dialect >= entry.lspci_name_from:
        ctx.write(entry.lspci_name + "\n")
    else:
        ctx.write(bare + "\n")


def render_standard(ctx: RenderContext, cap: Capability) -> None:
    """Rest of one standard capability line, dispatching by ID (``registry.STANDARD``)."""
    _dispatch(ctx, cap, registry.STANDARD.get(cap.cap_id), "caps", f"Capability ID {cap.cap_id:#x} [{cap.header:04x}]")


def render_extended(ctx: RenderContext, cap: Capability) -> None:
    """Rest of one extended capability line, dispatching by ID (``registry.EXTENDED``)."""
    _dispatch(ctx, cap, registry.EXTENDED.get(cap.cap_id), "ecaps", f"Extended Capability ID {cap.cap_id:#x}")
