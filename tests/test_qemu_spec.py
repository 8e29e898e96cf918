"""QEMU 7.2's device models against the mock built from their captured config space (no probed masks).

Every probed dword of every function of one QEMU machine (the device set of test_qemu) is written
with ones, then zeros, then restored, on QEMU and on ``MockDevice.from_spec`` of the function's
capture; the mock's behaviour comes from the register catalogue alone. Each bit that reads back
differently is named by the catalogue (structure, register, field) and must be one of the places
where QEMU departs from the PCIe spec, or makes a choice the spec leaves to the device; each is
listed in ``DEPARTURES`` and in docs/mock-device.md. Skipped visibly without qemu-system-x86_64.
"""
from __future__ import annotations

from collections import Counter
from typing import NamedTuple

import pytest

from pcikit.schema import header as header_schema
from pcikit.schema import registry
from pcikit.schema.catalogue import registers
from pcikit.schema.context import parse_at

from . import test_qemu, test_qemu_more_devices
from .test_qemu import need_qemu

# Extended capabilities QEMU adds only when asked: ATS on a virtio function behind a root port.
ECAPS_ARGS = ("-device pcie-root-port,id=rp1,chassis=1 -netdev user,id=n0 "
              "-device virtio-net-pci,netdev=n0,bus=rp1,ats=on,disable-legacy=on")

# Three machines: the device set of test_qemu (19 functions), test_qemu_more_devices' models, and
# the extended-capability one (6 functions).
MACHINES = {"main": (test_qemu.ARGS, 19), "more": (test_qemu_more_devices.ARGS, len(test_qemu_more_devices.MODELS) + 4),
            "ecaps": (ECAPS_ARGS, 6)}

OUTSIDE = "(outside every structure)"


class Departure(NamedTuple):
    """Bits where QEMU differs: ``who`` reads 1 (``qemu``: QEMU writable, ``mock``: the mock), in
    ``structure``'s ``register``, limited to ``fields`` (empty: any field)."""

    who: str
    structure: str
    register: str
    fields: frozenset = frozenset()


def _d(who: str, structure: str, register: str, *fields: str) -> Departure:
    return Departure(who, structure, register, frozenset(fields))


# name (as in docs/mock-device.md) -> the bits it explains
DEPARTURES = {
    "free config space is writable": [_d("qemu", OUTSIDE, ""), _d("mock", OUTSIDE, ""),
                                      _d("qemu", "MSI", "extended_message_data")],
    "Parity Error Response is read-only": [_d("mock", "header", "command", "parity_error_response")],
    "Secondary Latency Timer is writable on PCIe ports": [_d("qemu", "header", "secondary_latency_timer")],
    "AER Uncorrectable Error Mask is read-only": [_d("mock", "Advanced Error Reporting", "uncorrectable_error_mask")],
    "AER errors after PCIe 4.0 are not implemented": [
        _d("mock", "Advanced Error Reporting", "uncorrectable_error_severity",
           "poisoned_tlp_egress_blocked", "dmwr_request_egress_blocked", "ide_check_failed",
           "misrouted_ide_tlp", "pcrc_check_failed", "tlp_translation_egress_blocked")],
    "Device Control: only the error reporting enables are writable": [
        _d("mock", "PCI Express", "device_control", "correctable_error_reporting_enable",
           "non_fatal_error_reporting_enable", "fatal_error_reporting_enable",
           "unsupported_request_reporting_enable", "enable_relaxed_ordering", "max_payload_size_raw",
           "aux_power_pm_enable", "enable_no_snoop", "max_read_request_size_raw")],
    "Device Control 2: IDO and AtomicOp Requester are not implemented": [
        _d("mock", "PCI Express", "device_control_2", "atomic_op_requester_enable", "ido_request_enable",
           "ido_completion_enable")],
    "Link Control is read-only": [
        _d("mock", "PCI Express", "link_control", "aspm_control", "read_completion_boundary",
           "common_clock_configuration", "extended_synch", "hardware_autonomous_width_disable",
           "link_bandwidth_management_interrupt_enable", "link_autonomous_bandwidth_interrupt_enable")],
    "Link Control 2 is read-only": [_d("mock", "PCI Express", "link_control_2"),
                                    _d("qemu", "PCI Express", "link_control_2", "target_link_speed")],
    "Root Control PME Interrupt Enable is read-only": [_d("mock", "PCI Express", "root_control", "pme_interrupt_enable")],
    "Slot Control: Power Fault and DLL State Changed enables are read-only": [
        _d("mock", "PCI Express", "slot_control", "power_fault_detected_enable",
           "data_link_layer_state_changed_enable")],
    "e1000e: PME_En and Data_Select writable without PME or Data": [
        _d("qemu", "Power Management", "pmcsr", "pme_enable", "data_select")],
    "ATS Smallest Translation Unit bit 4 is read-only": [
        _d("mock", "Address Translation Services", "ats_control", "smallest_translation_unit_raw")],
    "ARI Control is read-only": [_d("mock", "Alternative Routing-ID Interpretation", "ari_control", "function_group")],
    "eepro100 and pcie-pci-bridge: PMCSR is read-only": [
        _d("mock", "Power Management", "pmcsr", "power_state", "pme_enable")],
}


def _spans(dev) -> list[tuple[str, int, object]]:
    """(structure name, absolute offset, located member) for the header and every decoded capability."""
    image = dev.image
    common = parse_at(header_schema.COMMON, image, 0)
    spans = [("header", loc.offset, loc) for loc in registers(header_schema.COMMON, common)]
    body = header_schema.BODIES.get(dev.header_type)
    if body is not None:
        spans += [("header", loc.offset, loc) for loc in registers(body, parse_at(body, image, 0x10), 0x10)]
    for cap in dev.capabilities + dev.extended_capabilities:
        module = registry.extended_module(cap.cap_id) if cap.extended else registry.standard_module(cap.cap_id)
        schema = getattr(module, "SCHEMA", None)
        if schema is not None and cap.fields is not None:
            spans += [(cap.name, cap.offset + loc.offset, loc) for loc in registers(schema, cap.fields)]
    return spans


def name_bits(spans, offset: int, bits: int) -> list[tuple[str, str, frozenset]]:
    """(structure, register, fields) owning each of ``bits`` of the dword at ``offset``."""
    named = []
    for structure, start, loc in spans:
        width = loc.register.sizeof()
        if start + width <= offset or start >= offset + 4:
            continue
        shift = 8 * (start - offset)
        window = ((1 << (8 * width)) - 1) << shift if shift >= 0 else ((1 << (8 * width)) - 1) >> -shift
        mine = bits & window
        if not mine:
            continue
        bits &= ~window
        register_bits = mine >> shift if shift >= 0 else mine << -shift
        fields = frozenset(f.name for f in getattr(loc.register, "fields", ()) if (f.mask << f.lo) & register_bits)
        named.append((structure, loc.name, fields))
    if bits:
        named.append((OUTSIDE, "", frozenset()))
    return named


def explain(who: str, structure: str, register: str, fields: frozenset):
    """The departure covering these bits, or None."""
    for name, rules in DEPARTURES.items():
        for rule in rules:
            if (rule.who, rule.structure) == (who, structure) and rule.register in ("", register) \
                    and (not rule.fields or fields <= rule.fields):
                return name
    return None


@pytest.fixture(scope="module", params=sorted(MACHINES))
def machine(request):
    need_qemu()
    from pcikit.qemu.source import QemuSource

    args, functions = MACHINES[request.param]
    src = QemuSource(args)
    yield src, functions
    src.close()


def test_the_mock_differs_from_qemu_only_where_qemu_departs_from_the_spec(machine, tmp_path):
    from pcikit.fixture.capture import capture_device
    from pcikit.qemu.probe import _action_bits, probe, probe_dword
    from pcikit.testing import MockDevice

    source, functions = machine
    compared = identical = 0
    explained: Counter = Counter()
    unexplained = []
    for dev in source.load():
        spec = tmp_path / f"{dev.address.short.replace(':', '-')}.toml"
        spec.write_text(capture_device(source.with_bar_sizes(dev)).toml("QEMU"))
        mock = MockDevice.from_spec(spec)
        spans, kept = _spans(dev), _action_bits(dev)
        for theirs in probe(dev):
            ours = probe_dword(mock.config, theirs.offset, kept.get(theirs.offset, 0))
            compared += 1
            identical += ours == theirs
            for qemu_value, mock_value in ((theirs.ones, ours.ones), (theirs.zeros, ours.zeros)):
                differ = qemu_value ^ mock_value
                for who, bits in (("qemu", qemu_value & differ), ("mock", mock_value & differ)):
                    for structure, register, fields in name_bits(spans, theirs.offset, bits) if bits else ():
                        reason = explain(who, structure, register, fields)
                        if reason is None:
                            unexplained.append(f"{dev.address} 0x{theirs.offset:03x} {structure} {register} "
                                               f"{sorted(fields)}: reads 1 on {who} only")
                        else:
                            explained[reason] += 1
    print(f"probed dwords: {compared}, identical readbacks: {identical}, departures: {dict(explained)}")
    assert compared > 2000 and len(source.load()) >= functions
    assert not unexplained, "\n".join(unexplained[:40])
    assert explained["Parity Error Response is read-only"] >= functions  # every function: a real comparison


def test_every_departure_is_named_in_the_docs():
    from .conftest import ROOT

    text = (ROOT / "docs" / "mock-device.md").read_text()
    missing = [name for name in DEPARTURES if name not in text]
    assert not missing, f"docs/mock-device.md does not name: {missing}"
