"""``pcikit health --watch``: sample link state repeatedly and report every transition.

A link that flaps looks healthy in any one snapshot; sampling Link Status (speed,
width, Data Link Layer Link Active, Link Training) every few seconds catches it.
:func:`watch` takes a ``sample`` function so tests can feed it device lists.
"""
from __future__ import annotations

import time
from typing import Callable, NamedTuple, Optional, Sequence

from .finding import WARNING, Finding
from .links import _link_state, speed_text
from .topology import Topology, reachable


class LinkState(NamedTuple):
    """What one function's Link Status says (``state``: up, DL_Down, training, disabled, unreachable, gone)."""

    speed: int
    width: int
    state: str

    def text(self) -> str:
        """``x8 8 GT/s up``; just the state when the function cannot be read."""
        if self.state in ("gone", "unreachable"):
            return self.state
        return f"x{self.width} {speed_text(self.speed)} {self.state}"


GONE = LinkState(0, 0, "gone")
UNREACHABLE = LinkState(0, 0, "unreachable")


def link_states(devices: Sequence) -> dict[str, LinkState]:
    """Per slot, the link state of every PCIe function with a Link Status register."""
    topo = Topology(list(devices))
    states = {}
    for dev in devices:
        if not reachable(dev):
            states[str(dev.address)] = UNREACHABLE
            continue
        fields = topo.express(dev)
        if fields is None or fields["link_status"] is None:
            continue
        status = fields["link_status"]
        states[str(dev.address)] = LinkState(status["current_link_speed"], status["negotiated_link_width"],
                                             _link_state(fields) or "up")
    return states


class Transition(NamedTuple):
    """One observed change of a function's link state."""

    when: float
    slot: str
    before: LinkState
    after: LinkState


def changes(before: dict[str, LinkState], after: dict[str, LinkState], when: float) -> list[Transition]:
    """Transitions between two samples (a function that vanished is ``gone``)."""
    found = []
    for slot in sorted(set(before) | set(after)):
        old, new = before.get(slot, GONE), after.get(slot, GONE)
        if old != new:
            found.append(Transition(when, slot, old, new))
    return found


def watch(sample: Callable[[], Sequence], interval: float, count: int,
          on_change: Optional[Callable[[Transition], None]] = None,
          sleep: Optional[Callable[[float], None]] = None, clock: Callable[[], float] = time.time,
          ) -> list[Transition]:
    """Take ``count`` samples ``interval`` seconds apart (``sleep``: time.sleep); every transition, in order."""
    sleep = sleep or time.sleep
    seen: list[Transition] = []
    previous = link_states(sample())
    for _ in range(count - 1):
        sleep(interval)
        current = link_states(sample())
        for change in changes(previous, current, clock()):
            seen.append(change)
            if on_change is not None:
                on_change(change)
        previous = current
    return seen


def transition_findings(transitions: Sequence[Transition], seconds: float) -> list[Finding]:
    """One ``link-change`` warning per function whose link state changed while watched."""
    from ..address import Address

    by_slot: dict[str, list[Transition]] = {}
    for change in transitions:
        by_slot.setdefault(change.slot, []).append(change)
    found = []
    for slot, seen in by_slot.items():
        steps = ", ".join(f"{t.before.text()} -> {t.after.text()}" for t in seen[:5])
        more = f" (+{len(seen) - 5} more)" if len(seen) > 5 else ""
        found.append(Finding(slot, "link-change", WARNING,
                             f"{len(seen)} link state change(s) in {seconds:g} s: {steps}{more}",
                             seen[0].before.text(), seen[-1].after.text(), None, Address.parse(slot)))
    return found
