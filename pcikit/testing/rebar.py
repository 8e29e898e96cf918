"""Resizable BAR (PCIe Base 6.0, 7.8.6): writing BAR Size resizes the BAR it names.

The VF Resizable BAR capability (9.3.7.5) has the same layout and names VF BARs: its BAR Size
sets the size per VF of the SR-IOV VF BAR (the VF BAR's sizing masks; VFs enabled afterwards
get memory of that size).

The BAR's writable address bits follow the new size at once, so sizing software reads the
new size back; the BAR's memory is replaced by fresh memory of that size (its contents are
undefined after a resize). BAR Size is RW in the schema with the device's own default as its
reset value: a function reset returns the BAR to that size. The sizes software may pick are
the entry's supported sizes.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from ..model import Capability
from ..schema import registry
from ..schema.ecaps import rebar as rebar_schema
from .bars import BarPlan
from .registers import locate

if TYPE_CHECKING:
    from .device import MockDevice

CAP_ID_RESIZABLE_BAR = registry.extended_id("Resizable BAR")
CAP_ID_VF_RESIZABLE_BAR = registry.extended_id("VF Resizable BAR")


_BAR_INDEX = rebar_schema.RESIZABLE_BAR_CONTROL.field("bar_index")
_BAR_SIZE = rebar_schema.RESIZABLE_BAR_CONTROL.field("bar_size")


class ResizableBars:
    """The entries of one Resizable BAR capability; ``resize(index, size)`` is the device's hook."""

    def __init__(self, dev: "MockDevice", cap: Capability, resize: Callable[[int, int], None]) -> None:
        self._resize, self._config = resize, dev.config
        where = locate(cap)
        self._controls = [where[key] for key in (f"entries.{i}.resizable_bar_control" for i in range(len(cap.fields.entries)))
                          if key in where]
        for control in self._controls:
            dev.config.watch(control, 4, self._control_written)
        dev.on_reset(self._after_reset)

    def _apply(self, control: int) -> None:
        self._resize(_BAR_INDEX.decode(control), 1 << (_BAR_SIZE.decode(control) + rebar_schema.MEGABYTE_SHIFT))

    def _control_written(self, old: int, new: int) -> None:
        if _BAR_SIZE.decode(old) != _BAR_SIZE.decode(new):
            self._apply(new)

    def _after_reset(self) -> None:
        for control in self._controls:
            self._apply(self._config.peek(control, 4))


def resized(plan: BarPlan, size: int) -> BarPlan:
    """``plan`` with another size."""
    return BarPlan(plan.index, plan.space, plan.bits, plan.prefetchable, size, plan.base)
