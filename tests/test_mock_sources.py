"""Where mock devices come from: images, dumps, the builder — and lspci agreeing with the builder."""
from __future__ import annotations

import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pcikit
from pcikit.access.dump import iter_hex_rows
from pcikit.testing import DeviceBuilder, MockDevice, MockError
from tests.conftest import CORPUS, need_corpus, need_lspci

VIRTIO_DUMP = "pciutils-tests/cap-vendor-virtio"


def _dump(slot: str, data: bytes) -> str:
    return f"{slot} Mock device\n" + "\n".join(iter_hex_rows(data)) + "\n\n"


def test_from_image_starts_with_the_image_bytes():
    image = bytearray(DeviceBuilder(0x10EC, 0x8168, command=0x0407).bar(0, 0x100, space="io", address=0xE000).image())
    dev = MockDevice.from_image(bytes(image), {0: 0x100})
    assert dev.config.read_block(0, 256) == bytes(image)
    assert dev.config.size == 256
    dev.config.write32(0x10, 0xFFFFFFFF)
    assert dev.config.read32(0x10) == 0xFFFFFF01


def test_from_image_keeps_an_unsized_bar_read_only():
    image = DeviceBuilder(1, 2).bar(0, 0x1000, address=0xF000_0000).image()
    dev = MockDevice.from_image(image)
    dev.config.write32(0x10, 0xFFFFFFFF)
    assert dev.config.read32(0x10) == 0xF000_0000
    assert any("BAR 0: no size given" in p for p in dev.problems)
    with pytest.raises(MockError, match="bar_sizes"):
        dev.bar(0)


def test_from_image_refuses_sizes_that_are_not_bar_sizes():
    image = DeviceBuilder(1, 2).bar(0, 0x1000, bits=64).image()
    for sizes in ({0: 0x1800}, {0: 8}, {1: 0x1000}, {7: 0x1000}):
        with pytest.raises(ValueError):
            MockDevice.from_image(image, sizes)


def test_from_image_refuses_a_headerless_image():
    with pytest.raises(MockError):
        MockDevice.from_image(b"\x00" * 32)


def test_from_dump_virtio_net_with_sizes_from_lspci():
    need_corpus()
    path = CORPUS / VIRTIO_DUMP
    # sizes as lspci -vvv printed them in that dump: I/O 32, 4K, 512K, ROM 256K
    dev = MockDevice.from_dump(path, slot="00:09.0", bar_sizes={0: 32, 1: 0x1000, 2: 0x80000, 6: 0x40000})
    assert str(dev.address) == "0000:00:09.0"
    assert (dev.config.read16(0), dev.config.read16(2)) == (0x1AF4, 0x1000)
    assert dev.msix.table_size == 3 and dev.msix.enabled  # the dump had MSI-X enabled
    assert dev.msix.vector_masked(0)  # BAR memory starts in reset state
    dev.config.write32(0x18, 0xFFFFFFFF)
    assert dev.config.read32(0x18) == 0xFFF80000
    dev.config.write32(0x30, 0xFFFFFFFF)
    assert dev.config.read32(0x30) == 0xFFFC0001
    dev.bar(1).write32(0x0C, 0)  # unmask vector 0 through the table in BAR 1
    dev.msix.fire(0)
    assert [m.vector for m in dev.interrupts] == [0]


def test_from_dump_sizes_the_msix_bar_when_not_told():
    need_corpus()
    dev = MockDevice.from_dump(CORPUS / VIRTIO_DUMP, slot="00:04.0")
    assert dev.bar(0).size >= 0x2000 + 8  # table at 0, PBA at 0x2000 in BAR 0
    assert dev.problems and all("no size given" in p for p in dev.problems)


def test_from_dump_needs_one_device(tmp_path):
    path = tmp_path / "two.txt"
    data = DeviceBuilder(1, 2).image()
    path.write_text(_dump("00:01.0", data) + _dump("00:02.0", data))
    with pytest.raises(MockError, match="0000:00:01.0, 0000:00:02.0"):
        MockDevice.from_dump(path)
    assert str(MockDevice.from_dump(path, slot="02.0").address) == "0000:00:02.0"


def test_from_spec_names_a_missing_spec_file():
    from pcikit.fixture import SpecError

    with pytest.raises(SpecError, match="device.toml"):
        MockDevice.from_spec("device.toml")


def test_builder_image_decodes_in_real_lspci(tmp_path):
    lspci = need_lspci()
    dev = (
        DeviceBuilder(0x8086, 0x10D3, class_code=0x020000, revision=2, subsystem=(0x8086, 0xA01F), command=0x0107)
        .bar(0, 0x20000, address=0xFEBC0000)
        .bar(2, 0x20, space="io", address=0xC000)
        .bar(3, 0x4000, bits=64, prefetchable=True, address=0x2_0000_0000)
        .interrupt("INTA", 11)
        .pm(pme_support=0x19)
        .msi(vectors=4, per_vector_masking=True)
        .msix(vectors=5, bar=3, pba_offset=0x2000)
        .pcie(link_speed=8, link_width=4)
        .build(address="0000:03:00.0")
    )
    path = tmp_path / "mock.txt"
    path.write_text(_dump("03:00.0", dev.config.image()))
    result = subprocess.run([lspci, "-F", str(path), "-vvv", "-n"], capture_output=True, text=True)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    expected = [
        "03:00.0 0200: 8086:10d3 (rev 02)",
        "\tSubsystem: 8086:a01f",
        "\tControl: I/O+ Mem+ BusMaster+ SpecCycle- MemWINV- VGASnoop- ParErr- Stepping- SERR+ FastB2B- DisINTx-",
        "\tInterrupt: pin A routed to IRQ 11",
        "\tRegion 0: Memory at febc0000 (32-bit, non-prefetchable)",
        "\tRegion 2: I/O ports at c000",
        "\tRegion 3: Memory at 200000000 (64-bit, prefetchable)",
        "\tCapabilities: [40] Power Management version 3",
        "\t\tFlags: PMEClk- DSI- D1- D2- AuxCurrent=0mA PME(D0+,D1-,D2-,D3hot+,D3cold+)",
        "\tCapabilities: [48] MSI: Enable- Count=1/4 Maskable+ 64bit+",
        "\tCapabilities: [60] MSI-X: Enable- Count=5 Masked-",
        "\t\tVector table: BAR=3 offset=00000000",
        "\t\tPBA: BAR=3 offset=00002000",
        "\tCapabilities: [6c] Express (v2) Endpoint, MSI 00",
        "\t\tLnkCap:\tPort #0, Speed 8GT/s, Width x4, ASPM L0s L1, Exit Latency L0s <64ns, L1 <1us",
        "\t\tLnkSta:\tSpeed 8GT/s, Width x4",
    ]
    for line in expected:
        assert line in out.splitlines(), f"{line!r} not in lspci output:\n{out}"
    assert "FLReset+" in out and "<chain" not in out


def test_builder_refuses_impossible_devices():
    builder = DeviceBuilder(1, 2).bar(0, 0x1000)
    for bad in (
        lambda: builder.msix(vectors=300, bar=0),  # 300 entries do not fit 4 KiB
        lambda: builder.msix(vectors=4, bar=1),  # no such BAR
        lambda: builder.msix(vectors=4, bar=0, pba_offset=0x10),  # PBA inside the table
        lambda: builder.msix(vectors=0, bar=0),
        lambda: builder.msi(vectors=3),
        lambda: builder.bar(0, 0x1000),  # slot taken
        lambda: builder.bar(1, 0x1000, address=0x800),  # misaligned address
        lambda: builder.bar(5, 0x1000, bits=64),
        lambda: builder.pcie(port_type="root_port"),
    ):
        with pytest.raises((ValueError, KeyError)):
            bad()


def test_builder_extended_capabilities_chain():
    dev = (DeviceBuilder(1, 2).pcie()
           .extended_capability(0x03, bytes(8))
           .extended_capability(0x01, bytes(0x2C), version=2)
           .build())
    model = pcikit.Device(dev.address, dev.config)
    assert [(c.offset, c.cap_id, c.version) for c in model.extended_capabilities] == [(0x100, 3, 1), (0x10C, 1, 2)]
    dev.config.poke(0x10C + 4, 4, 0x00001000)  # AER: Poisoned TLP status
    dev.config.write32(0x10C + 4, 0x00001000)
    assert dev.config.read32(0x10C + 4) == 0  # RW1C


_BASE = DeviceBuilder(1, 2).bar(0, 0x1000).pm().msi(4, per_vector_masking=True).msix(8, bar=0).pcie().image()[:256]
_mutated = st.lists(st.tuples(st.integers(0, 255), st.integers(0, 255))).map(
    lambda edits: bytes(b if i not in dict(edits) else dict(edits)[i] for i, b in enumerate(_BASE)))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(min_size=64, max_size=256), _mutated),
       st.lists(st.tuples(st.integers(0, 255), st.integers(0, 0xFFFFFFFF))))
def test_any_image_makes_a_device_that_survives_writes(image, writes):
    dev = MockDevice.from_image(image)
    for offset, value in writes:
        offset &= ~3
        if offset + 4 <= dev.config.size:
            dev.config.write32(offset, value)
    pcikit.Device(dev.address, dev.config).problems
    for index, region in dev.bars.items():
        region.read32(0)
