"""Build a mock device in code: IDs, class, BARs and capabilities, laid out like real hardware.

::

    dev = (DeviceBuilder(0x8086, 0x1533, class_code=0x020000)
           .bar(0, 0x20000)
           .bar(3, 0x4000)
           .pm()
           .msi(vectors=1, address_64bit=True, per_vector_masking=True)
           .msix(vectors=5, bar=3)
           .pcie(link_speed=2.5, link_width=1)
           .build())

Standard capabilities are placed from 0x40 in the order they are added, each
dword-aligned and chained; extended ones from 0x100. The image is a type 0
(endpoint) header; config space is 4096 bytes when the device is PCI Express.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional, Union

from ..address import Address
from ..model import PIN_NAMES, Bar
from ..msix import MsixLayout, validate
from ..schema import header as header_schema
from ..schema import registry
from ..schema.bars import IO_SPACE, MEMORY_TYPE_64, PREFETCHABLE
from ..schema.caps import express as express_schema
from ..schema.caps import msi as msi_schema
from ..schema.caps import msix as msix_schema
from ..schema.caps import pm as pm_schema
from ..schema.ecaps import EXTENDED_HEADER
from .bars import BAR_COUNT, check_size
from .device import MockDevice
from ..walk import EXTENDED_START
from .registers import BODY, HEADER_END

CAP_START = HEADER_END[0]  # the capabilities follow the type 0 header
LINK_SPEEDS = {2.5: 1, 5: 2, 8: 3, 16: 4, 32: 5, 64: 6}
_DEVICE_CONTROL_RESET = express_schema.DEVICE_CONTROL.access().reset  # 0x2810, as the schema declares
PORT_TYPES = {"endpoint": express_schema.ENDPOINT, "legacy_endpoint": express_schema.LEGACY_ENDPOINT,
              "rc_endpoint": express_schema.ROOT_COMPLEX_INTEGRATED_ENDPOINT}
PIN_NUMBERS = {name: number for number, name in PIN_NAMES.items() if number}
_PME_STATES = ("d0", "d1", "d2", "d3hot", "d3cold")  # PMC PME_Support bits, in order
_CAPABILITIES_POINTER = BODY[0]["capabilities_pointer"]
Registers = Iterable[tuple[int, int, int, int]]


def _le(value: int, width: int) -> bytes:
    return value.to_bytes(width, "little")


@dataclass
class _Bar:
    size: int
    space: str
    bits: int
    prefetchable: bool
    address: int

    def raw(self) -> int:
        if self.space == "io":
            return self.address | IO_SPACE
        return self.address | (MEMORY_TYPE_64 << 1 if self.bits == 64 else 0) | (PREFETCHABLE if self.prefetchable else 0)


@dataclass
class _Cap:
    cap_id: int
    body: bytes  # everything after the ID and next bytes (standard) or the header dword (extended)
    registers: list[tuple[int, int, int, int]] = field(default_factory=list)
    version: int = 0


class DeviceBuilder:
    """Collects a device description; :meth:`build` returns a :class:`MockDevice`."""

    def __init__(
        self, vendor_id: int, device_id: int, *, class_code: int = 0, revision: int = 0,
        subsystem: Optional[tuple[int, int]] = None, command: int = 0, multifunction: bool = False,
    ) -> None:
        self.vendor_id, self.device_id = vendor_id, device_id
        self.class_code, self.revision = class_code, revision
        self.subsystem, self.command, self.multifunction = subsystem, command, multifunction
        self._bars: dict[int, _Bar] = {}
        self._rom: Optional[tuple[int, int]] = None
        self._pin, self._line = 0, 0xFF
        self._caps: list[_Cap] = []
        self._extended: list[_Cap] = []
        self._express = False
        self.offsets: dict[int, int] = {}  # standard capability ID -> first offset, set by image()
        self.extended_offsets: dict[int, int] = {}  # extended capability ID -> first offset
        self._placed: list[tuple[_Cap, int]] = []

    # -- header ---------------------------------------------------------------------------------
    def bar(
        self, index: int, size: int, *, space: str = "memory", bits: int = 32,
        prefetchable: bool = False, address: int = 0,
    ) -> "DeviceBuilder":
        """BAR ``index`` of ``size`` bytes (``space`` "memory" or "io"; ``bits`` 32 or 64)."""
        if not 0 <= index <= 5 or (bits == 64 and index == 5):
            raise ValueError(f"BAR {index}: BARs are 0-5 and a 64-bit BAR needs the next slot")
        if space not in ("memory", "io") or bits not in (32, 64) or (space == "io" and bits == 64):
            raise ValueError(f"BAR {index}: space is 'memory' or 'io', bits 32 or 64 (memory only)")
        check_size(size, space, bits, f"BAR {index}")
        if address % size:
            raise ValueError(f"BAR {index}: address {address:#x} is not aligned to its size {size:#x}")
        taken = set(self._bars) | {i + 1 for i, b in self._bars.items() if b.bits == 64}
        if index in taken or (bits == 64 and index + 1 in taken):
            raise ValueError(f"BAR {index}: slot already used")
        self._bars[index] = _Bar(size, space, bits, prefetchable, address)
        return self

    def rom(self, size: int, *, address: int = 0) -> "DeviceBuilder":
        """An expansion ROM BAR of ``size`` bytes (disabled)."""
        self._rom = (size, address)
        return self

    def interrupt(self, pin: Union[int, str] = "INTA", line: int = 0xFF) -> "DeviceBuilder":
        """Interrupt Pin (1-4 or "INTA".."INTD"; 0 = none) and Interrupt Line."""
        self._pin = PIN_NUMBERS[pin] if isinstance(pin, str) else pin
        self._line = line
        return self

    # -- standard capabilities -----------------------------------------------------------------------
    def capability(self, cap_id: int, body: bytes, *, registers: Registers = ()) -> "DeviceBuilder":
        """Any capability: ``body`` follows the ID and next bytes; ``registers`` are
        ``(offset from the capability, width, writable bits, write-1-to-clear bits)``."""
        if not 0 < cap_id < 0xFF:
            raise ValueError(f"capability ID {cap_id:#x} is out of range")
        self._caps.append(_Cap(cap_id, bytes(body), list(registers)))
        return self

    def pm(
        self, *, d1: bool = False, d2: bool = False, pme_support: int = 0,
        no_soft_reset: bool = True, aux_current: int = 0,
    ) -> "DeviceBuilder":
        """Power Management 1.2; ``pme_support`` is the 5-bit D0/D1/D2/D3hot/D3cold mask."""
        pmc = {"version": 3, "aux_current": aux_current, "d1_support": d1, "d2_support": d2,
               **{f"pme_support_{state}": bool(pme_support >> i & 1) for i, state in enumerate(_PME_STATES)}}
        return self._from_schema(pm_schema.SCHEMA, "Power Management", pmc=pmc,
                                 pmcsr={"no_soft_reset": no_soft_reset}, pmcsr_bse=0, data=0)

    def msi(self, vectors: int = 1, *, address_64bit: bool = True, per_vector_masking: bool = False) -> "DeviceBuilder":
        """MSI with ``vectors`` (1-32, a power of two) Multiple Message Capable."""
        if vectors not in (1, 2, 4, 8, 16, 32):
            raise ValueError(f"MSI vectors must be a power of two from 1 to 32, not {vectors}")
        control = {"multiple_message_capable_log2": vectors.bit_length() - 1, "address_64bit": address_64bit,
                   "per_vector_masking": per_vector_masking}
        return self._from_schema(msi_schema.SCHEMA, "MSI", message_control=control, message_address=0,
                                 message_upper_address=0, message_data=0, extended_message_data=0,
                                 mask_bits=0, pending_bits=0)

    def msix(self, vectors: int, bar: int, *, table_offset: int = 0, pba_offset: Optional[int] = None) -> "DeviceBuilder":
        """MSI-X with ``vectors`` table entries in BAR ``bar`` (PBA after the table by default)."""
        if not 1 <= vectors <= msix_schema.MAX_TABLE_SIZE:
            raise ValueError(f"MSI-X table size must be 1-{msix_schema.MAX_TABLE_SIZE}, not {vectors}")
        if pba_offset is None:
            pba_offset = table_offset + msix_schema.table_bytes(vectors)
        region = self._bars.get(bar)
        if region is None or region.space != "memory":
            raise ValueError(f"MSI-X: BAR {bar} must be a memory BAR added before msix()")
        layout = MsixLayout(bar, table_offset, bar, pba_offset, vectors, False, False)
        bars = [Bar(i, b.space, b.address, b.bits, b.prefetchable, b.size, b.raw()) for i, b in self._bars.items()]
        problems = validate(layout, bars)
        if problems:
            raise ValueError(f"MSI-X: {'; '.join(problems)}")
        return self._from_schema(msix_schema.SCHEMA, "MSI-X", message_control={"table_size_raw": vectors - 1},
                                 table={"bir": bar, "offset": table_offset}, pba={"bir": bar, "offset": pba_offset})

    def pcie(
        self, *, port_type: Union[int, str] = "endpoint", link_speed: float = 2.5, link_width: int = 1,
        max_payload: int = 256, flr: bool = True,
    ) -> "DeviceBuilder":
        """PCI Express capability (version 2) of an endpoint; config space becomes 4096 bytes."""
        kind = PORT_TYPES[port_type] if isinstance(port_type, str) else port_type
        if kind not in PORT_TYPES.values():
            raise ValueError(f"port type {port_type!r}: the builder makes endpoints ({sorted(PORT_TYPES)})")
        if link_speed not in LINK_SPEEDS or link_width not in (1, 2, 4, 8, 12, 16, 32):
            raise ValueError(f"link {link_speed} GT/s x{link_width} is not a PCIe link")
        if max_payload not in (128, 256, 512, 1024, 2048, 4096):
            raise ValueError(f"max payload {max_payload} is not 128-4096 bytes")
        speed = LINK_SPEEDS[link_speed]
        with_link = kind not in express_schema.LINKLESS_PORT_TYPES
        fields = {
            "pcie_capabilities": {"version": 2, "device_port_type": kind},
            "device_capabilities": {"max_payload_size_supported_raw": max_payload.bit_length() - 8,
                                    "role_based_error_reporting": True, "function_level_reset_capability": flr},
            "device_control": {"raw": _DEVICE_CONTROL_RESET},
            # Completion Timeout Ranges A-D and Completion Timeout Disable supported
            "device_capabilities_2": {"completion_timeout_ranges_supported": 0xF,
                                      "completion_timeout_disable_supported": True},
        }
        if with_link:
            fields.update(
                link_capabilities={"max_link_speed": speed, "maximum_link_width": link_width, "aspm_support": 3},
                link_status={"current_link_speed": speed, "negotiated_link_width": link_width},
                link_capabilities_2={"supported_link_speeds_vector": (1 << speed) - 1},
                link_control_2={"target_link_speed": speed},
            )
        self._express = True
        return self.capability(express_schema.CAP_ID, express_schema.SCHEMA.build(fields)[2:])

    def _from_schema(self, schema, name: str, **fields: object) -> "DeviceBuilder":
        """The standard capability ``name`` built from its schema's ``fields`` (ID and next filled in)."""
        cap_id = registry.standard_id(name)
        return self.capability(cap_id, schema.build({"cap_id": cap_id, "next": 0, **fields})[2:])

    # -- extended capabilities --------------------------------------------------------------------------
    def extended_capability(
        self, cap_id: int, body: bytes, *, version: int = 1, registers: Registers = ()
    ) -> "DeviceBuilder":
        """An extended capability at 0x100 or later: ``body`` follows its header dword."""
        if not 0 < cap_id <= 0xFFFF or not 0 <= version <= 0xF:
            raise ValueError(f"extended capability {cap_id:#x} v{version} is out of range")
        self._extended.append(_Cap(cap_id, bytes(body), list(registers), version))
        return self

    # -- output ---------------------------------------------------------------------------------------------
    def image(self) -> bytes:
        """The config space bytes of the device as described (4096 when PCIe, else 256)."""
        size = 4096 if self._express or self._extended else 256
        data = bytearray(size)
        self._header(data)
        self.offsets, self.extended_offsets, self._placed = {}, {}, []
        self._place_standard(data)
        self._place_extended(data)
        return bytes(data)

    def _header(self, data: bytearray) -> None:
        """The type 0 header, built from the header schema."""
        bars = [0] * BAR_COUNT[0]
        for index, bar in self._bars.items():
            raw = bar.raw()
            bars[index] = raw & 0xFFFFFFFF
            if bar.bits == 64:
                bars[index + 1] = raw >> 32
        common = header_schema.COMMON.build({
            "vendor_id": self.vendor_id, "device_id": self.device_id, "command": self.command,
            "status": {"capabilities_list": bool(self._caps)}, "revision_id": self.revision,
            "prog_if": self.class_code & 0xFF, "subclass": self.class_code >> 8 & 0xFF, "base_class": self.class_code >> 16,
            "cache_line_size": 0, "latency_timer": 0, "header_type": {"multifunction": self.multifunction}, "bist": 0})
        subsystem = self.subsystem or (0, 0)
        body = header_schema.TYPE0.build({
            "bars": bars, "cardbus_cis_pointer": 0, "subsystem_vendor_id": subsystem[0], "subsystem_id": subsystem[1],
            "expansion_rom": self._rom[1] if self._rom else 0, "capabilities_pointer": 0, "reserved": [0] * 7,
            "interrupt_line": self._line, "interrupt_pin": self._pin, "min_gnt": 0, "max_lat": 0})
        data[: len(common) + len(body)] = common + body

    def _place_standard(self, data: bytearray) -> None:
        where, previous = CAP_START, _CAPABILITIES_POINTER
        for cap in self._caps:
            end = where + 2 + len(cap.body)
            if end > EXTENDED_START:  # standard capabilities end where extended config space starts
                raise ValueError(f"capabilities do not fit in the 192 bytes from 0x40 (need up to {end:#x})")
            data[previous] = where
            data[where] = cap.cap_id
            data[where + 2 : end] = cap.body
            self.offsets.setdefault(cap.cap_id, where)
            self._placed.append((cap, where))
            previous, where = where + 1, (end + 3) & ~3

    def _place_extended(self, data: bytearray) -> None:
        where, previous = EXTENDED_START, None
        for cap in self._extended:
            end = where + 4 + len(cap.body)
            if end > len(data):
                raise ValueError(f"extended capabilities do not fit in 4096 bytes (need {end:#x})")
            if previous is not None:
                header = EXTENDED_HEADER.decode(int.from_bytes(data[previous : previous + 4], "little"))
                data[previous : previous + 4] = EXTENDED_HEADER.build({**header, "next": where})
            data[where : where + 4] = EXTENDED_HEADER.build({"cap_id": cap.cap_id, "version": cap.version, "next": 0})
            data[where + 4 : end] = cap.body
            self.extended_offsets.setdefault(cap.cap_id, where)
            self._placed.append((cap, where))
            previous, where = where, (end + 3) & ~3

    def build(
        self, *, address: Union[str, Address] = "0000:00:00.0",
        bar_data: Optional[Mapping[int, bytes]] = None, log_limit: Optional[int] = None,
        profile: str = "spec", msix_reset: str = "zero",
    ) -> MockDevice:
        """The :class:`MockDevice` described so far (``profile``, ``msix_reset``: as for MockDevice)."""
        image = self.image()
        sizes = {index: bar.size for index, bar in self._bars.items()}
        if self._rom:
            sizes[6] = self._rom[0]
        dev = MockDevice(image, sizes, address=address, bar_data=bar_data, log_limit=log_limit, profile=profile,
                         msix_reset=msix_reset)
        for cap, offset in self._placed:
            for rel, width, writable, w1c in cap.registers:
                dev.config.define_register(offset + rel, width, writable=writable, write1_to_clear=w1c)
        return dev
