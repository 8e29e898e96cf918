"""Problems a capability decoder records in ``fields["problems"]`` reach the device and every view.

Each module that can record one is provoked with bytes built here (registers cut off by the end
of config space, a 64-bit last VF BAR, ...); the problem must show in ``cap.problems``,
``dev.problems``, the native text, the JSON and the TUI's Problems tab. A new module that records
problems needs an entry in ``PROVOKE`` (the discovery test fails otherwise).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pcikit.access.memory import BytesConfig
from pcikit.address import Address
from pcikit.ids import IdDatabase
from pcikit.model import Device
from pcikit.render.json import dumps
from pcikit.render.text import render_text
from pcikit.schema import registry

SCHEMA = Path(__file__).resolve().parents[1] / "pcikit" / "schema"
EXPRESS_AT, LINK_CAPABILITIES = 0x40, 0x0C
LAST_DWORD = 0xFFC


def _put(image: bytearray, offset: int, width: int, value: int) -> None:
    image[offset:offset + width] = value.to_bytes(width, "little")


def standard(cap_id: int, at: int = 0xFC, body: bytes = b"") -> bytes:
    """A 256-byte type 0 image whose only capability sits at ``at`` (its registers run past 0x100)."""
    image = bytearray(256)
    _put(image, 0, 4, 0x1234_8086)
    _put(image, 0x06, 2, 0x0010)  # Status: Capabilities List
    image[0x34] = at
    image[at:at + 2 + len(body)] = bytes([cap_id, 0]) + body
    return bytes(image)


def extended(cap_id: int, at: int = LAST_DWORD, width: int = 8, body: dict | None = None) -> bytes:
    """A 4096-byte PCIe endpoint (Max Link Width ``width``): DSN at 0x100, then ``cap_id`` at ``at``."""
    image = bytearray(standard(0x10, EXPRESS_AT, bytes([0x02, 0x00]))) + bytearray(4096 - 256)
    _put(image, EXPRESS_AT + LINK_CAPABILITIES, 4, width << 4 | 0x1)
    _put(image, 0x100, 4, 0x0003 | 1 << 16 | at << 20)  # Device Serial Number, next = at
    _put(image, at, 4, cap_id | 1 << 16)
    for relative, (size, value) in (body or {}).items():
        _put(image, at + relative, size, value)
    return bytes(image)


# module -> (capability, image that makes it record a problem)
PROVOKE = {
    ("caps", "express"): (0x10, standard(0x10, 0xFC, bytes([0x02, 0x00]))),
    ("caps", "ea"): (0x14, standard(0x14, 0xFC, bytes([0x01, 0x00]))),  # one entry, past 0x100
    ("ecaps", "sriov"): (0x10, extended(0x10, 0x200, body={0x38: (4, 0x4)})),  # VF BAR5 64-bit
    ("ecaps", "secondary_pcie"): (0x19, extended(0x19, 0xFF0)),  # 8 lanes, room for 2
    **{("ecaps", name): (cap_id, extended(cap_id))
       for name, cap_id in (("vc", 0x02), ("power_budgeting", 0x04), ("rclink", 0x05), ("rcec", 0x07),
                            ("vsec", 0x0B), ("acs", 0x0D), ("multicast", 0x12), ("rebar", 0x15),
                            ("tph", 0x17), ("dvsec", 0x23), ("data_link", 0x25), ("phy16", 0x26),
                            ("lane_margining", 0x27), ("phy32", 0x2A), ("doe", 0x2E), ("dev3", 0x2F),
                            ("ide", 0x30), ("phy64", 0x31), ("flit_logging", 0x32),
                            ("flit_error_injection", 0x34), ("mmio_rbl", 0x36))},
}


def _records_problems(package: str, name: str, seen: frozenset = frozenset()) -> bool:
    """True when the module, or a sibling module it imports, writes a ``problems`` list."""
    text = (SCHEMA / package / f"{name}.py").read_text()
    if '"problems"' in text or "problems.append" in text:
        return True
    siblings = set(re.findall(r"^from \.(\w+) import", text, re.M)) | set(re.findall(r"^from \. import (\w+)$", text, re.M))
    return any(_records_problems(package, s, seen | {name}) for s in siblings - seen
               if (SCHEMA / package / f"{s}.py").exists())


def test_every_module_that_records_problems_is_provoked():
    registered = {("caps", e.module) for e in registry.STANDARD.values() if e.module} | {("ecaps", e.module) for e in registry.EXTENDED.values() if e.module}
    recording = {key for key in registered if _records_problems(*key)}
    assert recording - set(PROVOKE) == set()
    assert len(recording) >= 25  # the discovery found the modules, not nothing


def _device(image: bytes) -> Device:
    return Device(Address.parse("0000:00:01.0"), BytesConfig(image))


@pytest.mark.parametrize("key", sorted(PROVOKE), ids=lambda key: key[1])
def test_recorded_problems_reach_device_text_json_and_tui(key):
    from pcikit.tui.inspect import Inspection

    cap_id, image = PROVOKE[key]
    dev = _device(image)
    cap = next(c for c in (dev.extended_capabilities if key[0] == "ecaps" else dev.capabilities) if c.cap_id == cap_id)
    recorded = list(cap.fields["problems"])
    assert recorded, f"{key[1]} recorded nothing for bytes meant to provoke it"
    expected = [f"{cap.name} at 0x{cap.offset:03x}: {problem}" for problem in recorded]
    assert cap.problems == expected
    fresh = _device(image)
    assert set(expected) <= set(fresh.problems)
    ids = IdDatabase(b"")
    text = render_text([_device(image)], ids)
    assert all(f"problem     {line}" in text for line in expected)
    (document,) = json.loads(dumps([_device(image)], ids))
    assert set(expected) <= set(document["problems"])
    assert set(expected) <= set(Inspection(_device(image), ids, source=None).problems)
