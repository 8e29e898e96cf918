"""PCI Express capability: schema decode from hand-built registers, lspci text, and the real lspci."""
from __future__ import annotations

import random
import subprocess

import pytest

from pcikit.access import BytesConfig
from pcikit.address import Address
from pcikit.model import Device
from pcikit.render.lspci.caps import express as render_express
from pcikit.render.lspci.context import LspciOptions, RenderContext
from pcikit.render.lspci.dialect import V3_9
from pcikit.schema.caps import express

from .conftest import dump_text, lspci_dialect, need_corpus, need_lspci, put

CAP = 0x40


def _config(cap: bytes, offset: int = CAP, size: int = 4096, header_type: int = 0,
            bar0: int = 0) -> bytearray:
    """A header whose only capability is ``cap`` at ``offset``."""
    buf = bytearray(size)
    put(buf, 0x00, 2, 0x8086)
    put(buf, 0x02, 2, 0x1234)
    put(buf, 0x06, 2, 0x0010)  # Status: Capabilities List
    buf[0x0E] = header_type
    put(buf, 0x10, 4, bar0)
    buf[0x34] = offset
    end = min(offset + len(cap), size)
    buf[offset:end] = cap[: end - offset]
    return buf


def _device(buf: bytes, address: Address = Address(0, 0, 0, 0)) -> Device:
    return Device(address, BytesConfig(bytes(buf)))


def _express(dev: Device):
    cap = dev.find_capability(0x10)
    if cap is None:
        raise LookupError("no PCI Express capability")
    return cap


def _lines(dev: Device, verbose: int = 3) -> list[str]:
    """Our rendering of the Express capability line and its details."""
    ctx = RenderContext(LspciOptions(verbose=verbose, dialect=V3_9), namer=None, device=dev)
    render_express.render(ctx, _express(dev))
    return "".join(ctx.out).split("\n")[:-1]


# Spec layout: PCIe Capabilities at +2 (version 3:0, type 7:4, slot 8, IRQ 13:9); DevCap +4,
# DevCtl +8, DevSta +0xA, LnkCap +0xC, LnkCtl +0x10, LnkSta +0x12, SltCap +0x14, SltCtl +0x18,
# SltSta +0x1A, RootCtl +0x1C, RootCap +0x1E, RootSta +0x20, DevCap2 +0x24, DevCtl2 +0x28,
# LnkCap2 +0x2C, LnkCtl2 +0x30, LnkSta2 +0x32.
def _endpoint_bytes() -> bytearray:
    cap = bytearray(0x3C)
    cap[0] = 0x10
    put(cap, 0x02, 2, 0x0002 | (0 << 4) | (3 << 9))  # v2 Endpoint, MSI 03
    put(cap, 0x04, 4, 0x1 | (1 << 5) | (2 << 6) | (6 << 9) | (1 << 15) | (1 << 28) | (25 << 18) | (1 << 26))
    put(cap, 0x08, 2, 0x000F | (1 << 4) | (1 << 5) | (2 << 12) | (1 << 15))
    put(cap, 0x0A, 2, 0x0024)  # Transactions Pending, Unsupported Request Detected
    put(cap, 0x0C, 4, 3 | (4 << 4) | (3 << 10) | (6 << 12) | (5 << 15) | (1 << 18) | (7 << 24))
    put(cap, 0x10, 2, 0x0042)  # ASPM L1, Common Clock
    put(cap, 0x12, 2, 2 | (4 << 4) | (1 << 12))  # 5 GT/s x4, Slot Clock
    put(cap, 0x24, 4, 0x2 | (1 << 4) | (1 << 11) | (1 << 12) | (1 << 16) | (1 << 21))
    put(cap, 0x28, 2, 0x6 | (1 << 10))
    put(cap, 0x2C, 4, 0x0E)  # 2.5, 5 and 8 GT/s
    put(cap, 0x30, 2, 0x3)
    put(cap, 0x32, 2, 0x1E)
    return cap


def _root_port_bytes() -> bytearray:
    cap = bytearray(0x3C)
    cap[0] = 0x10
    put(cap, 0x02, 2, 0x0042 | (1 << 8))  # v2 Root Port, slot implemented
    put(cap, 0x04, 4, 0x1)
    put(cap, 0x0C, 4, 4 | (16 << 4) | (2 << 10) | (3 << 15) | (1 << 20) | (1 << 21) | (2 << 24))
    put(cap, 0x12, 2, 3 | (8 << 4) | (1 << 13))  # 8 GT/s x8, DL Active
    put(cap, 0x14, 4, 0x7F | (25 << 7) | (0 << 15) | (5 << 19))  # all slot flags, 25 W, slot 5
    put(cap, 0x18, 2, (3 << 6) | (1 << 8) | (1 << 12))  # AttnInd Off, PwrInd On, LinkChg enable
    put(cap, 0x1A, 2, (1 << 6) | (1 << 8))  # Presence Detect State, DLL State Changed
    put(cap, 0x1C, 2, 0x0008)  # PME Interrupt Enable
    put(cap, 0x1E, 2, 0x0001)
    put(cap, 0x20, 4, 0x0123 | (1 << 16))
    put(cap, 0x24, 4, (1 << 5) | (1 << 6) | (1 << 7) | (1 << 31))
    put(cap, 0x2C, 4, 0x1E | (1 << 31))  # up to 16 GT/s, DRS supported
    put(cap, 0x32, 2, (4 << 12) | (1 << 15))  # Link Up - Present, DRS message received
    return cap


def test_endpoint_fields():
    f = _express(_device(_config(_endpoint_bytes()))).fields
    assert (f.port_type, f.port_type_raw, f.version) == ("endpoint", 0, 2)
    assert f.pcie_capabilities.interrupt_message_number == 3
    assert f.device_capabilities.max_payload_size_supported == 256
    assert f.device_capabilities.function_level_reset_capability is True
    assert f.device_capabilities.captured_slot_power_limit_watts == pytest.approx(2.5)
    assert f.device_control.max_read_request_size == 512
    assert (f.max_link_speed_gts, f.max_link_width) == (8.0, 4)
    assert (f.link_speed_gts, f.link_width) == (5.0, 4)
    assert f.link_capabilities.port_number == 7
    assert f.link_capabilities_2.supported_link_speeds_vector == 0x7
    assert f.device_capabilities_2.end_end_tlp_prefix_supported is True
    for absent in ("slot_capabilities", "slot_control", "slot_status", "root_control", "root_status"):
        assert f[absent] is None
    assert f.problems == []


def test_endpoint_lspci_lines():
    lines = _lines(_device(_config(_endpoint_bytes(), bar0=0xF0000000)))
    assert lines[0] == "Express (v2) Endpoint, MSI 03"
    assert lines[1] == "\t\tDevCap:\tMaxPayload 256 bytes, PhantFunc 0, Latency L0s <256ns, L1 <64us"
    assert lines[2] == "\t\t\tExtTag+ AttnBtn- AttnInd- PwrInd- RBE+ FLReset+ SlotPowerLimit 2.5W"
    assert lines[4] == "\t\t\tRlxdOrd+ ExtTag- PhantFunc- AuxPwr- NoSnoop- FLReset+"
    assert lines[5] == "\t\t\tMaxPayload 256 bytes, MaxReadReq 512 bytes"
    assert lines[7] == ("\t\tLnkCap:\tPort #7, Speed 8GT/s, Width x4, ASPM L0s L1, "
                        "Exit Latency L0s <4us, L1 <32us")
    assert lines[11] == "\t\tLnkSta:\tSpeed 5GT/s (downgraded), Width x4"
    assert "\t\t\t AtomicOpsCap: 32bit- 64bit- 128bitCAS-" in lines  # memory BAR present
    assert "\t\tLnkCap2: Supported Link Speeds: 2.5-8GT/s, Crosslink- Retimer- 2Retimers- DRS-" in lines


def test_endpoint_on_other_function_skips_link_2_capabilities():
    dev = _device(_config(_endpoint_bytes()), Address(0, 1, 0, 1))
    text = "\n".join(_lines(dev))
    assert "LnkCap2" not in text and "LnkCtl2" not in text and "LnkSta2" in text


def test_root_port_fields_and_lines():
    dev = _device(_config(_root_port_bytes(), header_type=1))
    f = _express(dev).fields
    assert (f.port_type, f.port_type_raw) == ("root_port", 4)
    assert (f.max_link_speed_gts, f.max_link_width, f.link_speed_gts, f.link_width) == (16.0, 16, 8.0, 8)
    assert f.slot_capabilities.physical_slot_number == 5
    assert f.slot_capabilities.slot_power_limit_watts == 25
    assert f.root_status.pme_requester_id == 0x0123 and f.root_status.pme_status is True
    lines = _lines(dev)
    assert lines[0] == "Express (v2) Root Port (Slot+), MSI 00"
    assert "\t\tLnkSta:\tSpeed 8GT/s, Width x8" in lines  # downstream ports are never "downgraded"
    assert "\t\t\tSlot #5, PowerLimit 25W; Interlock- NoCompl-" in lines
    assert "\t\t\tControl: AttnInd Off, PwrInd On, Power- Interlock-" in lines
    assert "\t\tRootSta: PME ReqID 0123, PMEStatus+ PMEPending-" in lines
    assert "\t\t\t FRS+ LN System CLS Not Supported, TPHComp- ExtTPHComp- ARIFwd+" in lines
    assert lines[-2:] == ["\t\t\t Retimer- 2Retimers- CrosslinkRes: unsupported, DRS+",
                          "\t\t\t DownstreamComp: Link Up - Present"]


def test_root_complex_integrated_endpoint_has_no_link():
    cap = _endpoint_bytes()
    put(cap, 0x02, 2, 0x0092)  # v2 RCiEP
    dev = _device(_config(cap))
    f = _express(dev).fields
    assert f.port_type == "root_complex_integrated_endpoint"
    assert f.link_capabilities is None and f.link_status_2 is None
    assert (f.max_link_speed_gts, f.max_link_width, f.link_speed_gts, f.link_width) == (None,) * 4
    assert not any("Lnk" in line for line in _lines(dev))


def test_version_1_has_no_second_registers():
    cap = _endpoint_bytes()
    put(cap, 0x02, 2, 0x0001)
    dev = _device(_config(cap))
    f = _express(dev).fields
    assert f.version == 1 and f.device_capabilities_2 is None and f.link_control_2 is None
    assert _lines(dev)[-1].startswith("\t\t\tTrErr")


def test_reserved_type_and_verbosity():
    cap = _endpoint_bytes()
    put(cap, 0x02, 2, 0x00B2)
    dev = _device(_config(cap))
    f = _express(dev).fields
    assert (f.port_type, f.port_type_raw) == ("reserved", 11) and f.problems
    assert _lines(dev, verbose=1) == ["Express Unknown type 11, MSI 00"]


def test_truncated_capability_is_not_an_error():
    buf = _config(_root_port_bytes(), offset=0xF0, size=256)
    dev = _device(buf)
    f = _express(dev).fields
    assert f.port_type == "root_port" and f.device_capabilities is not None
    assert f.root_status is None and f.device_capabilities_2 is None and f.problems
    assert _lines(dev) == ["Express (v2) Root Port (Slot+), MSI 00"]  # lspci cannot fetch the block


def test_power_limit_text():
    assert render_express.power_limit(0xFF, 0) == ">600W"
    assert render_express.power_limit(0xF0, 0) == "250W"
    assert render_express.power_limit(0xFE, 0) == "600W"
    assert render_express.power_limit(75, 0) == "75W"
    assert render_express.power_limit(25, 1) == "2.5W"
    assert render_express.power_limit(255, 3) == "0.255W"
    assert express.slot_power_watts(0xFF, 0) is None


def test_compiled_parse_equals_interpreted():
    rnd = random.Random(7)
    compiled = express.SCHEMA.compile()
    for _ in range(50):
        data = bytes(rnd.getrandbits(8) for _ in range(0x3C))
        assert compiled.parse(data) == express.SCHEMA.parse(data)


def test_register_offsets_follow_the_layout():
    offset = 2
    for name, register_offset, width, register in express.REGISTERS:
        assert (name, register_offset, register.sizeof()) == (name, offset, width)
        offset += width
    assert express.SCHEMA.sizeof() == 0x3C


@pytest.mark.parametrize("port_type", range(16))
def test_layouts_parse_like_the_full_schema(port_type):
    rnd = random.Random(port_type)
    for slot, version in ((False, 1), (True, 2)):
        shape = express.layout(port_type, slot, version)
        data = bytes(rnd.getrandbits(8) for _ in range(0x3C))
        full, compiled = express.SCHEMA.parse(data), shape.struct.compile().parse(data)
        assert compiled == shape.struct.parse(data)
        for name, *_ in express.REGISTERS:
            assert compiled[name] == (full[name] if name in shape.present else None)


def test_build_round_trip():
    data = express.SCHEMA.build({
        "pcie_capabilities": {"version": 2, "device_port_type": 6, "slot_implemented": True},
        "link_status": {"current_link_speed": 4, "negotiated_link_width": 2},
    })
    parsed = express.SCHEMA.parse(data)
    assert data[0] == 0x10 and parsed.pcie_capabilities.raw == 0x0162
    assert parsed.link_status.raw == 0x0024


def _express_blocks(text: str) -> list[str]:
    """The Express capability block of every device in lspci -v text."""
    blocks, current = [], None
    for line in text.split("\n"):
        if line.startswith("\t") and not line.startswith("\t\t") or not line:
            if current is not None:
                blocks.append("\n".join(current))
            current = [line] if "] Express" in line else None
        elif current is not None:
            current.append(line)
    return blocks


def _ours(devices: list[Device], verbose: int) -> list[str]:
    blocks = []
    for dev in devices:
        cap = dev.find_capability(0x10)
        if cap is not None:
            ctx = RenderContext(LspciOptions(verbose=verbose, dialect=lspci_dialect()), namer=None, device=dev)
            ctx.write(f"\tCapabilities: [{cap.offset:02x}] ")
            render_express.render(ctx, cap)
            blocks.append("".join(ctx.out).rstrip("\n"))
    return blocks


def _compare_with_lspci(lspci: str, path, devices: list[Device]) -> None:
    for verbose in (1, 2, 3):
        run = subprocess.run([lspci, "-F", str(path), "-" + "v" * verbose], capture_output=True)
        theirs = _express_blocks(run.stdout.decode("utf-8", "replace"))
        assert theirs, "lspci shows no Express capability"
        assert theirs == _ours(devices, verbose), f"-{'v' * verbose}"


def _every_port_type() -> list[tuple[str, bytes]]:
    """Every Device/Port Type (and some odd ones) on hand-built and random registers."""
    rnd = random.Random(2024)
    devices = [("00:00.0", _config(_endpoint_bytes(), bar0=0xF0000000)),
               ("00:01.0", _config(_root_port_bytes(), header_type=1)),
               ("00:02.1", _config(_endpoint_bytes())),
               ("00:03.0", _config(_root_port_bytes(), offset=0xF0, size=256))]
    for index, port_type in enumerate(list(range(16)) * 3):
        cap = bytearray(rnd.getrandbits(8) for _ in range(0x3C))
        cap[0], cap[1] = 0x10, 0
        version = (2, 1, 3)[index // 16]
        put(cap, 0x02, 2, (rnd.getrandbits(16) & 0xFF00) | (port_type << 4) | version)
        bar0 = rnd.choice((0, 0xE001, 0xF0000004))
        devices.append((f"{index + 1:02x}:00.{index % 8}", _config(cap, bar0=bar0)))
    return devices


def test_against_real_lspci(tmp_path):
    lspci = need_lspci()
    entries = _every_port_type()
    path = tmp_path / "express.dump"
    path.write_text(dump_text([(slot, bytes(buf)) for slot, buf in entries]))
    devices = [_device(buf, Address.parse(slot)) for slot, buf in entries]
    _compare_with_lspci(lspci, path, devices)


@pytest.mark.parametrize("name", ["cap-pcie-1", "cap-pcie-2", "cap-exp-dev2", "cap-exp-lnkcap2",
                                  "cap-exp-rev-slot", "cap-exp-aspm-latencies", "cap-atomicops"])
def test_corpus_matches_lspci(name):
    lspci = need_lspci()
    path = need_corpus() / "pciutils-tests" / name
    if not path.exists():
        pytest.skip(f"{path} not in the corpus")
    from pcikit.offline import dump_devices

    _compare_with_lspci(lspci, path, sorted(dump_devices(path), key=lambda dev: dev.address))
