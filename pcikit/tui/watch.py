"""udev PCI events for live updates (used only when /run/udev/control exists)."""
from __future__ import annotations


class UdevWatcher:
    """A pyudev netlink monitor filtered to the PCI subsystem."""

    def __init__(self) -> None:
        import pyudev

        self._monitor = pyudev.Monitor.from_netlink(pyudev.Context())
        self._monitor.filter_by(subsystem="pci")
        self._monitor.start()

    def wait(self, timeout: float) -> bool:
        """True when a PCI add/remove/change event arrived within ``timeout`` seconds."""
        return self._monitor.poll(timeout=timeout) is not None
