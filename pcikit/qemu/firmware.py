"""A firmware's PCI bring-up for a paused QEMU machine (no BIOS runs under qtest).

What SeaBIOS or OVMF would have done before an OS looks at the bus:

1. bus numbers, depth first: each bridge gets the next secondary bus number and,
   once everything behind it is numbered, its subordinate bus number; the root buses
   of PCI expander bridges (pxb, pxb-pcie) are found and numbered the same way;
2. BAR and expansion ROM sizing (all ones written with decode off, read back, restored);
3. assignment: BARs packed largest alignment first inside bridge windows (I/O in 4 KiB,
   memory in 1 MiB granules), windows inside their parent's, from fixed pools —
   I/O 0x1000-0xffff, 32-bit memory 0xc0000000-0xfebfffff (above the ECAM window);
   prefetchable memory joins the 32-bit pool unless it does not fit, then 64-bit
   prefetchable BARs and windows move above 4 GiB (0x80_0000_0000); when the I/O
   ports cannot hold every bridge's window, I/O BARs behind bridges stay unassigned;
4. decode enables: I/O and Memory Space where a function has such BARs, and bus
   mastering on bridges (devices behind them reach memory through it); ROMs are
   assigned but left disabled, as Linux finds them;
5. Interrupt Line: the pin swizzled through each bridge to the root slot, then
   PIRQ A-D -> IRQ 10, 10, 11, 11 (SeaBIOS's table). The LPC's PIRQ routing itself
   is not programmed: qtest delivers no interrupts to a guest.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

from .ecam import Bdf, Ecam
from .qtest import QemuError

MAX_BUS = 0xFF
EXPANDERS = (0x0009_1B36, 0x000B_1B36)  # QEMU's PCI and PCIe expander bridges (Device ID << 16 | Vendor ID)
COMMAND, HEADER_TYPE, INTERRUPT_LINE, INTERRUPT_PIN = 0x04, 0x0E, 0x3C, 0x3D
CMD_IO, CMD_MEMORY, CMD_MASTER = 0x1, 0x2, 0x4
ROM_TYPE0, ROM_TYPE1 = 0x30, 0x38
PRIMARY_BUS, SECONDARY_BUS, SUBORDINATE_BUS = 0x18, 0x19, 0x1A
IO_BASE, IO_LIMIT, IO_BASE_UPPER, IO_LIMIT_UPPER = 0x1C, 0x1D, 0x30, 0x32
MEM_BASE, MEM_LIMIT = 0x20, 0x22
PREF_BASE, PREF_LIMIT, PREF_BASE_UPPER, PREF_LIMIT_UPPER = 0x24, 0x26, 0x28, 0x2C
GRANULE = {"io": 0x1000, "mem": 0x10_0000, "pref": 0x10_0000}
IO_POOL = (0x1000, 0x1_0000)
MEM32_POOL = (0xC000_0000, 0xFEC0_0000)
PREF64_POOL = (0x80_0000_0000, 0x100_0000_0000)
PIRQ_IRQ = (10, 10, 11, 11)


@dataclass
class Bar:
    """One sized BAR (or expansion ROM) of a function."""

    index: int  # 0-5, or 6 for the expansion ROM
    register: int
    space: str  # "io" or "memory"
    bits: int
    prefetchable: bool
    size: int
    address: int = 0


@dataclass
class Window:
    """One bridge window (I/O, memory or prefetchable memory) and what it holds."""

    bridge: "Function"
    kind: str
    size: int = 0
    align: int = 1
    address: int = 0
    content: list["Request"] = field(default_factory=list)


@dataclass
class Request:
    """Something to place: a BAR or a child bridge's window, with its offset once packed."""

    target: Union[Bar, Window]
    size: int
    align: int
    offset: int = 0


@dataclass
class Function:
    """One function found on the bus, its BARs and (for a bridge) what is behind it."""

    bdf: Bdf
    header_type: int
    bars: list[Bar] = field(default_factory=list)
    secondary: list["Function"] = field(default_factory=list)
    windows: dict[str, Window] = field(default_factory=dict)  # bridge: by kind
    pref64: bool = False  # bridge: the prefetchable window decodes 64-bit addresses
    io32: bool = False  # bridge: the I/O window decodes 32-bit addresses

    @property
    def bridge(self) -> bool:
        """True for a PCI-to-PCI bridge (header type 1)."""
        return self.header_type == 1


def bring_up(ecam: Ecam) -> list[Function]:
    """Do the firmware's job on every function; return them depth first (bus 0 first)."""
    state = _Numbering()
    root = _scan_bus(ecam, 0, state)
    if any((f.bdf.bus, _ids(ecam, f.bdf)) in ((0, ids) for ids in EXPANDERS) for f in root):
        for bus in _extra_roots(ecam, state.last_bus):
            state.last_bus = max(state.last_bus, bus)
            root += _scan_bus(ecam, bus, state)
    everything = _flatten(root)
    for function in everything:
        _size_bars(ecam, function)
    _assign(ecam, root)
    for function in everything:
        _enable(ecam, function)
        _interrupt_line(ecam, function, state.root_slot[function.bdf])
    return everything


# -- 1. bus numbers ----------------------------------------------------------------------------
def _ids(ecam: Ecam, bdf: Bdf) -> int:
    return ecam.read(bdf, 0, 4)


def _extra_roots(ecam: Ecam, last_bus: int) -> list[int]:
    """Root buses of PCI expander bridges (pxb, pxb-pcie): bus numbers past bus 0's hierarchy where
    a function answers (SeaBIOS learns them from fw_cfg; probing them is the same answer)."""
    from .ecam import parse_value, read_command

    buses = range(last_bus + 1, MAX_BUS + 1)
    commands = [read_command(2, ecam.address(Bdf(bus, device, 0), 0)) for bus in buses for device in range(32)]
    answers = ecam.qtest.exchange_many(commands)
    present = {buses[i // 32] for i, (answer, command) in enumerate(zip(answers, commands))
               if parse_value(answer, command) != 0xFFFF}
    return sorted(present)


class _Numbering:
    def __init__(self) -> None:
        self.last_bus = 0
        self.root_slot: dict[Bdf, tuple[int, int]] = {}  # bdf -> (slot on bus 0, pin rotation)


def _present(ecam: Ecam, bdf: Bdf) -> bool:
    return ecam.read(bdf, 0, 2) != 0xFFFF


def _functions_of_bus(ecam: Ecam, bus: int) -> list[tuple[Bdf, int]]:
    found = []
    for device in range(32):
        first = Bdf(bus, device, 0)
        if not _present(ecam, first):
            continue
        header = ecam.read(first, HEADER_TYPE, 1)
        found.append((first, header & 0x7F))
        if header & 0x80:
            for function in range(1, 8):
                bdf = Bdf(bus, device, function)
                if _present(ecam, bdf):
                    found.append((bdf, ecam.read(bdf, HEADER_TYPE, 1) & 0x7F))
    return found


def _scan_bus(ecam: Ecam, bus: int, state: _Numbering, parent: Optional[Bdf] = None) -> list[Function]:
    """Functions of ``bus``; bridges numbered depth first (depth bounded by 256 buses)."""
    functions = []
    for bdf, header_type in _functions_of_bus(ecam, bus):
        function = Function(bdf, header_type)
        slot, rotation = (bdf.device, 0) if parent is None else state.root_slot[parent]
        state.root_slot[bdf] = (slot, rotation + (bdf.device if parent is not None else 0))
        functions.append(function)
        if header_type != 1:
            continue
        if state.last_bus >= MAX_BUS:
            raise QemuError(f"bridge {bdf}: no bus number left (256 buses are numbered)")
        state.last_bus += 1
        secondary = state.last_bus
        ecam.write(bdf, PRIMARY_BUS, 1, bus)
        ecam.write(bdf, SECONDARY_BUS, 1, secondary)
        ecam.write(bdf, SUBORDINATE_BUS, 1, MAX_BUS)
        function.secondary = _scan_bus(ecam, secondary, state, bdf)
        ecam.write(bdf, SUBORDINATE_BUS, 1, state.last_bus)
    return functions


def _flatten(functions: list[Function]) -> list[Function]:
    ordered, stack = [], list(reversed(functions))
    while stack:
        function = stack.pop()
        ordered.append(function)
        stack.extend(reversed(function.secondary))
    return ordered


# -- 2. sizing --------------------------------------------------------------------------------
def _probe(ecam: Ecam, bdf: Bdf, register: int, ones: int) -> int:
    original = ecam.read(bdf, register, 4)
    ecam.write(bdf, register, 4, ones)
    value = ecam.read(bdf, register, 4)
    ecam.write(bdf, register, 4, original)
    return value


def _size_bars(ecam: Ecam, function: Function) -> None:
    bdf = function.bdf
    command = ecam.read(bdf, COMMAND, 2)
    ecam.write(bdf, COMMAND, 2, command & ~(CMD_IO | CMD_MEMORY))  # never size with decode on
    count = {0: 6, 1: 2}.get(function.header_type, 0)
    index = 0
    while index < count:
        register = 0x10 + 4 * index
        value = _probe(ecam, bdf, register, 0xFFFF_FFFF)
        step = 1
        if value & 1:
            mask = value & 0xFFFF_FFFC | (0 if value >> 16 else 0xFFFF_0000)
            _add(function, index, register, "io", 32, False, -mask & 0xFFFF_FFFF)
        elif value:
            bits = 64 if (value >> 1) & 3 == 2 and index + 1 < count else 32
            mask = value & 0xFFFF_FFF0
            if bits == 64:
                mask |= _probe(ecam, bdf, register + 4, 0xFFFF_FFFF) << 32
                mask |= 0 if mask >> 32 else 0xFFFF_FFFF_0000_0000
                step = 2
            _add(function, index, register, "memory", bits, bool(value & 8), -mask & ((1 << bits) - 1))
        index += step
    if function.header_type == 1:
        function.pref64 = ecam.read(bdf, PREF_BASE, 1) & 0xF == 1
        function.io32 = ecam.read(bdf, IO_BASE, 1) & 0xF == 1
    if function.header_type in (0, 1):
        rom = ROM_TYPE0 if function.header_type == 0 else ROM_TYPE1
        mask = _probe(ecam, bdf, rom, 0xFFFF_F800) & 0xFFFF_F800
        if mask:
            _add(function, 6, rom, "memory", 32, False, -mask & 0xFFFF_FFFF)
    ecam.write(bdf, COMMAND, 2, command)


def _add(function: Function, index: int, register: int, space: str, bits: int, pref: bool, size: int) -> None:
    if size and size & (size - 1) == 0:  # a BAR that does not read back a power of two is ignored
        function.bars.append(Bar(index, register, space, bits, pref, size))


# -- 3. assignment ----------------------------------------------------------------------------
def _kind(bar: Bar, high: bool, parent_pref64: bool) -> str:
    if bar.space == "io":
        return "io"
    if bar.prefetchable and bar.index != 6 and (not high or (bar.bits == 64 and parent_pref64)):
        return "pref"
    return "mem"


def _requests(functions: list[Function], high: bool, parent_pref64: bool,
              io: bool = True, io_behind: bool = True) -> list[tuple[str, Request]]:
    """(kind, request) of every BAR and non-empty child window on one bus, windows sized bottom up.

    ``io`` False leaves this bus's I/O BARs unassigned (their decode stays off), as
    firmware does when 64 KiB of ports cannot hold every bridge's 4 KiB window;
    ``io_behind`` False does so for every bus behind a bridge."""
    requests = []
    for function in functions:
        for bar in function.bars:
            kind = _kind(bar, high, parent_pref64)
            if io or kind != "io":
                requests.append((kind, Request(bar, bar.size, bar.size)))
        if not function.bridge:
            continue
        inner = _requests(function.secondary, high, function.pref64 and parent_pref64, io_behind, io_behind)
        for kind, granule in GRANULE.items():
            window = Window(function, kind, content=[r for k, r in inner if k == kind])
            function.windows[kind] = window
            if window.content:
                window.align = max([granule] + [r.align for r in window.content])
                window.size = -(-_pack(window.content) // granule) * granule
                requests.append((kind, Request(window, window.size, window.align)))
    return requests


def _pack(requests: list[Request]) -> int:
    """Give each request an offset (largest alignment first); return the packed length."""
    end = 0
    for request in sorted(requests, key=lambda r: (-r.align, -r.size)):
        request.offset = -(-end // request.align) * request.align
        end = request.offset + request.size
    return end


def _place(requests: list[Request], base: int) -> int:
    """Pack requests from ``base`` (aligned up as the largest needs); give addresses; return the end."""
    align = max([r.align for r in requests] or [1])
    base = -(-base // align) * align
    end = base + _pack(requests)
    stack = [(r, base) for r in requests]
    while stack:
        request, at = stack.pop()
        target = request.target
        target.address = at + request.offset
        if isinstance(target, Window):
            stack.extend((inner, target.address) for inner in target.content)
    return end


def _fits(requests: list[tuple[str, Request]], high: bool) -> bool:
    """Place the root bus's requests in the pools; False when one overflows."""
    chosen = {kind: [r for k, r in requests if k == kind] for kind in GRANULE}
    if _place(chosen["io"], IO_POOL[0]) > IO_POOL[1]:
        return False
    end = _place(chosen["mem"], MEM32_POOL[0])
    if high:
        return end <= MEM32_POOL[1] and _place(chosen["pref"], PREF64_POOL[0]) <= PREF64_POOL[1]
    return _place(chosen["pref"], end) <= MEM32_POOL[1]


_ATTEMPTS = ((False, True), (True, True), (True, False))  # (64-bit prefetchable above 4 GiB, I/O behind bridges)


def _assign(ecam: Ecam, root: list[Function]) -> None:
    everything = _flatten(root)
    for high, io_behind in _ATTEMPTS:
        for function in everything:
            for bar in function.bars:
                bar.address = 0
        if _fits(_requests(root, high, parent_pref64=True, io_behind=io_behind), high):
            break
    else:
        raise QemuError("the devices' BARs do not fit in the PCI address pools of this firmware")
    for function in _flatten(root):
        for bar in function.bars:
            _program_bar(ecam, function.bdf, bar)
        for window in function.windows.values():
            _program_window(ecam, window)


def _program_bar(ecam: Ecam, bdf: Bdf, bar: Bar) -> None:
    if not bar.address:  # left unassigned (no I/O space left behind its bridge)
        return
    if bar.index == 6:  # expansion ROM: address only, decode left disabled
        ecam.write(bdf, bar.register, 4, bar.address & 0xFFFF_F800)
        return
    low = ecam.read(bdf, bar.register, 4) & (0x3 if bar.space == "io" else 0xF)
    ecam.write(bdf, bar.register, 4, bar.address & 0xFFFF_FFFF & ~0xF | low)
    if bar.bits == 64:
        ecam.write(bdf, bar.register + 4, 4, bar.address >> 32)


def _program_window(ecam: Ecam, window: Window) -> None:
    kind, bdf = window.kind, window.bridge.bdf
    start, last = (window.address, window.address + window.size - 1) if window.size else (0xFFFF_F000, 0)
    if kind == "io":
        if not window.size:
            start, last = 0xF000, 0
        ecam.write(bdf, IO_BASE, 1, (start >> 8) & 0xF0)
        ecam.write(bdf, IO_LIMIT, 1, (last >> 8) & 0xF0)
        if window.bridge.io32:
            ecam.write(bdf, IO_BASE_UPPER, 2, start >> 16 if window.size else 0)
            ecam.write(bdf, IO_LIMIT_UPPER, 2, last >> 16)
    elif kind == "mem":
        ecam.write(bdf, MEM_BASE, 2, (start >> 16) & 0xFFF0)
        ecam.write(bdf, MEM_LIMIT, 2, (last >> 16) & 0xFFF0)
    else:
        ecam.write(bdf, PREF_BASE, 2, (start >> 16) & 0xFFF0)
        ecam.write(bdf, PREF_LIMIT, 2, (last >> 16) & 0xFFF0)
        if window.bridge.pref64:
            ecam.write(bdf, PREF_BASE_UPPER, 4, start >> 32 if window.size else 0)
            ecam.write(bdf, PREF_LIMIT_UPPER, 4, last >> 32)


# -- 4. decode enables, 5. Interrupt Line -------------------------------------------------------
def _enable(ecam: Ecam, function: Function) -> None:
    bits = 0
    for bar in function.bars:
        if bar.index != 6 and bar.address:
            bits |= CMD_IO if bar.space == "io" else CMD_MEMORY
    if function.bridge:
        bits |= CMD_IO | CMD_MEMORY | CMD_MASTER
    if bits:
        command = ecam.read(function.bdf, COMMAND, 2)
        ecam.write(function.bdf, COMMAND, 2, command | bits)


def _interrupt_line(ecam: Ecam, function: Function, route: tuple[int, int]) -> None:
    pin = ecam.read(function.bdf, INTERRUPT_PIN, 1)
    if 1 <= pin <= 4 and function.header_type in (0, 1):
        slot, rotation = route
        ecam.write(function.bdf, INTERRUPT_LINE, 1, PIRQ_IRQ[(pin - 1 + rotation + slot) & 3])
