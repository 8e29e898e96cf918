"""Emulator profiles as data: where QEMU, cloud-hypervisor and Firecracker depart from the PCI spec.

Each :class:`Behaviour` names what differs and, per profile, what that emulator does
and the source file (and version) the fact comes from. ``spec`` is the PCIe Base
Specification. Facts marked "reading" are interpretations of the source; those marked
"measured" were found by pcikit's own differential tests over QEMU 7.2 (tests/test_qemu_masks.py,
tests/test_qemu_routing.py).

``MockDevice(..., profile=P)`` answers as ``P`` where a fact has an ``answer`` (a
bad-width MSI-X read, a BAR read with decode off, which message an MSI-X vector delivers
after its entry was edited while unmasked); the trace checker
(:mod:`pcikit.trace`) reads the rules and the consequence of breaking them.
"""
from __future__ import annotations

from typing import NamedTuple, Optional

PROFILES = ("spec", "qemu", "cloud-hypervisor", "firecracker")  # each behaviour has a fact for each


class Fact(NamedTuple):
    """What one emulator does, and where that is written; ``answer`` is what the mock answers
    (for behaviours the mock applies): "ones", "zero", "device" (the access goes through),
    "panic" / "panic-on-read" (the VMM dies: :class:`~pcikit.testing.state.VmmPanic` is raised),
    "current" / "latched" (an MSI-X vector delivers its entry as it is now, or as it was at the
    vector's last masked -> unmasked transition)."""

    does: str
    source: str
    answer: Optional[str] = None


class Behaviour(NamedTuple):
    """One behaviour and each profile's version of it."""

    name: str
    question: str
    facts: dict[str, Fact]


_SPEC = "PCIe Base Specification"
_QEMU_MSIX = "QEMU 7.2 hw/pci/msix.c"
_QEMU_MEMORY = "QEMU 7.2 softmmu/memory.c"
_CH_MSIX = "cloud-hypervisor v53 pci/src/msix.rs"
_FC_MSIX = "Firecracker (a copy of cloud-hypervisor's pci/src/msix.rs)"

BEHAVIOURS: tuple[Behaviour, ...] = (
    Behaviour("msix_access_widths", "Which MSI-X table/PBA accesses are allowed?", {
        "spec": Fact("aligned DWORD or QWORD", _SPEC),
        "qemu": Fact("4 or 8 bytes, aligned (8-byte split into two 4-byte)", _QEMU_MSIX),
        "cloud-hypervisor": Fact("4 or 8 bytes; 8 only at entry offsets 0x0 and 0x8", _CH_MSIX),
        "firecracker": Fact("4 or 8 bytes; 8 only at entry offsets 0x0 and 0x8", _FC_MSIX),
    }),
    Behaviour("msix_bad_width", "What does an MSI-X access of another width do?", {
        "spec": Fact("undefined: a driver must not do it (the mock reads all ones, drops writes)", _SPEC, "ones"),
        "qemu": Fact("rejected: the unassigned region answers 0 and writes are dropped", _QEMU_MEMORY, "zero"),
        "cloud-hypervisor": Fact("v53 fills a read with 0xff; v52 panics on a bad-width read; up to v51 any bad "
                                 "width panics the VMM", _CH_MSIX, "ones"),
        "firecracker": Fact("error logged, buffer untouched (the mock reads 0)", _FC_MSIX, "zero"),
    }),
    Behaviour("msix_entry_out_of_range", "An access past the last table entry?", {
        "spec": Fact("undefined", _SPEC),
        "qemu": Fact("outside the msix-table region: unassigned, reads 0 (reading)", _QEMU_MSIX),
        "cloud-hypervisor": Fact("reads all ones, writes ignored", _CH_MSIX),
        "firecracker": Fact("reads all ones, writes ignored", _FC_MSIX),
    }),
    Behaviour("msix_pba_write", "A write to the Pending Bit Array?", {
        "spec": Fact("read-only", _SPEC),
        "qemu": Fact("no-op", _QEMU_MSIX),
        "cloud-hypervisor": Fact("logged as read-only, ignored", _CH_MSIX),
        "firecracker": Fact("logged as read-only, ignored", _FC_MSIX),
    }),
    Behaviour("msix_control_write", "Which config writes update MSI-X Enable / Function Mask?", {
        "spec": Fact("any write covering Message Control", _SPEC),
        "qemu": Fact("any width covering cap+3", _QEMU_MSIX),
        "cloud-hypervisor": Fact("only a 2-byte write at cap+2 or a 4-byte write at cap+0 (reading: a 1-byte "
                                 "write changes the config image only)", "cloud-hypervisor v53 pci/src/configuration.rs",
                                 "strict-widths"),
        "firecracker": Fact("as cloud-hypervisor (reading)", "Firecracker pci/src/configuration.rs", "strict-widths"),
    }),
    Behaviour("msix_reset", "MSI-X state at reset?", {
        "spec": Fact("Enable and Function Mask clear, every vector masked", _SPEC),
        "qemu": Fact("Enable and Function Mask cleared, table zeroed, all vectors masked", _QEMU_MSIX),
        "cloud-hypervisor": Fact("entries masked, internal state disabled; the config image's Enable bit set "
                                 "from creation (reading of MsixCap::new)", _CH_MSIX),
        "firecracker": Fact("as cloud-hypervisor (reading)", _FC_MSIX),
    }),
    Behaviour("msix_unmasked_edit", "An entry edited while unmasked?", {
        "spec": Fact("undefined until the vector is masked again (the mock delivers the current entry)", _SPEC,
                     "current"),
        "qemu": Fact("userspace delivery (msix_notify) reads the entry when it delivers: the edit takes effect "
                     "at once (measured); with vhost/irqfd see qemu-vhost", _QEMU_MSIX, "current"),
        "cloud-hypervisor": Fact("route updated immediately", _CH_MSIX, "current"),
        "firecracker": Fact("route updated immediately", _FC_MSIX, "current"),
    }),
    Behaviour("virtio_queue_vector_out_of_range", "A virtio queue vector >= the table size?", {
        "spec": Fact("the device answers NO_VECTOR", "virtio 1.2, 4.1.4.3", "no-vector"),
        "qemu": Fact("answers NO_VECTOR (0xffff) on read-back", "QEMU 7.2 hw/virtio/virtio-pci.c", "no-vector"),
        "cloud-hypervisor": Fact("stored as written; the queue never interrupts", "cloud-hypervisor v53 "
                                 "virtio-devices/src/transport/pci_common_config.rs", "as-written"),
        "firecracker": Fact("stored as written (reading)", "Firecracker virtio pci transport", "as-written"),
    }),
    Behaviour("unused_config_bytes", "Config bytes outside every capability (device-specific)?", {
        "spec": Fact("device-specific; reserved bits read-only 0", _SPEC),
        "qemu": Fact("writable: the whole device-specific area is RW unless a device says otherwise "
                     "(measured)", "QEMU 7.2 hw/pci/pci.c pci_init_wmask", "writable"),
        "cloud-hypervisor": Fact("read-only unless a capability's writable bits say otherwise", "cloud-hypervisor "
                                 "v53 pci/src/configuration.rs"),
        "firecracker": Fact("as cloud-hypervisor (reading)", "Firecracker pci/src/configuration.rs"),
    }),
    Behaviour("command_parity_response", "Is Command's Parity Error Response writable?", {
        "spec": Fact("RW", _SPEC, "writable"),
        "qemu": Fact("read-only 0 (measured)", "QEMU 7.2 hw/pci/pci.c pci_init_wmask", "read-only"),
        "cloud-hypervisor": Fact("whatever the device's writable bits say (reading)", "cloud-hypervisor v53 "
                                 "pci/src/configuration.rs"),
        "firecracker": Fact("as cloud-hypervisor (reading)", "Firecracker pci/src/configuration.rs"),
    }),
    Behaviour("slot_control_command_completed", "A Slot Control write on a hot-plug capable port?", {
        "spec": Fact("Command Completed set when the command completes, if the port reports completion",
                     _SPEC),
        "qemu": Fact("Command Completed set on every Slot Control write (measured)", "QEMU 7.2 hw/pci/pcie.c"),
        "cloud-hypervisor": Fact("no PCIe ports", "cloud-hypervisor v53"),
        "firecracker": Fact("no PCIe ports", "Firecracker"),
    }),
    Behaviour("pm_d3hot_to_d0", "PMCSR D3hot -> D0 without No_Soft_Reset?", {
        "spec": Fact("the function is reset", _SPEC),
        "qemu": Fact("no reset: config space kept (measured)", "QEMU 7.2 hw/pci/pci.c"),
        "cloud-hypervisor": Fact("no PM state machine (reading)", "cloud-hypervisor v53"),
        "firecracker": Fact("no PM state machine (reading)", "Firecracker"),
    }),
    Behaviour("bar_read_decode_off", "A BAR read while Memory Space is off?", {
        "spec": Fact("master abort: all ones", _SPEC, "ones"),
        "qemu": Fact("0", "QEMU 7.2 softmmu/memory.c (unassigned access)", "zero"),
        "cloud-hypervisor": Fact("not modelled: the BAR stays mapped (reading)", "cloud-hypervisor v53", "device"),
        "firecracker": Fact("not modelled (reading)", "Firecracker", "device"),
    }),
    Behaviour("mmio_exit_width", "Widest MMIO access a VMM sees?", {
        "spec": Fact("as the CPU issues it", _SPEC),
        "qemu": Fact("TCG/KVM split to the region's max access size", _QEMU_MEMORY),
        "cloud-hypervisor": Fact("8 bytes: KVM's userspace MMIO exit carries data[8]", "Linux include/uapi/linux/kvm.h"),
        "firecracker": Fact("8 bytes: KVM's userspace MMIO exit carries data[8]", "Linux include/uapi/linux/kvm.h"),
    }),
)


_CH_OLD = "cloud-hypervisor {} pci/src/msix.rs"
VARIANTS: dict[str, tuple[str, dict[str, Fact]]] = {  # older releases, other setups: a base profile with facts replaced
    "cloud-hypervisor-v52": ("cloud-hypervisor", {"msix_bad_width": Fact(
        "a bad-width read panics the VMM; a bad-width write is dropped (reading)", _CH_OLD.format("v52"),
        "panic-on-read")}),
    "cloud-hypervisor-v51": ("cloud-hypervisor", {"msix_bad_width": Fact(
        "any bad-width access panics the VMM", _CH_OLD.format("v51"), "panic")}),
    "qemu-vhost": ("qemu", {"msix_unmasked_edit": Fact(  # a virtio device whose queues signal through irqfd
        "the routed message is updated only on mask/unmask transitions (msix_handle_mask_update calls the "
        "vector notifier, which re-reads the entry into the KVM MSI route): the message latched at the last "
        "unmask is delivered (reading: only with KVM's irqfd, not run against QEMU)",
        _QEMU_MSIX + " and hw/virtio/virtio-pci.c virtio_pci_vector_unmask", "latched")}),
}
ALL_PROFILES = PROFILES + tuple(VARIANTS)


def check_profile(profile: str) -> str:
    """``profile`` when it is one of :data:`ALL_PROFILES`, else ValueError naming them."""
    if profile not in ALL_PROFILES:
        raise ValueError(f"unknown profile {profile!r} (choose from {', '.join(ALL_PROFILES)})")
    return profile


def answer(name: str, profile: str) -> Optional[str]:
    """What the mock answers for behaviour ``name`` under ``profile`` ("ones", "zero", "device")."""
    return fact(name, profile).answer


def behaviour(name: str) -> Behaviour:
    """The behaviour called ``name`` (KeyError when there is none)."""
    for item in BEHAVIOURS:
        if item.name == name:
            return item
    raise KeyError(name)


def fact(name: str, profile: str) -> Fact:
    """What ``profile`` (or a variant of it: an older release) does for behaviour ``name``."""
    if profile in VARIANTS:
        base, replaced = VARIANTS[profile]
        return replaced.get(name) or behaviour(name).facts[base]
    return behaviour(name).facts[profile]
