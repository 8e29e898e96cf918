"""``python -m examples.virtio_driver``: drive mock virtio devices, or inspect live ones read-only.

Without arguments the driver initializes a mock virtio-net and a mock virtio-blk
and handles an interrupt from each. ``--live [SLOT]`` lists the virtio devices of
this machine, their structures and, when sysfs exposes the BAR (``resourceN``),
the currently selected device feature word, without writing anything.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Optional

from . import models, spec
from .transport import VirtioPciTransport, find_structures

WANTED = {
    spec.NET: 1 << spec.NET_F_MAC | 1 << spec.NET_F_STATUS | 1 << spec.NET_F_MTU,
    spec.BLOCK: 1 << spec.BLK_F_BLK_SIZE | 1 << spec.BLK_F_FLUSH | 1 << spec.BLK_F_SEG_MAX,
}


def demo() -> int:
    """Initialize each mock, kick queue 0 and dispatch the interrupt it raises."""
    for model in (models.virtio_net(), models.virtio_blk()):
        dev = model.dev
        transport = VirtioPciTransport(dev.open(), dev.bar)
        features = transport.initialize(WANTED[transport.kind])
        print(f"{dev.address} virtio-{spec.DEVICE_TYPES[transport.kind]}: "
              f"status {' '.join(spec.status_names(transport.status))}")
        print(f"  negotiated: {' '.join(spec.feature_names(features, transport.kind))}")
        transport.notify(transport.queues[0])
        for message in dev.interrupts:
            transport.handle_message(message.address, message.data)
        print(f"  queues: {len(transport.queues)}, notifications: {transport.events.queue_notifications}")
    return 0


def _describe_live(device, root: str) -> None:
    kind = spec.device_type(device.device_id)
    print(f"{device.address} virtio-{spec.DEVICE_TYPES.get(kind, kind)}")
    if device.config.size <= 64:
        print("  capabilities need root (the kernel returns only 64 bytes of config space)")
        return
    structures = find_structures(device)
    for cfg_type, structure in sorted(structures.items()):
        print(f"  {spec.CFG_TYPE_NAMES.get(cfg_type, cfg_type)}: BAR {structure.bar} "
              f"offset {structure.offset:#x} length {structure.length:#x}")
    common = structures.get(spec.COMMON_CFG)
    if common is None:
        print("  no common configuration capability: not a modern virtio device")
        return
    resource = os.path.join(root, "bus", "pci", "devices", str(device.address), f"resource{common.bar}")
    if not os.path.exists(resource):
        print(f"  features: unreadable here: {resource} does not exist (this platform exposes no BAR "
              "mappings in sysfs, and this read-only mode never writes to the device)")
        return
    from pcikit.barmap import map_resource
    from pcikit.errors import PcikitError

    try:
        transport = VirtioPciTransport(device, lambda bar: map_resource(device.address, bar, root))
        state = transport.inspect()
    except PcikitError as exc:
        print(f"  features: unreadable: {exc}")
        return
    shift = 32 * state["device_feature_select"]
    word = state["device_feature"] << shift if state["device_feature_select"] < 2 else 0
    print(f"  device features word {state['device_feature_select']} (as the kernel driver left the select): "
          f"{' '.join(spec.feature_names(word, kind)) or 'none'}")
    print(f"  status: {' '.join(spec.status_names(state['device_status'])) or '0'}, "
          f"queues: {state['num_queues']}, config generation: {state['config_generation']}")


def live(slot: Optional[str], root: str) -> int:
    """List live virtio devices read-only."""
    from pcikit.filters import SlotFilter
    from pcikit.sources import live_devices

    devices = [d for d in live_devices(root, kernel=False)
               if d.vendor_id == spec.VIRTIO_VENDOR and spec.device_type(d.device_id)]
    if slot is not None:
        devices = [d for d in devices if SlotFilter.parse(slot).matches(d.address)]
    if not devices:
        print("no modern virtio PCI devices found", file=sys.stderr)
        return 1
    for device in devices:
        _describe_live(device, root)
    return 0


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.virtio_driver", description=__doc__.splitlines()[0])
    parser.add_argument("--live", nargs="?", const="", metavar="SLOT", help="inspect live virtio devices read-only")
    parser.add_argument("--sysfs-root", default="/sys", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.live is None:
        return demo()
    return live(args.live or None, args.sysfs_root)


if __name__ == "__main__":
    sys.exit(main())
