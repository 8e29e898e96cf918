"""How lspci names a device's slot: ``[DDDD:]BB:DD.F``, with ``-P`` / ``-PP`` the bridge path.

pciutils ``lspci.c`` show_slot_name / show_slot_path: ``-P`` prefixes the bridges above the
device (``00:1c.0/00.0``), ``-PP`` gives each step its bus number too (``00:1c.0/02:00.0``).
"""
from __future__ import annotations


TYPE_CHECKING = False  # the topology module is imported for -P only
if TYPE_CHECKING:
    from typing import Iterable, Optional
    from ...model import Device


def _step(dev: Device, path: int) -> str:
    address = dev.address
    return address.short if path > 1 else f"{address.device:02x}.{address.function}"


def slot_label(dev: Device, show_domain: bool, path: int = 0,
               parents: Optional[dict[Device, Optional[Device]]] = None) -> str:
    """The slot text of ``dev``; ``path`` is the number of ``-P`` flags, ``parents`` the topology."""
    if path and parents is not None:
        from ..tree import bridge_chain

        chain = bridge_chain(dev, parents)
    else:
        chain = []
    first, rest = (chain[0], chain[1:] + [dev]) if chain else (dev, [])
    text = f"{dev.address.domain:04x}:" if show_domain else ""
    return text + first.address.short + "".join("/" + _step(step, path) for step in rest)


def topology(devices: Iterable[Device], path: int, per_domain: bool,
             kernel: bool = True) -> Optional[dict[Device, Optional[Device]]]:
    """The parent bridge of every device when ``-P`` asks for paths, else None.

    ``per_domain``: place devices as lspci 3.10 and later do; ``kernel``: take the parents the
    kernel reports (not under -b). See :func:`..tree.parent_bridges`.
    """
    if not path:
        return None
    from ..tree import parent_bridges

    return parent_bridges(devices, per_domain, kernel)
