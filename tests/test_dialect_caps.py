"""Every capability whose text differs between lspci releases, on seeded random register contents.

The corpus holds few of the capabilities lspci 3.11-3.14 learnt to decode, and fixtures hold
them with zeroed or hand-picked registers. Here each one sits on devices whose registers are
random bytes (every flag of every field both set and clear somewhere), next to a PCI Express
capability that is random too, and both lspci releases are the oracle, device by device.
"""
from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from pcikit.render.lspci.dialect import V3_13, parse_version

from . import oracle
from .conftest import dump_text, need_oracle, put, run_cli

SEEDS = range(6)
EXPRESS = 0x40
EXTENDED = 0x100
# Extended capabilities rendered differently by some release (see docs/lspci-dialects.md).
EXTENDED_IDS = (0x01, 0x10, 0x13, 0x1D, 0x1F, 0x23, 0x26, 0x27, 0x2A, 0x2E, 0x2F, 0x30, 0x31, 0x32, 0x34, 0x36)
PORT_TYPES = (0x0, 0x1, 0x4, 0x5, 0x6, 0x9, 0xA)
VENDORS = ((0x8086, 0x1234), (0x1AF4, 0x1041), (0x10DE, 0x0001))
CXL_VENDOR = 0x1E98


def _device(rng: random.Random, cap_id: int) -> bytes:
    """A type 0 function: maybe a Vendor Specific capability, a random Express capability, then
    ``cap_id`` with a random body at 0x100 (a DVSEC gets the CXL vendor and a plausible length)."""
    vendor, device = rng.choice(VENDORS)
    image = bytearray(rng.randrange(256) for _ in range(4096))
    image[0x00:0x40] = bytes(0x40)
    put(image, 0x00, 2, vendor)
    put(image, 0x02, 2, device)
    put(image, 0x06, 2, 0x0010)
    put(image, 0x0A, 2, 0x0200)
    first = EXPRESS
    if rng.random() < 0.5:  # Vendor Specific (Intel CAPID0, virtio structures) ahead of Express
        first = 0x30
        image[0x30] = 0x09
        image[0x31] = EXPRESS
        image[0x32] = rng.choice((4, 8, 12, 16, 20, rng.randrange(256)))
    image[0x34] = first
    image[EXPRESS] = 0x10
    image[EXPRESS + 1] = 0
    flags = 2 | rng.choice(PORT_TYPES) << 4 | rng.randrange(2) << 8 | rng.randrange(32) << 9 | rng.randrange(2) << 15
    put(image, EXPRESS + 2, 2, flags)
    put(image, EXTENDED, 4, cap_id | 1 << 16)
    if cap_id == 0x23:
        revision = rng.randrange(4)  # (draw order matters: these seeds keep lspci within its tables)
        length = rng.choice((0x10, 0x14, 0x20, 0x38, 0x3C, 0x40))
        put(image, EXTENDED + 4, 4, CXL_VENDOR | revision << 16 | length << 20)
        put(image, EXTENDED + 8, 2, rng.choice((0, 2, 3, 4, 5, 7, 8, 9, 10)))
    if cap_id == 0x10:  # SR-IOV: a 64-bit VF BAR0 with bit 0 set (hardwired 0 in VF BARs), a 64-bit VF BAR5
        put(image, EXTENDED + 0x24, 4, rng.getrandbits(32) | 0x5)
        put(image, EXTENDED + 0x38, 4, rng.getrandbits(32) & ~0x3 | 0x4)
    if cap_id == 0x36:  # MMIO Register Block Locator: a structure length within reason
        put(image, EXTENDED + 4, 4, rng.choice((0x08, 0x10, 0x18, 0x20, 0x28)))
    return bytes(image)


@pytest.fixture(scope="module")
def dump(tmp_path_factory) -> Path:
    devices = [_device(random.Random(seed * 1000 + cap_id), cap_id) for cap_id in EXTENDED_IDS for seed in SEEDS]
    slots = [(f"{1 + index // 32:02x}:{index % 32:02x}.0", data) for index, data in enumerate(devices)]
    path = tmp_path_factory.mktemp("dialect_caps") / "random-capabilities.txt"
    path.write_text(dump_text(slots))
    return path


@pytest.mark.parametrize("version", oracle.VERSIONS)
@pytest.mark.parametrize("flags", [("-vvv",), ("-vv",), ("-v",)], ids=" ".join)
def test_random_registers_match_lspci(dump, flags, version):
    need_oracle(version)
    (result,) = oracle.compare_many(oracle.oracle(version), [(dump, flags)])
    assert result.devices == len(EXTENDED_IDS) * len(SEEDS)
    assert result.total_lines > result.devices * (4 if flags == ("-v",) else 20), "lspci printed too little"
    assert not result.mismatches, "\n".join(result.mismatches[:10])


# -- CXL 1.1 Restricted CXL Devices: link registers from sysfs (lspci 3.13+) ----------------------
RCD_TYPES = (0x9, 0xA)  # Root Complex Integrated Endpoint, Root Complex Event Collector: no link in config


def _rcd_tree(root: Path, rng: random.Random, count: int) -> Path:
    """A sysfs tree of ``count`` root-complex functions, each with random RCRB link registers."""
    for index in range(count):
        folder = root / "bus" / "pci" / "devices" / f"0000:00:{index:02x}.0"
        folder.mkdir(parents=True)
        image = bytearray(rng.randrange(256) for _ in range(256))
        image[0x00:0x40] = bytes(0x40)
        put(image, 0x00, 4, 0x0D93_8086)
        put(image, 0x06, 2, 0x0010)
        put(image, 0x0A, 2, 0x0502)
        image[0x34] = EXPRESS
        image[EXPRESS], image[EXPRESS + 1] = 0x10, 0
        put(image, EXPRESS + 2, 2, 2 | rng.choice(RCD_TYPES) << 4)
        (folder / "config").write_bytes(bytes(image))
        for name, text in (("vendor", "0x8086"), ("device", "0x0d93"), ("class", "0x050200"), ("irq", "0"),
                           ("resource", "0x0 0x0 0x0\n" * 7)):
            (folder / name).write_text(text if text.endswith("\n") else text + "\n")
        if index % 4:  # a few without the attributes: lspci prints no link then
            for name, bits in (("rcd_link_cap", 32), ("rcd_link_ctrl", 16), ("rcd_link_status", 16)):
                (folder / name).write_text(f"0x{rng.getrandbits(bits) | (name == 'rcd_link_cap'):x}\n")
    return root


@pytest.mark.parametrize("version", oracle.VERSIONS)
def test_rcd_link_registers_from_sysfs(tmp_path, version, monkeypatch):
    lspci = need_oracle(version)
    root = _rcd_tree(tmp_path, random.Random(7), 16)
    theirs = subprocess.run([lspci, "-O", "hwdb.disable=1", "-A", "linux-sysfs", "-O",
                             f"sysfs.path={root / 'bus' / 'pci'}", "-vv"], capture_output=True).stdout.decode()
    monkeypatch.setenv("PCIKIT_HWDB", "0")
    ours = run_cli("show", "--format", "lspci", "-vv", "--lspci-version", version, "--sysfs-root", str(root))
    assert ours.returncode == 0, ours.stderr
    assert theirs.count("\n\n") == 16
    if parse_version(version) >= V3_13:
        assert theirs.count("LnkCap:") == 12, "lspci shows the RCRB link of every RCD that has one"
    assert ours.stdout == theirs
