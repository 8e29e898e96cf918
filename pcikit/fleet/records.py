"""One host's rows for every table: decode its files, build the topology, run the health checks.

:func:`host_rows` is the unit of work of both engines (the embedded ``pcikit export`` and
the distributed partition function): it never raises for bad input; a file or a device that
cannot be read becomes a row of the ``errors`` table.
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Optional

from ..access.dump import _looks_binary, parse_binary, parse_dump_bytes
from ..errors import PcikitError
from ..health import check_topology
from ..health.links import common_speed
from ..health.topology import Topology
from ..interrupts import interrupt_summary
from ..model import Device
from ..schema.caps.express import LINK_SPEED_GTS
from .inputs import HostInput, read_bytes

MAX_FILE_BYTES = 64 << 20  # a dump of 256 functions x 4096 bytes is ~3.5 MB as text
MAX_HOST_BYTES = 64 << 20  # one host is decoded as a unit (its topology): its files share this budget

Rows = dict[str, list[dict[str, Any]]]


def empty_rows() -> Rows:
    """One empty list per table."""
    from .tables import TABLES

    return {table: [] for table in TABLES}


def _is_json(data: bytes) -> bool:
    return data.lstrip()[:1] in (b"[", b"{")


def _json_devices(data: bytes, path: str, errors: list[str]) -> list[Device]:
    from .jsondoc import device_from_document

    try:
        documents = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise PcikitError(f"{path}: not a pcikit JSON document ({exc})") from None
    if isinstance(documents, dict):
        documents = [documents]
    devices = []
    for doc in documents:
        try:
            dev, problems = device_from_document(doc)
        except (KeyError, TypeError, ValueError) as exc:
            errors.append(f"{path}: device object skipped ({type(exc).__name__}: {exc})")
            continue
        errors.extend(f"{path}: {doc.get('slot')}: {p}" for p in problems)
        devices.append(dev)
    return devices


def file_devices(path: str, errors: list[str], limit: int = MAX_FILE_BYTES) -> tuple[list[Device], int]:
    """(devices, bytes read) of one input file (dump, raw image or JSON) of at most ``limit`` bytes.

    Raises PcikitError for an unreadable or oversized file.
    """
    try:
        data = read_bytes(path, limit)
    except OSError as exc:
        raise PcikitError(f"{path}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise PcikitError(f"{path}: larger than the {limit >> 20} MiB left for this host, not a dump")
    return _parse(data, path, errors), len(data)


def _parse(data: bytes, path: str, errors: list[str]) -> list[Device]:
    if _is_json(data):
        return _json_devices(data, path, errors)
    if _looks_binary(data):
        entries = [parse_binary(data, path)]
    else:  # lspci -vvv text around the hex may hold any bytes (names in UTF-8 or Latin-1)
        entries = parse_dump_bytes(data, path)
    return [Device(e.address, e.config, None, e.title) for e in entries]


class _Names:
    """pci.ids lookups, shared by every device of a process (None without a pci.ids)."""

    _ids: Any = False

    @classmethod
    def ids(cls):
        if cls._ids is False:
            from ..ids import default_database

            try:
                cls._ids = default_database()
            except (OSError, PcikitError):
                cls._ids = None
        return cls._ids


@lru_cache(maxsize=4096)  # a fleet repeats a few hundred models on every host: look each up once
def _names(vendor_id: int, device_id: int, class_code: int) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """(vendor, device, class) names from pci.ids; Nones without one."""
    ids = _Names.ids()
    if ids is None:
        return None, None, None
    base, sub = class_code >> 16, (class_code >> 8) & 0xFF
    return (ids.vendor(vendor_id), ids.device(vendor_id, device_id),
            ids.subclass_name(base, sub) or ids.class_name(base))


def _gts(code: Optional[int]) -> Optional[float]:
    return LINK_SPEED_GTS.get(code) if code else None


_NO_EXPRESS = {"port_type": None, "link_speed_gts": None, "link_width": None,
               "max_link_speed_gts": None, "max_link_width": None}


def _device_row(host: str, source: str, slot: str, dev: Device, topo: Topology) -> dict[str, Any]:
    sub = dev.subsystem if dev.has_config else None
    express = topo.express(dev)
    klass = dev.class_code
    vendor_name, device_name, class_name = _names(dev.vendor_id, dev.device_id, klass)
    return {
        "host": host, "source": source, "slot": slot,
        "vendor_id": dev.vendor_id, "device_id": dev.device_id,
        "subsystem_vendor_id": sub[0] if sub else None, "subsystem_id": sub[1] if sub else None,
        "revision": dev.revision, "class_code": klass,
        "vendor_name": vendor_name, "device_name": device_name, "class_name": class_name,
        "driver": dev.kernel.driver if dev.kernel else None,
        **(_NO_EXPRESS if express is None else {key: express[key] for key in _NO_EXPRESS}),
        "interrupt_mode": interrupt_summary(dev).mode if dev.has_config else None,
        "config_size": dev.config.size,
        "problems": dev.problems,
    }


def _capability_rows(host: str, slot: str, dev: Device) -> list[dict[str, Any]]:
    return [{"host": host, "slot": slot, "offset": cap.offset, "cap_id": cap.cap_id,
             "extended": cap.extended, "version": cap.version, "name": cap.name}
            for cap in dev.capabilities + dev.extended_capabilities]


def _link_rows(host: str, topo: Topology) -> list[dict[str, Any]]:
    rows = []
    for link in topo.links():
        dev_fields = topo.express(link.device)
        port_fields = None if link.port is None else topo.express(link.port)
        status, cap = dev_fields["link_status"], dev_fields["link_capabilities"]
        port_cap = None if port_fields is None else port_fields["link_capabilities"]
        width = cap["maximum_link_width"]
        rows.append({
            "host": host, "slot": str(link.device.address),
            "upstream": None if link.port is None else str(link.port.address),
            "speed_gts": _gts(status["current_link_speed"]), "width": status["negotiated_link_width"],
            "device_max_speed_gts": dev_fields["max_link_speed_gts"], "device_max_width": width,
            "upstream_max_speed_gts": None if port_fields is None else port_fields["max_link_speed_gts"],
            "upstream_max_width": None if port_cap is None else port_cap["maximum_link_width"],
            "capable_speed_gts": _gts(common_speed(dev_fields, port_fields)),
            "capable_width": width if port_cap is None else min(width, port_cap["maximum_link_width"]),
        })
    return rows


def _error(host: str, source: Optional[str], slot: Optional[str], message: str) -> dict[str, Any]:
    return {"host": host, "source": source, "slot": slot, "error": message}


def host_rows(item: HostInput) -> Rows:
    """Every table's rows for one host; bad files and devices become ``errors`` rows."""
    rows = empty_rows()
    devices: list[Device] = []
    sources: dict[int, str] = {}
    budget = MAX_HOST_BYTES
    for path in item.files:
        notes: list[str] = []
        try:
            found, size = file_devices(path, notes, min(MAX_FILE_BYTES, budget))
            budget -= size
        except PcikitError as exc:
            rows["errors"].append(_error(item.host, path, None, str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - one bad file never aborts a fleet run
            rows["errors"].append(_error(item.host, path, None, f"{path}: {type(exc).__name__}: {exc}"))
            continue
        rows["errors"].extend(_error(item.host, path, None, note) for note in notes)
        if not found:
            rows["errors"].append(_error(item.host, path, None, f"{path}: no device found"))
        for dev in found:
            sources[id(dev)] = path
        devices.extend(found)
    topo = Topology(devices)
    for dev in devices:
        slot = str(dev.address)
        try:
            rows["devices"].append(_device_row(item.host, sources[id(dev)], slot, dev, topo))
            rows["capabilities"].extend(_capability_rows(item.host, slot, dev))
        except Exception as exc:  # noqa: BLE001 - one bad device never hides the others
            rows["errors"].append(_error(item.host, sources[id(dev)], slot,
                                         f"cannot decode: {type(exc).__name__}: {exc}"))
    for table, build in (("links", lambda: _link_rows(item.host, topo)), ("findings", lambda: _finding_rows(item.host, topo))):
        try:
            rows[table].extend(build())
        except Exception as exc:  # noqa: BLE001
            rows["errors"].append(_error(item.host, None, None, f"{table}: {type(exc).__name__}: {exc}"))
    return rows


def _finding_rows(host: str, topo: Topology) -> list[dict[str, Any]]:
    rows = []
    for finding in check_topology(topo):
        row = {"host": host, **finding.to_json()}
        row["check_name"] = row.pop("check")  # CHECK is an SQL keyword
        rows.append(row)
    return rows
