"""MockDevice: a PCI function with real register semantics behind pcikit's interfaces."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Callable, Mapping, Optional, Union

from ..access.memory import BytesConfig
from ..address import Address
from ..filters import SlotFilter
from ..errors import DeviceGoneError
from ..model import Device
from .bars import ROM_INDEX, BarPlan, plan_bars, rom_registers
from .config import MockConfig
from . import departures
from .profiles import check_profile

if TYPE_CHECKING:
    from ..fixture.build import Fixture
from .doe import DoeMailbox
from .intx import IntxModel
from .live import LiveConditions
from .log import Access, AccessLog, InterruptMessage
from .msi import MsiModel
from .msix import MsixModel
from .region import MockRegion
from ..msix import MsixLayout, validate
from ..schema.caps import af as af_schema
from ..schema.caps import express as express_schema
from ..schema.caps import msix as msix_schema
from ..schema.caps import pm as pm_schema
from ..schema import header as header_schema
from ..schema import registry
from .registers import COMMAND, HEADER_END, Masks, bit, build_masks, capability_access, header_access, locate
from .rebar import CAP_ID_RESIZABLE_BAR, CAP_ID_VF_RESIZABLE_BAR, ResizableBars, resized
from .sriov import SriovModel, plan_vf_bars, vf_bar_registers
from .state import DeviceState, HookCallback, MockError
from .virtio_cfg import VirtioPciCfgWindow, pci_cfg_capabilities
from .vpd import VpdModel

CAP_PM, CAP_VPD, CAP_MSI, CAP_EXP, CAP_MSIX, CAP_AF = (registry.standard_id(name) for name in (
    "Power Management", "Vital Product Data", "MSI", "PCI Express", "MSI-X", "Advanced Features"))
ECAP_SRIOV, ECAP_DOE = registry.extended_id("Single Root I/O Virtualization"), registry.extended_id("Data Object Exchange")
MSIX_CAPABILITY_SIZE = msix_schema.SCHEMA.sizeof()
PM_NO_SOFT_RESET = bit(pm_schema.PMCSR, "no_soft_reset")
POWER_STATE = bit(pm_schema.PMCSR, "power_state")
INITIATE_FLR = bit(express_schema.DEVICE_CONTROL, "initiate_function_level_reset")
AF_INITIATE_FLR = bit(af_schema.AF_CONTROL, "initiate_flr")
COMMAND_COMPLETED = bit(express_schema.SLOT_STATUS, "command_completed")
D3HOT = 3
IO_SPACE, MEMORY_SPACE, BUS_MASTER = (bit(header_schema.COMMAND, name) for name in ("io_space", "memory_space", "bus_master"))
_MSIX_MIN_BAR = 4096
_MSIX_MAX_INFERRED_BAR = 1 << 28


def _masks_for(model: Device, image: bytes, plans: list[BarPlan], rom_size: Optional[int],
               vf_plans: list[BarPlan], profile: str = "spec", virtual_function: bool = False) -> Masks:
    """Every register's masks, from the catalogue: header, BARs, ROM, standard and extended capabilities."""
    header_type = model.header_type
    header = header_access(model, virtual_function)
    for plan in plans:
        header += plan.registers()
    header += rom_registers(header_type, rom_size)
    others = capability_access(model) + vf_bar_registers(vf_plans)
    end = HEADER_END.get(header_type, HEADER_END[0])
    return departures.apply(build_masks(image, header, others, end), model, header + others, end, profile)


class MockDevice:
    """A PCI function for tests: config space, BARs, MSI/MSI-X and INTx with real semantics.

    Build one with :meth:`from_image`, :meth:`from_dump` or :class:`DeviceBuilder`.
    Software talks to it through :attr:`config` (a :class:`~pcikit.access.ConfigSpace`)
    and :meth:`bar` (a :class:`~pcikit.mmio.BarRegion`), exactly as it talks to a live
    device; :meth:`open` gives the :class:`pcikit.Device` model over it. The device
    side is :attr:`msix`, :attr:`msi`, :attr:`intx`, the hooks and fault injection.
    """

    def __init__(
        self,
        image: bytes,
        bar_sizes: Optional[Mapping[int, int]] = None,
        *,
        address: Union[str, Address] = "0000:00:00.0",
        bar_data: Optional[Mapping[int, bytes]] = None,
        log_limit: Optional[int] = None,
        vf_bar_sizes: Optional[Mapping[int, int]] = None,
        vpd: Optional[bytes] = None,
        profile: str = "spec",
        msix_reset: str = "zero",
        _vf_memory: Optional[tuple[list[BarPlan], Callable[[], bool]]] = None,
    ) -> None:
        image = bytes(image)
        if not 64 <= len(image) <= 4096:
            raise MockError(f"a config image has 64 to 4096 bytes, not {len(image)}")
        self.address = address if isinstance(address, Address) else Address.parse(address)
        self._state = DeviceState(log_limit)
        self._state.profile = check_profile(profile)
        if msix_reset not in ("zero", "garbage"):
            raise MockError(f"msix_reset is 'zero' or 'garbage', not {msix_reset!r}")
        self._state.msix_reset = msix_reset
        sizes = dict(bar_sizes or {})
        model = Device(self.address, BytesConfig(image))  # walked once, on the bytes as given
        self._plans, self.problems = plan_bars(image, model.header_type, sizes)
        self._plans = self._size_msix_bar(model, self._plans)
        sriov = model.find_capability(ECAP_SRIOV, extended=True)
        vf_plans, vf_problems = plan_vf_bars(image, sriov, dict(vf_bar_sizes or {}))
        self.problems += vf_problems
        masks = _masks_for(model, image, self._plans, sizes.get(ROM_INDEX), vf_plans, profile, _vf_memory is not None)
        self.config = MockConfig(image, masks.writable, masks.clear, masks.reset, self._state,
                                 w1smask=masks.set, sticky=masks.sticky)
        self._state.bus_master = lambda: bool(self.config.peek(COMMAND, 2) & BUS_MASTER)
        self._reset_callbacks: list[Callable[[], None]] = []
        self._regions = self._back_bars(bar_data or {})
        if _vf_memory is not None:  # a VF: its share of the PF's VF BARs, decoding while the PF says so
            self._regions.update(self._back_bars({}, plans=_vf_memory[0], decodes=_vf_memory[1]))
        self._init_interrupts(model)
        self._init_power_and_flr(model)
        self._watch_bar_sizing()
        self._sriov = SriovModel(self, sriov, vf_plans) if sriov is not None and sriov.fields is not None else None
        self._windows = [VirtioPciCfgWindow(self.config, cap, self._regions.get, self._state)
                         for cap in pci_cfg_capabilities(model.capabilities)]
        rebar = model.find_capability(CAP_ID_RESIZABLE_BAR, extended=True)
        if rebar is not None and rebar.fields is not None:
            ResizableBars(self, rebar, self._resize_bar)
        vf_rebar = model.find_capability(CAP_ID_VF_RESIZABLE_BAR, extended=True)
        if vf_rebar is not None and vf_rebar.fields is not None and self._sriov is not None:
            ResizableBars(self, vf_rebar, self._resize_vf_bar)
        self._doe = [DoeMailbox(self.config, cap) for cap in model.extended_capabilities
                     if cap.cap_id == ECAP_DOE and cap.fields is not None]
        vpd_cap = model.find_capability(CAP_VPD)
        self.vpd = VpdModel(self.config, vpd_cap, vpd or b"") if vpd_cap is not None and vpd_cap.fields else None
        end = HEADER_END.get(model.header_type, HEADER_END[0])
        for cap in model.capabilities + model.extended_capabilities:
            if LiveConditions.wanted(cap):
                LiveConditions(self, cap, end)
        self.config.watch(COMMAND, 2, lambda old, new: self._state.refresh())
        self._state.refresh()

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_image(
        cls, config_bytes: bytes, bar_sizes: Optional[Mapping[int, int]] = None, **options: object
    ) -> "MockDevice":
        """A device starting with ``config_bytes`` (64-4096 bytes) and BARs of ``bar_sizes``.

        BAR types come from the image, sizes from ``bar_sizes`` ({index: bytes}; index 6
        is the expansion ROM). A BAR implemented in the image with no size stays
        read-only and has no region (noted in :attr:`problems`), except the BAR holding
        the MSI-X table, which is sized to fit it when no size is given. Options:
        ``address``, ``bar_data`` ({index: initial bytes}), ``log_limit``, ``vf_bar_sizes``
        (SR-IOV: {VF BAR index: bytes per VF}), ``vpd`` (the VPD contents behind the VPD
        capability's Address/Data window; :attr:`vpd` is its model), ``profile`` (whose answers:
        "spec", "qemu", "cloud-hypervisor", "firecracker", or a variant such as "qemu-vhost"; see
        :mod:`pcikit.testing.profiles`),
        ``msix_reset`` ("zero", or "garbage": the MSI-X address/data words hold non-zero junk at
        reset, so a driver that relies on a zeroed table delivers to a junk address).
        """
        return cls(config_bytes, bar_sizes, **options)  # type: ignore[arg-type]

    @classmethod
    def from_dump(
        cls, path: Union[str, os.PathLike], slot: Optional[str] = None,
        bar_sizes: Optional[Mapping[int, int]] = None, **options: object,
    ) -> "MockDevice":
        """The device ``slot`` (lspci ``-s`` syntax) of an lspci dump or raw image file.

        ``slot`` may be omitted when the file holds one device. ``bar_sizes`` and the
        options are those of :meth:`from_image`; the address defaults to the dump's.
        """
        from ..offline import dump_devices

        devices = dump_devices(path)
        if slot is not None:
            chosen = SlotFilter.parse(slot)
            devices = [dev for dev in devices if chosen.matches(dev.address)]
        if len(devices) != 1:
            found = ", ".join(str(d.address) for d in devices) or "none"
            raise MockError(f"{os.fspath(path)}: need exactly one device (slot={slot!r}); found {found}")
        device = devices[0]
        options.setdefault("address", device.address)
        return cls(device.config.read_block(0, device.config.size), bar_sizes, **options)  # type: ignore[arg-type]

    @classmethod
    def from_spec(cls, path: Union[str, os.PathLike], **options: object) -> "MockDevice":
        """A device built from a ``specs/*.toml`` spec: its config image, BAR sizes and MSI-X BAR images.

        Options are those of :meth:`from_image`; the address defaults to the spec's slot.
        Spec errors raise :class:`pcikit.fixture.SpecError` naming the file and field.
        """
        from ..fixture import build, load_spec

        return cls.from_fixture(build(load_spec(os.fspath(path))), **options)

    @classmethod
    def from_fixture(cls, fixture: "Fixture", **options: object) -> "MockDevice":
        """A device from a built spec (:func:`pcikit.fixture.build`): see :meth:`from_spec`."""
        sizes = {bar.index: bar.size for bar in fixture.spec.bars if bar.size}
        options.setdefault("address", fixture.spec.slot)
        options.setdefault("bar_data", fixture.bar_images)
        options.setdefault("vpd", fixture.spec.vpd)
        dev = cls.from_image(fixture.config, sizes, **options)
        for mask in fixture.spec.write_masks:  # the spec's masks (e.g. probed on an emulator) win
            _, cleared = dev.config.masks(mask.offset, mask.width)
            cleared = cleared & ~mask.writable if mask.write1_to_clear is None else mask.write1_to_clear
            dev.config.define_register(mask.offset, mask.width, writable=mask.writable, write1_to_clear=cleared)
        return dev

    def _back_bars(self, bar_data: Mapping[int, bytes], only: Optional[int] = None,
                   plans: Optional[list[BarPlan]] = None, decodes: Optional[Callable[[], bool]] = None,
                   ) -> dict[int, MockRegion]:
        """A memory-backed region per sized BAR of ``plans`` (default: the function's own BARs,
        decoding per Command and power state); a BAR too large to back still sizes (noted in problems)."""
        regions = {}
        for plan in self._plans if plans is None else plans:
            if plan.size is None or only is not None and plan.index != only:
                continue
            try:
                regions[plan.index] = MockRegion(plan.index, plan.size, plan.space, self._state,
                                                 decodes or self._decoder(plan.space), bar_data.get(plan.index))
            except MockError as exc:
                self.problems.append(f"BAR {plan.index}: {exc}; the register sizes, the BAR has no region")
        return regions

    def _resize_bar(self, index: int, size: int) -> None:
        """Resizable BAR: BAR ``index`` now decodes ``size`` bytes (new masks, fresh memory)."""
        plans = self._resized(self._plans, index, size, "BAR")
        if plans is not None:
            self._plans = plans
            self._regions.pop(index, None)
            self._regions.update(self._back_bars({}, only=index))

    def _resize_vf_bar(self, index: int, size: int) -> None:
        """VF Resizable BAR: VF BAR ``index`` now holds ``size`` bytes per VF (VFs enabled from now on)."""
        plans = self._resized(self._sriov.vf_bars, index, size, "VF BAR")  # type: ignore[union-attr]
        if plans is not None:
            self._sriov.vf_bars = plans  # type: ignore[union-attr]

    def _resized(self, plans: list[BarPlan], index: int, size: int, what: str) -> Optional[list[BarPlan]]:
        """``plans`` with BAR ``index`` of ``size`` bytes, its register masks changed (None: unchanged)."""
        plan = next((p for p in plans if p.index == index), None)
        if plan is None or plan.space != "memory":
            self._state.violation(f"Resizable BAR names {what} {index}, which is not a memory {what}")
            return None
        if plan.size == size:
            return None
        plan = resized(plan, size)
        for reg in plan.registers():
            was, _ = self.config.masks(reg.offset, reg.width)
            dropped = was & ~reg.writable  # address bits below the new size read 0 from now on
            self.config.poke(reg.offset, reg.width, self.config.peek(reg.offset, reg.width) & ~dropped)
            self.config.define_register(reg.offset, reg.width, writable=reg.writable)  # reset: type bits, address 0
        return [plan if p.index == index else p for p in plans]

    @staticmethod
    def _size_msix_bar(model: Device, plans: list[BarPlan]) -> list[BarPlan]:
        """Give the BAR holding MSI-X structures a size that fits them when none was given."""
        cap = model.find_capability(CAP_MSIX)
        if cap is None or cap.fields is None or not cap.readable(0, MSIX_CAPABILITY_SIZE):
            return plans
        layout = MsixLayout.from_fields(cap.fields)
        ends = {layout.table_bir: layout.table_offset + layout.table_bytes}
        pba_end = layout.pba_offset + layout.pba_bytes
        ends[layout.pba_bir] = max(ends.get(layout.pba_bir, 0), pba_end)
        sized = []
        for plan in plans:
            size = max(_MSIX_MIN_BAR, 1 << (ends.get(plan.index, 1) - 1).bit_length())
            if plan.size is None and plan.index in ends and plan.space == "memory" and size <= _MSIX_MAX_INFERRED_BAR:
                plan = BarPlan(plan.index, plan.space, plan.bits, plan.prefetchable, size, plan.base)
            sized.append(plan)
        return sized

    def _watch_bar_sizing(self) -> None:
        """Record BAR sizing (all ones written to a BAR register) while the decode it affects is on."""
        command_bit = {"memory": MEMORY_SPACE, "io": IO_SPACE}
        for plan in self._plans:
            if plan.index == ROM_INDEX:
                continue
            bit = command_bit[plan.space]

            def check(access: Access, plan: BarPlan = plan, bit: int = bit) -> None:
                if access.width == 4 and access.value == 0xFFFF_FFFF and self.config.peek(COMMAND, 2) & bit:
                    self._state.violation(
                        f"BAR {plan.index} sized (all ones written at 0x{access.offset:03x}) while "
                        f"{'Memory' if bit == MEMORY_SPACE else 'I/O'} Space decode is on: the BAR moves while it decodes",
                        "bar-sizing-decode-on", access)

            self.config.on_write(plan.offset, 8 if plan.bits == 64 else 4, check)

    def _decoder(self, space: str) -> Callable[[], bool]:
        enable = MEMORY_SPACE if space == "memory" else IO_SPACE
        config = self.config
        return lambda: bool(config.peek(COMMAND, 2) & enable) and self.power_state != D3HOT

    def _init_interrupts(self, model: Device) -> None:
        msix_cap, msi_cap = model.find_capability(CAP_MSIX), model.find_capability(CAP_MSI)
        self._msix = MsixModel(self.config, msix_cap, self._state) if msix_cap and msix_cap.fields else None
        self._msi = MsiModel(self.config, msi_cap.offset, self._state) if msi_cap else None
        self.intx = IntxModel(self.config, self._state, self._message_interrupts_on)
        for model_cap in (msix_cap, msi_cap):
            if model_cap is not None:
                self.config.watch(model_cap.offset + 2, 2, lambda old, new: self.intx.update())
        if self._msix is not None:
            self._place_msix(self._msix, model)

    def _place_msix(self, msix: MsixModel, model: Device) -> None:
        """Attach the table and PBA to the BARs they fit in; placement problems as pcikit.msix.validate names them."""
        layout = msix.layout
        self.problems += validate(layout, model.bars, self._regions)
        spans = {
            "table": (layout.table_bir, layout.table_offset, layout.table_offset + layout.table_bytes),
            "PBA": (layout.pba_bir, layout.pba_offset, layout.pba_offset + layout.pba_bytes),
        }
        placed: dict[int, dict[str, tuple[int, int]]] = {}
        for what, (bir, start, end) in spans.items():
            region = self._regions.get(bir)
            if region is not None and region.space == "memory" and end <= region.size:
                placed.setdefault(bir, {})[what] = (start, end)  # overlapping: the table wins
        for index, found in placed.items():
            self._regions[index].attach_msix(msix, found.get("table", (0, 0)), found.get("PBA", (0, 0)))

    def _message_interrupts_on(self) -> bool:
        return bool((self._msix and self._msix.enabled) or (self._msi and self._msi.enabled))

    def _init_power_and_flr(self, model: Device) -> None:
        """Behaviour attached to fields: PMCSR PowerState, Initiate FLR (PCIe and AF), Slot Control commands."""
        pm, express = model.find_capability(CAP_PM), model.find_capability(CAP_EXP)
        self._pmcsr: Optional[int] = locate(pm).get("pmcsr")
        self._pm_states = {0, 3}
        if self._pmcsr is not None:
            pmc = pm.fields.pmc
            self._pm_states |= {1} if pmc.d1_support else set()
            self._pm_states |= {2} if pmc.d2_support else set()
            self.config.watch(self._pmcsr, 2, self._pmcsr_written)
        where = locate(express)
        if express is not None and express.fields.device_capabilities.function_level_reset_capability:
            self.config.watch(where["device_control"], 2, self._devctl_written)
        af = model.find_capability(CAP_AF)
        if af is not None and af.fields.af_capabilities.flr:
            self.config.watch(locate(af)["af_control"], 1, self._af_control_written)
        if where.get("slot_control") is not None and where.get("slot_status") is not None:
            self._slot_status = where["slot_status"]
            if not express.fields.slot_capabilities.no_command_completed_support:
                self.config.watch(where["slot_control"], 2, self._slot_command)

    @property
    def power_state(self) -> int:
        """PMCSR PowerState (0 = D0 .. 3 = D3hot); 0 without a PM capability."""
        return self.config.peek(self._pmcsr, 2) & POWER_STATE if self._pmcsr is not None else 0

    def _pmcsr_written(self, old: int, new: int) -> None:
        if new & POWER_STATE not in self._pm_states:  # PCI PM 1.2: writes of unsupported states are ignored
            self.config.poke(self._pmcsr, 2, (new & ~POWER_STATE) | (old & POWER_STATE))  # type: ignore[arg-type]
        elif old & POWER_STATE == D3HOT and new & POWER_STATE == 0 and not new & PM_NO_SOFT_RESET:
            self.reset()
        self._state.refresh()

    def _devctl_written(self, old: int, new: int) -> None:
        if new & INITIATE_FLR:
            self.reset()

    def _af_control_written(self, old: int, new: int) -> None:
        if new & AF_INITIATE_FLR:
            self.reset()

    def _slot_command(self, old: int, new: int) -> None:
        """A Slot Control write is a hot-plug command: it completes at once (Slot Status Command Completed)."""
        self.config.poke(self._slot_status, 2, self.config.peek(self._slot_status, 2) | COMMAND_COMPLETED)

    # -- software side ----------------------------------------------------------------------
    def open(self) -> Device:
        """A fresh :class:`pcikit.Device` model over this device's config space."""
        return Device(self.address, self.config)

    def bar(self, index: int) -> MockRegion:
        """BAR ``index`` as a :class:`~pcikit.mmio.BarRegion` (upper half of a 64-bit BAR: refused)."""
        region = self._regions.get(index)
        if region is None:
            plan = next((p for p in self._plans if p.index == index), None)
            reason = "has no size (pass bar_sizes)" if plan is not None else "is not implemented"
            raise MockError(f"{self.address}: BAR {index} {reason}")
        return region

    @property
    def virtual_functions(self) -> list["MockDevice"]:
        """The SR-IOV virtual functions while VF Enable is set (empty otherwise, or without SR-IOV)."""
        return list(self._sriov.virtual_functions) if self._sriov is not None else []

    def refresh_decode(self) -> None:
        """Re-read what BAR decode depends on outside this function's Command register (a VF's
        BARs follow the PF's VF MSE)."""
        self._state.refresh()

    @property
    def bars(self) -> dict[int, MockRegion]:
        """Every BAR that has a region, by index."""
        return dict(self._regions)

    # -- device side ------------------------------------------------------------------------
    @property
    def msix(self) -> MsixModel:
        """The MSI-X model (MockError when the device has no MSI-X capability)."""
        if self._msix is None:
            raise MockError(f"{self.address}: no MSI-X capability")
        return self._msix

    @property
    def msi(self) -> MsiModel:
        """The MSI model (MockError when the device has no MSI capability)."""
        if self._msi is None:
            raise MockError(f"{self.address}: no MSI capability")
        return self._msi

    @property
    def interrupts(self) -> list[InterruptMessage]:
        """Every interrupt delivered, in order."""
        return self._state.interrupts

    @property
    def access_log(self) -> AccessLog:
        """Every config and BAR access software made, in order."""
        return self._state.log

    def report_violation(self, message: str, kind: str = "protocol") -> None:
        """Record a mistake a device model found (e.g. a virtio queue vector past the MSI-X table)."""
        self._state.violation(message, kind)

    @property
    def profile(self) -> str:
        """Whose answers this device gives where emulators differ (:mod:`pcikit.testing.profiles`)."""
        return self._state.profile

    @property
    def violations(self) -> list[str]:
        """Accesses the spec forbids or leaves undefined (bad MSI-X widths, master aborts, ...)."""
        return self._state.violations

    # -- hooks --------------------------------------------------------------------------------
    def on_config_read(self, offset: int, callback: Optional[HookCallback] = None, *, length: int = 1):
        """Run ``callback(access)`` on config reads overlapping the range (usable as a decorator).

        An int the callback returns is what the read returns (read-to-clear: poke, return None).
        """
        return self._hook(lambda cb: self.config.on_read(offset, length, cb), callback)

    def on_config_write(self, offset: int, callback: Optional[HookCallback] = None, *, length: int = 1):
        """Run ``callback(access)`` before config writes overlapping the range; an int replaces the value."""
        return self._hook(lambda cb: self.config.on_write(offset, length, cb), callback)

    def on_bar_read(self, index: int, offset: int, callback: Optional[HookCallback] = None, *, length: int = 4):
        """Run ``callback(access)`` on BAR reads overlapping the range; an int is read instead."""
        return self._hook(lambda cb: self.bar(index).on_read(offset, length, cb), callback)

    def on_bar_write(self, index: int, offset: int, callback: Optional[HookCallback] = None, *, length: int = 4):
        """Run ``callback(access)`` before BAR writes overlapping the range; an int is stored instead."""
        return self._hook(lambda cb: self.bar(index).on_write(offset, length, cb), callback)

    def on_reset(self, callback: Optional[Callable[[], None]] = None):
        """Run ``callback()`` after every reset (FLR, D3hot->D0, :meth:`reset`)."""
        return self._hook(self._reset_callbacks.append, callback)

    @staticmethod
    def _hook(register: Callable, callback: Optional[Callable]):
        if callback is None:
            def decorator(function: Callable) -> Callable:
                register(function)
                return function
            return decorator
        register(callback)
        return callback

    # -- lifecycle and faults --------------------------------------------------------------------
    def reset(self, cold: bool = False) -> None:
        """Function Level Reset (or, with ``cold``, a power-on reset): registers to their reset values.

        Software-set fields load the reset values the schema declares (Interrupt Line
        clears); read-only and HwInit fields keep their values; sticky fields (ROS,
        RWS, RW1CS) keep theirs unless ``cold``. BAR memory returns to what it was
        built with, MSI-X resets; the logs (``access_log``, ``interrupts``,
        ``violations``) are kept; reset callbacks run last.
        """
        self.config.restore_reset_values(keep_sticky=not cold)
        for region in self._regions.values():
            region.reset()
        if self._msix is not None:
            self._msix.reset()
        self.intx.reset()
        self._state.refresh()
        for callback in self._reset_callbacks:
            callback()

    def surprise_remove(self) -> None:
        """The device vanishes: every read returns all ones, writes are dropped, nothing fires."""
        self._state.removed = True
        self._state.refresh()

    @property
    def removed(self) -> bool:
        """True after :meth:`surprise_remove`."""
        return self._state.removed

    def fail_next(
        self, count: int = 1, *, space: Optional[str] = None,
        error: Union[BaseException, type, None] = None,
    ) -> None:
        """Make the next ``count`` accesses raise, as a live read of a vanished device does.

        ``space``: None (any), ``"config"``, ``"bar"`` (any BAR) or ``"bar0"``..``"bar5"``.
        ``error`` defaults to :class:`~pcikit.errors.DeviceGoneError`, what the sysfs
        source raises when the device disappears under a read.
        """
        if count < 1:
            raise ValueError("count must be at least 1")
        if error is None:
            error = DeviceGoneError(f"/sys/bus/pci/devices/{self.address}: device is gone")
        self._state.add_failure(count, space, error)

    def __repr__(self) -> str:
        vendor, device = self.config.peek(0, 2), self.config.peek(2, 2)
        return f"<MockDevice {self.address} {vendor:04x}:{device:04x}>"
