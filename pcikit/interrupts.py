"""One function's interrupt picture: legacy INTx, MSI, MSI-X and (live) the kernel's view.

:func:`interrupt_summary` gathers it from the device model; :meth:`InterruptSummary.lines`
gives native-text lines and :meth:`InterruptSummary.to_json` a JSON object, so views
never touch registers themselves. MSI-X vectors are read only when a Region for the
table's BAR is passed in; without one the layout and its problems are still reported.
"""
from __future__ import annotations

from .msix import MsixState, read_msix
from .schema import registry

TYPE_CHECKING = False  # typing and mmio are imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Any, Mapping, NamedTuple, Optional

    from .mmio import BarRegion
else:
    from .tuples import NamedTuple

CAP_ID_MSI = registry.standard_id("MSI")


class MsiSummary(NamedTuple):
    """MSI state from the capability: enable, vector counts, message, per-vector masks."""

    enable: bool
    vectors_capable: int
    vectors_enabled: int
    address: int
    data: int
    address_64bit: bool
    per_vector_masking: bool
    mask_bits: Optional[int]
    pending_bits: Optional[int]

    @classmethod
    def from_fields(cls, fields: Any) -> "MsiSummary":
        """From decoded MSI capability fields."""
        return cls(
            bool(fields.enable), fields.multiple_message_capable, fields.multiple_message_enable,
            fields.address, fields.message_data, bool(fields.address_64bit),
            bool(fields.per_vector_masking), fields.mask_bits, fields.pending_bits,
        )


class InterruptSummary:
    """Everything about how a function interrupts; ``mode`` names what is in use."""

    def __init__(self, pin: Optional[str], pin_raw: int, line: Optional[int], interrupt_disable: Optional[bool],
                 interrupt_status: Optional[bool], msi: Optional[MsiSummary] = None,
                 msix: Optional[MsixState] = None, kernel_irq: Optional[int] = None,
                 kernel_msi_irqs: Optional[list[int]] = None, kernel_msi_mode: Optional[str] = None,
                 unreadable: Optional[str] = None) -> None:
        self.pin = pin
        self.pin_raw = pin_raw
        self.line = line
        self.interrupt_disable = interrupt_disable
        self.interrupt_status = interrupt_status
        self.msi = msi
        self.msix = msix
        self.kernel_irq = kernel_irq
        self.kernel_msi_irqs: list[int] = [] if kernel_msi_irqs is None else kernel_msi_irqs
        self.kernel_msi_mode = kernel_msi_mode
        self.unreadable = unreadable  # why the MSI/MSI-X capabilities could not be read

    @property
    def mode(self) -> str:
        """``MSI-X``, ``MSI``, ``INTx``, ``none``, or ``unknown`` when the capabilities are unreadable
        and the kernel does not say (see :attr:`mode_source`)."""
        if self.unreadable is not None:
            return _KERNEL_MODES.get(self.kernel_msi_mode or "", "unknown")
        if self.msix is not None and self.msix.layout.enable:
            return "MSI-X"
        if self.msi is not None and self.msi.enable:
            return "MSI"
        if self.pin is not None and not self.interrupt_disable:
            return "INTx"
        return "none"

    @property
    def mode_source(self) -> Optional[str]:
        """``config`` (the capabilities say), ``kernel`` (its msi_irqs say) or None (unknown)."""
        if self.unreadable is None:
            return "config"
        return "kernel" if self.mode != "unknown" else None

    def _mode_text(self) -> str:
        if self.unreadable is None:
            return self.mode
        if self.mode_source == "kernel":
            return f"{self.mode} (from the kernel's msi_irqs; the capabilities need root)"
        return "unknown (needs root)" if self.unreadable == NEEDS_ROOT else f"unknown ({self.unreadable})"

    def lines(self) -> list[str]:
        """Native text lines (no indentation)."""
        out = [f"Mode: {self._mode_text()}"]
        if self.pin is None:
            legacy = "no legacy pin" if self.pin_raw == 0 else f"reserved pin value {self.pin_raw}"
        else:
            routed = "unknown/not connected" if self.line is None else f"line {self.line}"
            legacy = f"pin {self.pin[-1]}, {routed}"
        flags = "" if self.interrupt_disable is None else (
            f", INTx {'disabled' if self.interrupt_disable else 'enabled'}"
            f", status {'asserted' if self.interrupt_status else 'clear'}")
        out.append(f"Legacy: {legacy}{flags}")
        if self.msi is not None:
            msi = self.msi
            out.append(f"MSI: Enable{'+' if msi.enable else '-'} vectors {msi.vectors_enabled}/"
                       f"{msi.vectors_capable} address {msi.address:#x} data {msi.data:#06x}")
        if self.msix is not None:
            out.append(self.msix.summary())
            out.extend(f"Problem: {problem}" for problem in self.msix.problems)
        if self.kernel_irq is not None or self.kernel_msi_irqs:
            irqs = ",".join(map(str, self.kernel_msi_irqs)) or "none"
            out.append(f"Kernel: irq {self.kernel_irq}, msi_irqs {irqs}")
        return out

    def to_json(self) -> dict:
        """A JSON object: legacy, msi, msix (with vectors when read) and kernel."""
        msix = None if self.msix is None else self.msix.to_json()
        msi = None if self.msi is None else self.msi._asdict()
        return {
            "mode": self.mode,
            "mode_source": self.mode_source,
            "unreadable": self.unreadable,
            "legacy": {"pin": self.pin, "pin_raw": self.pin_raw, "line": self.line,
                       "interrupt_disable": self.interrupt_disable, "interrupt_status": self.interrupt_status},
            "msi": msi,
            "msix": msix,
            "kernel": {"irq": self.kernel_irq, "msi_irqs": list(self.kernel_msi_irqs),
                       "msi_mode": self.kernel_msi_mode},
        }


def interrupt_summary(dev: Any, regions: Optional[Mapping[int, BarRegion]] = None,
                      unmapped: Optional[Mapping[int, str]] = None) -> InterruptSummary:
    """The interrupt summary of ``dev``; MSI-X vectors are read when ``regions`` holds the table's BAR.

    ``unmapped`` says, per BAR index, why a BAR could not be mapped; it replaces the generic
    reason when the table's BAR is among them.
    """
    legacy = dev.interrupt
    command, status = dev.command, dev.status
    summary = InterruptSummary(
        pin=legacy.pin, pin_raw=legacy.pin_raw, line=legacy.line,
        interrupt_disable=None if command is None else bool(command.interrupt_disable),
        interrupt_status=None if status is None else bool(status.interrupt_status),
    )
    msi_cap = dev.find_capability(CAP_ID_MSI)
    if msi_cap is not None and msi_cap.fields is not None:
        summary.msi = MsiSummary.from_fields(msi_cap.fields)
    summary.msix = read_msix(dev, regions or {})
    if summary.msix is not None and unmapped and summary.msix.layout.table_bir in unmapped:
        summary.msix.unread = unmapped[summary.msix.layout.table_bir]
    if dev.kernel is not None:
        summary.kernel_irq = dev.kernel.irq
        summary.kernel_msi_irqs = list(dev.kernel.msi_irqs)
        summary.kernel_msi_mode = getattr(dev.kernel, "msi_mode", None)
    stop = getattr(dev, "capability_stop", None)
    if stop is not None and stop.reason == "access denied":
        live = dev.kernel is not None
        summary.unreadable = NEEDS_ROOT if live else f"the source holds only {dev.config.size} bytes of config space"
    return summary


NEEDS_ROOT = "needs root: the kernel shows other users only the first 64 bytes of config space"
_KERNEL_MODES = {"msix": "MSI-X", "msi": "MSI"}
