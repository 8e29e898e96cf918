"""pytest plugin (registered through the ``pytest11`` entry point); kept light on purpose.

It imports nothing from pcikit at load time: :mod:`pcikit.testing` is imported
by the fixture, when a test asks for it.

* ``pci_mock`` fixture: a factory. ``pci_mock(source, **options)`` returns a
  :class:`pcikit.testing.MockDevice` from config bytes, a dump file (``slot=``
  picks the device), a spec file, or a ``DeviceBuilder``. ``pci_mock()`` with no
  source uses the test's ``pci_device`` marker.
* Markers: ``pci_device(source, **options)`` (the default device of ``pci_mock()``),
  ``pci_profile(name)`` (the default ``profile=`` of the test's mocks: spec, qemu,
  cloud-hypervisor, firecracker),
  ``pci_strict`` (the test errors at teardown if a mock recorded a protocol
  violation: bad MSI-X access widths, BAR access without decode, ...),
  ``pci_live`` (skipped unless this machine has a PCI bus in sysfs).
"""
from __future__ import annotations

import os

import pytest

SPEC_SUFFIXES = (".toml", ".json", ".yaml", ".yml")
PCI_DEVICES = "/sys/bus/pci/devices"


def _live_bus() -> bool:
    try:
        return bool(os.listdir(PCI_DEVICES))
    except OSError:
        return False


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers so ``--strict-markers`` accepts them."""
    config.addinivalue_line("markers", "pci_device(source, **options): default device of pci_mock()")
    config.addinivalue_line("markers", "pci_profile(name): default emulator profile of the test's pci_mock devices")
    config.addinivalue_line("markers", "pci_strict: error when a mock device recorded a PCI protocol violation")
    config.addinivalue_line("markers", "pci_live: needs a live PCI bus (/sys/bus/pci/devices)")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip ``pci_live`` tests, visibly, where there is no PCI bus to read."""
    if item.get_closest_marker("pci_live") and not _live_bus():
        pytest.skip(f"no PCI devices under {PCI_DEVICES}")


def _make(source: object, options: dict) -> object:
    from pcikit.testing import DeviceBuilder, MockDevice

    if isinstance(source, MockDevice):
        return source
    if isinstance(source, DeviceBuilder):
        return source.build(**options)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return MockDevice.from_image(bytes(source), **options)
    if isinstance(source, (str, os.PathLike)):
        if os.fspath(source).lower().endswith(SPEC_SUFFIXES):
            return MockDevice.from_spec(source, **options)
        return MockDevice.from_dump(source, **options)
    raise TypeError(f"pci_mock: cannot make a device from {type(source).__name__}")


@pytest.fixture
def pci_mock(request: pytest.FixtureRequest):
    """Factory of mock devices: ``pci_mock(bytes | path | builder, **options)``."""
    made = []
    marker = request.node.get_closest_marker("pci_device")
    profile = request.node.get_closest_marker("pci_profile")

    def factory(source: object = None, **options: object) -> object:
        if source is None:
            if marker is None or not marker.args:
                raise TypeError("pci_mock() needs a source, or a @pytest.mark.pci_device(source) marker")
            source, options = marker.args[0], {**marker.kwargs, **options}
        if profile is not None and profile.args:
            options.setdefault("profile", profile.args[0])
        device = _make(source, options)
        made.append(device)
        return device

    yield factory
    if request.node.get_closest_marker("pci_strict"):
        found = [f"{dev.address}: {v}" for dev in made for v in dev.violations]
        if found:
            pytest.fail("PCI protocol violations:\n  " + "\n  ".join(found), pytrace=False)
