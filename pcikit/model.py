"""The device model every view reads: one :class:`Device` per function.

Built from any :class:`~pcikit.access.ConfigSpace`. Identity fields are read
directly (cheap, for ``pcikit list``); the header schema and the capability
lists are decoded lazily, on first use. Problems found on the way are recorded
in :attr:`Device.problems`, never raised.

The schema layer is imported inside the methods that decode (a listing never needs it), as
modules from their package (``from .schema import context``): such a statement runs on every
call, and one taking a name from a module (``from .schema.context import parse_at``) costs
about half as much again (the import looks for the module's ``__path__`` and fails).
"""
from __future__ import annotations

from .access.base import ConfigSpace, KernelInfo
from .address import Address

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Any, NamedTuple, Optional

    from .walk import Found, WalkStop
else:  # the capability walks and IDs are imported where used: a listing reads none of them
    from .tuples import NamedTuple

PIN_NAMES = {1: "INTA", 2: "INTB", 3: "INTC", 4: "INTD"}
HEADER_NORMAL, HEADER_BRIDGE, HEADER_CARDBUS = 0, 1, 2
_BAR_COUNT = {HEADER_NORMAL: 6, HEADER_BRIDGE: 2, HEADER_CARDBUS: 1}


class cached_property:  # noqa: N801 - named as the functools original it stands in for
    """:func:`functools.cached_property` without importing functools (start-up) or taking its lock:
    the first access stores the value in the instance's ``__dict__``, which later accesses read."""

    def __init__(self, func) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value


class Interrupt(NamedTuple):
    """Legacy INTx wiring: ``pin`` None means no legacy interrupt (MSI/MSI-X may exist)."""

    pin: Optional[str]
    pin_raw: int
    line: Optional[int]
    line_raw: int
    reserved_pin: bool = False


class Bar(NamedTuple):
    """One decoded Base Address Register (a 64-bit BAR covers two registers)."""

    index: int
    space: str  # "memory" or "io"
    address: int
    bits: int  # 32 or 64
    prefetchable: bool
    size: Optional[int]
    raw: int
    memory_type: int = 0  # 0 32-bit, 1 below 1M, 2 64-bit, 3 reserved

    @property
    def unassigned(self) -> bool:
        """True when no address has been programmed."""
        return self.address == 0


class Capability:
    """A capability found in a list; ``fields`` are decoded on first access."""

    def __init__(
        self,
        device: "Device",
        offset: int,
        cap_id: int,
        header: int,
        extended: bool = False,
        version: Optional[int] = None,
    ) -> None:
        self.device = device
        self.offset = offset
        self.cap_id = cap_id
        self.header = header
        self.extended = extended
        self.version = version
        self.problems: list[str] = []

    def __repr__(self) -> str:
        return f"<Capability {self.name} at 0x{self.offset:03x}>"

    @property
    def name(self) -> str:
        """The spec name of this capability."""
        from .schema import registry

        return registry.extended_name(self.cap_id) if self.extended else registry.standard_name(self.cap_id)

    def readable(self, relative: int, length: int) -> bool:
        """True when ``length`` bytes at ``offset + relative`` are readable."""
        return self.device.config.readable(self.offset + relative, length)

    @cached_property
    def fields(self) -> Optional[Any]:
        """Decoded registers (a construct Container), or None for the unknown fallback."""
        from .schema import context, registry

        module = registry.extended_module(self.cap_id) if self.extended else registry.standard_module(self.cap_id)
        if module is None:
            return None
        ctx = self.device.decode_context(self, context.DecodeContext)
        try:
            fields = module.decode(ctx)
        except Exception as exc:  # a decoder must never take the device down with it
            self.problems.append(f"{self.name} at 0x{self.offset:03x}: cannot decode: {exc}")
            return None
        recorded = fields.get("problems") if hasattr(fields, "get") else None
        if recorded:
            self.problems.extend(f"{self.name} at 0x{self.offset:03x}: {problem}" for problem in recorded)
        return fields


class Device:
    """One PCI function as every view sees it."""

    def __init__(
        self,
        address: Address,
        config: ConfigSpace,
        kernel: Optional[KernelInfo] = None,
        title: Optional[str] = None,
    ) -> None:
        self.address = address
        self.config = config
        self.kernel = kernel
        self.title = title
        self._early_problems: list[str] = []

    def __repr__(self) -> str:
        return f"<Device {self.address} {self.vendor_id:04x}:{self.device_id:04x}>"

    # -- identity: direct reads, no schema import ---------------------------------
    def _read(self, offset: int, width: int, default: int = 0) -> int:
        cfg = self.config
        return cfg.read(offset, width) if cfg.readable(offset, width) else default

    @cached_property
    def has_config(self) -> bool:
        """False when not even the 64-byte header can be read."""
        return self.config.size >= 64

    @cached_property
    def vendor_id(self) -> int:
        """Vendor ID (0xffff when unreadable)."""
        return self._read(0x00, 2, 0xFFFF)

    @cached_property
    def device_id(self) -> int:
        """Device ID."""
        return self._read(0x02, 2, 0xFFFF)

    @cached_property
    def revision(self) -> int:
        """Revision ID."""
        return self._read(0x08, 1)

    @cached_property
    def class_code(self) -> int:
        """24-bit class code: base class, subclass, programming interface."""
        return self._read(0x09, 1) | (self._read(0x0A, 2) << 8)

    @cached_property
    def class_word(self) -> int:
        """Base class and subclass (what lspci calls the device class)."""
        return self.class_code >> 8

    @cached_property
    def prog_if(self) -> int:
        """Programming interface."""
        return self.class_code & 0xFF

    @cached_property
    def header_type_raw(self) -> int:
        """The Header Type register (bit 7 = multi-function)."""
        return self._read(0x0E, 1)

    @cached_property
    def header_type(self) -> int:
        """Header layout: 0 normal, 1 PCI-PCI bridge, 2 CardBus bridge."""
        return self.header_type_raw & 0x7F

    @cached_property
    def multifunction(self) -> bool:
        """Header Type bit 7."""
        return bool(self.header_type_raw & 0x80)

    @cached_property
    def subsystem(self) -> Optional[tuple[int, int]]:
        """(subsystem vendor, subsystem ID) as lspci finds them, or None."""
        if self.header_type == HEADER_NORMAL:
            pair = (self._read(0x2C, 2), self._read(0x2E, 2))
        elif self.header_type == HEADER_CARDBUS:
            pair = (self._read(0x40, 2), self._read(0x42, 2))
        elif self.header_type == HEADER_BRIDGE:
            from .schema import capability_ids

            cap = self.find_capability(capability_ids.BRIDGE_SUBSYSTEM_VENDOR_ID)
            if cap is None or not cap.readable(4, 4):
                return None
            pair = (self._read(cap.offset + 4, 2), self._read(cap.offset + 6, 2))
        else:
            return None
        return pair

    # -- decoded header ------------------------------------------------------------
    @cached_property
    def image(self) -> bytes:
        """All 4096 config bytes, unreadable ones as 0xff (what decoders parse)."""
        return self.config.image()

    @cached_property
    def header(self) -> Any:
        """The decoded header: ``common`` (first 16 bytes) and ``body`` (type 0/1/2), or None."""
        from .schema import context, header

        if not self.has_config:
            return None
        return context.parse_at(header.HEADER, self.image, 0)

    @cached_property
    def command(self) -> Any:
        """The decoded Command register (the header's, without decoding the rest of it), or None."""
        from .schema import context, header

        return context.parse_at(header.COMMAND, self.image, 0x04) if self.has_config else None

    @cached_property
    def status(self) -> Any:
        """The decoded Status register (the header's, without decoding the rest of it), or None."""
        from .schema import context, header

        return context.parse_at(header.STATUS, self.image, 0x06) if self.has_config else None

    @cached_property
    def interrupt(self) -> Interrupt:
        """Interrupt Pin/Line with their real semantics."""
        known = self.header_type in _BAR_COUNT and self.has_config
        pin_raw = self._read(0x3D, 1) if known else 0
        line_raw = self._read(0x3C, 1, 0xFF)
        return Interrupt(
            pin=PIN_NAMES.get(pin_raw),
            pin_raw=pin_raw,
            line=None if line_raw == 0xFF else line_raw,
            line_raw=line_raw,
            reserved_pin=pin_raw > 4,
        )

    @cached_property
    def bar_registers(self) -> tuple[int, ...]:
        """The raw BAR dwords of this header type (6, 2 or 1)."""
        count = _BAR_COUNT.get(self.header_type, 0) if self.has_config else 0
        data = self.config.read_block(0x10, 4 * count) if count else b""  # in the readable 64-byte header
        return tuple(int.from_bytes(data[at : at + 4], "little") for at in range(0, 4 * count, 4))

    @cached_property
    def rcd_link(self):
        """A Restricted CXL Device's Link Capabilities/Control/Status (decoded; from the kernel), or None."""
        if self.kernel is None or self.kernel.rcd_link is None:
            return None
        from .schema.caps import express

        return express.decode_rcd_link(*self.kernel.rcd_link)

    @cached_property
    def bars(self) -> list[Bar]:
        """Implemented BARs, 64-bit pairs merged; sizes only when the kernel knows them."""
        from .decode import bars as bar_decoding

        bars, problems = bar_decoding.decode_bars(self.bar_registers, self.kernel)
        self._early_problems.extend(problems)
        return bars

    # -- capabilities --------------------------------------------------------------
    @cached_property
    def _standard_walk(self) -> tuple[list[Capability], Optional[WalkStop]]:
        if not self.has_config or not (self._read(0x06, 2) & 0x10):
            return [], None
        from . import walk

        pointer = 0x14 if self.header_type == HEADER_CARDBUS else 0x34
        found, stop = walk.walk_standard(self.config, pointer)
        return [self._capability(f, extended=False) for f in found], stop

    @cached_property
    def _extended_walk(self) -> tuple[list[Capability], Optional[WalkStop]]:
        from . import walk
        from .schema import capability_ids

        ids = {cap.cap_id for cap in self.capabilities}
        if capability_ids.PCI_EXPRESS not in ids and capability_ids.PCI_X not in ids:
            return [], None
        found, stop = walk.walk_extended(self.config)
        return [self._capability(f, extended=True) for f in found], stop

    def _capability(self, found: Found, extended: bool) -> Capability:
        return Capability(self, found.offset, found.cap_id, found.header, extended, found.version)

    @property
    def capabilities(self) -> list[Capability]:
        """Standard capabilities in list order."""
        return self._standard_walk[0]

    @property
    def capability_stop(self) -> Optional[WalkStop]:
        """Why the standard walk stopped early, if it did."""
        return self._standard_walk[1]

    @property
    def extended_capabilities(self) -> list[Capability]:
        """Extended capabilities in list order (walked only when PCIe/PCI-X is present)."""
        return self._extended_walk[0]

    @property
    def extended_stop(self) -> Optional[WalkStop]:
        """Why the extended walk stopped early, if it did."""
        return self._extended_walk[1]

    def find_capability(self, cap_id: int, extended: bool = False) -> Optional[Capability]:
        """The first capability with this ID, or None."""
        caps = self.extended_capabilities if extended else self.capabilities
        return next((cap for cap in caps if cap.cap_id == cap_id), None)

    def decode_context(self, cap: Capability, context_class: type) -> Any:
        """The :class:`~pcikit.schema.context.DecodeContext` (or a subclass) a decoder of ``cap`` gets.

        Device facts a capability's layout depends on come from here: the port type and
        the Maximum Link Width for extended capabilities, the VPD reader of live sources.
        """
        extended = cap.extended
        return context_class(
            self.image, cap.offset, self.config.size, self.vendor_id, self.device_id,
            self.header_type, self.port_type if extended else None, cap.cap_id,
            read_vpd=self.kernel.read_vpd if self.kernel is not None else None,
            max_link_width=self.max_link_width if extended else None,
            lower_skp_os_generation_speeds=self.lower_skp_os_generation_speeds if extended else None,
        )

    @cached_property
    def max_link_width(self) -> Optional[int]:
        """Maximum Link Width of the first PCI Express capability, or None (without one, or unreadable)."""
        from .schema import capability_ids
        from .schema.caps import express

        cap = self.find_capability(capability_ids.PCI_EXPRESS)
        return express.link_width(self.image, self.config.size, cap.offset) if cap is not None else None

    @cached_property
    def lower_skp_os_generation_speeds(self) -> Optional[int]:
        """Link Capabilities 2's Lower SKP OS Generation Supported Speeds Vector of the first PCI
        Express capability, or None (without one, without Link Capabilities 2, or unreadable)."""
        from .schema import capability_ids
        from .schema.caps import express

        cap = self.find_capability(capability_ids.PCI_EXPRESS)
        if cap is None:
            return None
        return express.lower_skp_os_generation_speeds(self.image, self.config.size, cap.offset)

    @cached_property
    def port_type(self) -> Optional[int]:
        """PCI Express Device/Port Type, or None without a PCIe capability.

        With several PCIe capabilities the last one counts, as in lspci.
        """
        from .schema import capability_ids
        from .schema.caps import express

        caps = [cap for cap in self.capabilities if cap.cap_id == capability_ids.PCI_EXPRESS]
        return express.port_type_of(caps[-1].header) if caps else None

    # -- problems --------------------------------------------------------------------
    @property
    def problems(self) -> list[str]:
        """Everything odd found while decoding (decodes everything first)."""
        from .decode import problems

        return problems.collect_problems(self)
