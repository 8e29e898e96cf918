"""The register catalogue, tested from the spec's side.

Part one walks every schema the registry names (so a new capability is covered without new
test code): it parses, builds back, the compiled parser agrees with the interpreted one, every
field's attribute is one the PCIe spec defines, and the masks a register yields follow from its
fields' attributes. Part two drives MockDevice as a driver would and checks each attribute's
meaning (PCIe Base 6.0 section 7.4): RW, RW1C, RsvdP, sticky across FLR, HwInit after reset,
attributes that depend on the device, and the header's precedence over a misplaced capability.
Register offsets and bit numbers below are the spec's.
"""
from __future__ import annotations

import random

import pytest

from pcikit.schema import header, registry
from pcikit.schema.attributes import (
    ATTRIBUTES, CLEARABLE, RSVDP, RSVDZ, SETTABLE, STICKY, WRITABLE, Facts,
)
from pcikit.schema.bits import Register, Scalar
from pcikit.schema.catalogue import registers
from pcikit.testing import MockDevice


def _entries() -> list[tuple[str, int, object]]:
    found = []
    for kind, table, load in (("caps", registry.STANDARD, registry.standard_module),
                              ("ecaps", registry.EXTENDED, registry.extended_module)):
        for cap_id, (name, *_) in table.items():
            module = load(cap_id) if name else None
            if module is not None and hasattr(module, "SCHEMA"):
                found.append((f"{kind}.{name}.{cap_id:#x}", module.SCHEMA))
    return found + [(f"header.{name}", schema) for name, schema in
                    (("common", header.COMMON), ("type0", header.TYPE0), ("type1", header.TYPE1),
                     ("type2", header.TYPE2))]


ENTRIES = _entries()


def _images(seed: str) -> list[bytes]:
    rng = random.Random(seed)
    return [bytes(4096), bytes(rng.getrandbits(8) for _ in range(4096))]


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def test_the_registry_walk_found_the_schemas():
    assert len(ENTRIES) >= 50  # every standard and extended module with a SCHEMA, and the headers


@pytest.mark.parametrize("name, schema", ENTRIES, ids=[e[0] for e in ENTRIES])
def test_schema_parses_builds_and_compiles_alike(name, schema):
    try:
        compiled = schema.compile()
    except Exception:  # noqa: BLE001 - such schemas stay interpreted (context.parse_at falls back)
        compiled = schema
    for image in _images(name):
        parsed = schema.parse(image)
        assert _plain(compiled.parse(image)) == _plain(parsed)
        size = len(schema.build(parsed))
        assert _plain(schema.parse(schema.build(parsed) + image[size:])) == _plain(parsed)


def _fields_of(schema, parsed) -> list:
    return [located for located in registers(schema, parsed) if isinstance(located.register, (Register, Scalar))]


@pytest.mark.parametrize("name, schema", ENTRIES, ids=[e[0] for e in ENTRIES])
def test_masks_follow_from_the_declared_attributes(name, schema):
    for image in _images(name):
        parsed = schema.parse(image)
        facts = Facts(parsed, port_type=None)
        for located in _fields_of(schema, parsed):
            register = located.register
            width_mask = (1 << (8 * register.subcon.sizeof())) - 1
            access = register.access(facts)
            declared = {a: 0 for a in ATTRIBUTES}
            for field in register.fields:
                assert field.access in ATTRIBUTES, (located.name, field)
                assert field.reset is None or callable(field.reset) or 0 <= field.reset <= field.mask, (located.name, field)
                declared[field.access] |= field.mask << field.lo
                if field.when is None:  # unconditional attributes always hold
                    bits = field.mask << field.lo
                    if field.access in WRITABLE:
                        assert access.writable & bits == bits, (located.name, field.name)
                    if field.access in CLEARABLE:
                        assert access.clear & bits == bits, (located.name, field.name)
            union = lambda kinds: sum(declared[a] for a in kinds)  # noqa: E731 - disjoint or equal masks
            assert access.writable & ~union(WRITABLE) == 0
            assert access.clear & ~union(CLEARABLE) == 0
            assert access.set & ~union(SETTABLE) == 0
            assert access.sticky & ~union(STICKY) == 0
            assert access.writable & access.clear == 0 and access.writable & access.set == 0
            assert (access.writable | access.clear | access.set | access.sticky) & ~width_mask == 0
            if isinstance(register, Register):
                assert register.reserved in (RSVDP, RSVDZ)


# -- through the mock, as a driver sees it -------------------------------------------------------------

def _put(image: bytearray, offset: int, width: int, value: int) -> None:
    image[offset:offset + width] = value.to_bytes(width, "little")


def express_function(port_type: int, *, header_type: int = 0, slot: int = 0, devcap2: int = 0,
                     lnkcap: int = 0x11, aer: bool = False) -> bytearray:
    """A PCIe function: header, PCI Express capability v2 at 0x40, AER at 0x100 when asked."""
    image = bytearray(4096)
    _put(image, 0, 4, 0x1234_8086)
    _put(image, 0x06, 2, 0x0010)
    image[0x0E] = header_type
    image[0x34] = 0x40
    _put(image, 0x40, 2, 0x0010)
    _put(image, 0x42, 2, 0x2 | port_type << 4 | (0x100 if slot else 0))
    _put(image, 0x44, 4, 1 << 28)  # Function Level Reset Capability
    _put(image, 0x48, 2, 0x2810)
    _put(image, 0x4C, 4, lnkcap)
    _put(image, 0x54, 4, slot)
    _put(image, 0x64, 4, devcap2)
    if aer:
        _put(image, 0x100, 4, 0x0001 | 2 << 16)
    return image


ENDPOINT, ROOT_PORT, UPSTREAM, DOWNSTREAM, PCIE_TO_PCI = 0, 4, 5, 6, 7


def test_rw_bits_take_writes_and_reserved_bits_stay_zero():
    config = MockDevice(bytes(express_function(ENDPOINT))).config
    config.write16(0x04, 0xFFFF)  # Command: bits 0, 1, 2, 6, 8, 10 are RW (PCIe 7.5.1.1.3)
    assert config.read16(0x04) == 0x0547
    config.write16(0x04, 0x0000)
    assert config.read16(0x04) == 0


def test_rw1c_bits_clear_on_one_and_ignore_zero():
    dev = MockDevice(bytes(express_function(ENDPOINT)))
    dev.config.poke(0x06, 2, 0xF910)  # the device reports every Status error bit
    dev.config.write16(0x06, 0x0100)  # clear Master Data Parity Error only
    assert dev.config.read16(0x06) == 0xF810
    dev.config.write16(0x06, 0x0000)
    assert dev.config.read16(0x06) == 0xF810
    dev.config.poke(0x4A, 2, 0x000F)  # Device Status error bits, RW1C
    dev.config.write16(0x4A, 0x0005)
    assert dev.config.read16(0x4A) == 0x000A


def test_sticky_bits_survive_flr_and_not_a_cold_reset():
    dev = MockDevice(bytes(express_function(ENDPOINT, aer=True)))
    config = dev.config
    config.poke(0x104, 4, 1 << 12)  # Uncorrectable Error Status: Poisoned TLP Received (RW1CS)
    config.write32(0x108, 1 << 14)  # Uncorrectable Error Mask: Completion Timeout (RWS)
    config.write16(0x04, 0x0006)
    config.write16(0x48, 0x8000)  # Initiate Function Level Reset
    assert config.read32(0x104) == 1 << 12 and config.read32(0x108) == 1 << 14
    assert config.read16(0x04) == 0 and config.read16(0x48) == 0x2810  # non-sticky: reset values
    dev.reset(cold=True)
    assert config.read32(0x104) == 0
    assert config.read32(0x108) == 1 << 22  # Uncorrectable Internal Error Mask defaults to 1
    assert config.read32(0x10C) == 0x00462030  # Uncorrectable Error Severity defaults (PCIe 7.8.4.4)


def test_hwinit_and_ro_registers_keep_their_values_across_reset():
    image = express_function(ENDPOINT, lnkcap=0x0003_4C23)  # Link Capabilities: HwInit/RO
    dev = MockDevice(bytes(image))
    dev.config.write32(0x4C, 0)
    dev.reset()
    assert dev.config.read32(0x4C) == 0x0003_4C23


@pytest.mark.parametrize("aspm_support, writable", [(0, 0), (1, 1), (2, 2), (3, 3)])
def test_aspm_control_is_writable_only_for_supported_states(aspm_support, writable):
    dev = MockDevice(bytes(express_function(ENDPOINT, lnkcap=0x11 | aspm_support << 10)))
    dev.config.write16(0x50, 0x0003)
    assert dev.config.read16(0x50) & 0x3 == writable


@pytest.mark.parametrize("devcap2, writable", [(0, False), (1 << 5, True)])
def test_ari_forwarding_enable_needs_ari_forwarding_supported(devcap2, writable):
    dev = MockDevice(bytes(express_function(DOWNSTREAM, header_type=1, devcap2=devcap2)))
    dev.config.write16(0x68, 1 << 5)
    assert bool(dev.config.read16(0x68) & 1 << 5) is writable


def test_10bit_tag_requester_enable_needs_its_capability():
    plain = MockDevice(bytes(express_function(ENDPOINT)))
    capable = MockDevice(bytes(express_function(ENDPOINT, devcap2=1 << 17)))
    for dev, expected in ((plain, 0), (capable, 1 << 12)):
        dev.config.write16(0x68, 1 << 12)
        assert dev.config.read16(0x68) & 1 << 12 == expected


def test_root_control_exists_on_root_ports_only():
    root = MockDevice(bytes(express_function(ROOT_PORT, header_type=1)))
    endpoint = MockDevice(bytes(express_function(ENDPOINT)))
    for dev, expected in ((root, 0x000F), (endpoint, 0)):
        dev.config.write16(0x5C, 0x001F)  # CRS Software Visibility Enable needs its capability bit
        assert dev.config.read16(0x5C) == expected


def test_slot_control_fields_follow_the_slot_capabilities():
    attention_indicator, hot_plug = 1 << 3, 1 << 6
    dev = MockDevice(bytes(express_function(DOWNSTREAM, header_type=1, slot=attention_indicator | hot_plug)))
    dev.config.write16(0x58, 0xFFFF)
    control = dev.config.read16(0x58)
    assert control & 0x00C0 == 0x00C0  # Attention Indicator Control
    assert control & 0x0300 == 0  # no Power Indicator
    assert control & 0x0400 == 0  # no Power Controller
    assert control & (1 << 5) and control & (1 << 3)  # Hot-Plug Interrupt Enable, Presence Detect Changed Enable


def test_bridge_control_pci_only_bits_on_conventional_bridges_only():
    pcie = MockDevice(bytes(express_function(DOWNSTREAM, header_type=1)))
    pci = bytearray(256)
    _put(pci, 0, 4, 0x1234_8086)
    pci[0x0E] = 1
    conventional = MockDevice(bytes(pci))
    # PCIe hardwires Master-Abort Mode (5), Fast Back-to-Back (7) and the discard timer bits (8-11);
    # Discard Timer Status (10) is RW1C, so writing 1 leaves it 0.
    for dev, expected in ((pcie, 0x005F), (conventional, 0x0BFF)):
        dev.config.write16(0x3E, 0x0FFF)
        assert dev.config.read16(0x3E) == expected
    conventional.config.write8(0x1B, 0x40)  # Secondary Latency Timer: RW on conventional bridges only
    pcie.config.write8(0x1B, 0x40)
    assert (conventional.config.read8(0x1B), pcie.config.read8(0x1B)) == (0x40, 0)


def test_secondary_status_is_rw1c():
    dev = MockDevice(bytes(express_function(DOWNSTREAM, header_type=1)))
    dev.config.poke(0x1E, 2, 0xF900)
    dev.config.write16(0x1E, 0x8000)
    assert dev.config.read16(0x1E) == 0x7900


def test_a_capability_overlapping_the_header_cannot_make_it_writable():
    image = bytearray(256)
    _put(image, 0, 4, 0x1234_8086)
    _put(image, 0x06, 2, 0x0010)
    image[0x34] = 0x0C
    image[0x0C], image[0x0D] = 0x05, 0x00  # MSI at 0x0c: its Message Control would be 0x0e-0x0f
    dev = MockDevice(bytes(image))
    dev.config.write16(0x0E, 0x0071)
    assert dev.config.read8(0x0E) == 0x00  # Header Type is RO
    assert dev.config.read8(0x0F) == 0x00  # BIST (not capable) is RO


def test_interrupt_line_is_rw_and_cleared_by_function_reset():
    dev = MockDevice(bytes(express_function(ENDPOINT)))
    dev.config.write8(0x3C, 0x0B)
    assert dev.config.read8(0x3C) == 0x0B
    dev.config.write16(0x48, 0x8000)
    assert dev.config.read8(0x3C) == 0


def test_pme_bits_are_sticky_across_a_soft_reset():
    image = bytearray(256)
    _put(image, 0, 4, 0x1234_8086)
    _put(image, 0x06, 2, 0x0010)
    image[0x34] = 0x40
    _put(image, 0x40, 4, 0x0001 | (0x0003 | 0x1F << 11) << 16)  # PM, PME from every state
    dev = MockDevice(bytes(image))
    dev.config.poke(0x44, 2, 0x8000)  # PME_Status
    dev.config.write16(0x44, 0x0103)  # PME_En, D3hot
    dev.config.write16(0x44, 0x0100)  # back to D0: No_Soft_Reset clear, so the function resets
    assert dev.config.read16(0x44) == 0x8100
    dev.config.write16(0x44, 0x8100)  # PME_Status is RW1CS (PME_En written as it was)
    assert dev.config.read16(0x44) == 0x0100
