"""One health verdict: which function, which check, how bad, and the numbers behind it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional

from ..address import Address

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)  # worst first


@dataclass(frozen=True)
class Finding:
    """A check's verdict on one function.

    ``expected`` and ``actual`` are short values (``x8``, ``16 GT/s``); ``upstream`` is the
    port at the other end of the link for link checks (None when not in the source).
    """

    slot: str
    check: str
    severity: str
    message: str
    expected: Optional[str] = None
    actual: Optional[str] = None
    upstream: Optional[str] = None
    address: Optional[Address] = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict:
        """The JSON object of ``pcikit health --json`` (no ``address``)."""
        return {"slot": self.slot, "check": self.check, "severity": self.severity, "message": self.message,
                "expected": self.expected, "actual": self.actual, "upstream": self.upstream}


def make(dev, check: str, severity: str, message: str, expected: Optional[str] = None,
         actual: Optional[str] = None, upstream=None) -> Finding:
    """A finding about device ``dev`` (``upstream`` a Device or None)."""
    return Finding(str(dev.address), check, severity, message, expected, actual,
                   None if upstream is None else str(upstream.address), dev.address)


def worst(findings: Iterable[Finding]) -> Optional[str]:
    """The worst severity among ``findings`` (None when there are none)."""
    ranks = [SEVERITIES.index(f.severity) for f in findings]
    return SEVERITIES[min(ranks)] if ranks else None
