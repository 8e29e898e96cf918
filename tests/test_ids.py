"""pci.ids lookups and lspci's naming fallbacks, on a small database written here."""
from __future__ import annotations

import gzip

import pytest

from pcikit.ids import IdDatabase, find_ids_file
from pcikit.render.lspci.names import Namer

IDS = b"""# comment
1234  Acme Corp
\t0001  Widget
\t\t1234 0042  Widget Pro
\t0002  Gadget
# interleaved comment
abcd  Other Inc.
C 02  Network controller
\t00  Ethernet controller
\t80  Network controller
C 0c  Serial bus controller
\t03  USB controller
\t\t30  XHCI
C 11  Signal processing controller
"""


def test_lookups():
    db = IdDatabase(IDS)
    assert db.vendor(0x1234) == "Acme Corp"
    assert db.device(0x1234, 0x0002) == "Gadget"
    assert db.device(0xABCD, 0x0001) is None
    assert db.subsystem(0x1234, 0x0001, 0x1234, 0x0042) == "Widget Pro"
    assert db.subsystem(0x1234, 0x0002, 0x1234, 0x0042) is None
    assert db.subclass_name(0x0C, 0x03) == "USB controller"
    assert db.prog_if_name(0x0C, 0x03, 0x30) == "XHCI"
    assert db.class_name(0x11) == "Signal processing controller"
    assert db.vendor(0x9999) is None


def test_lspci_fallbacks():
    names = Namer(IdDatabase(IDS))
    assert names.vendor_device(0x1234, 0x0009) == "Acme Corp Device 0009"
    assert names.vendor_device(0x9999, 0x0009) == "Device 9999:0009"
    assert names.class_name(0x1100) == "Signal processing controller [1100]"
    assert names.class_name(0xFF00) == "Class ff00"
    assert names.subsystem(0x1234, 0x0002, 0x1234, 0x0002) == "Acme Corp Gadget"
    assert Namer(IdDatabase(IDS), numeric=1).vendor_device(0x1234, 0x0001) == "1234:0001"
    assert Namer(IdDatabase(IDS), numeric=2).vendor_device(0x1234, 0x0001) == "Acme Corp Widget [1234:0001]"
    assert names.prog_if(0x0101, 0x8A) == "Master SecP PriP"


def test_missing_file_gives_numbers(tmp_path, monkeypatch):
    monkeypatch.setenv("PCIKIT_IDS", str(tmp_path / "none"))
    db = IdDatabase.load(str(tmp_path / "absent.ids"))
    assert db.vendor(0x8086) is None


def test_gzip_and_env(tmp_path, monkeypatch):
    path = tmp_path / "pci.ids.gz"
    path.write_bytes(gzip.compress(IDS))
    monkeypatch.setenv("PCIKIT_IDS", str(path))
    assert find_ids_file() == str(path)
    assert IdDatabase.load().vendor(0xABCD) == "Other Inc."


def test_many_lookups_and_misses():
    db = IdDatabase(IDS)
    for vendor in range(0x1000, 0x1030):
        db.vendor(vendor)
    assert db.vendor(0x1234) == "Acme Corp" and db.device(0x1234, 0x0001) == "Widget"
    assert db.vendor(0xABCD) == "Other Inc." and db.device(0x1234, 0x0003) is None


def _parse(text: bytes) -> dict:
    """Every entry of a pci.ids by a plain line-by-line reading (first entry wins), keyed as looked up."""
    entries: dict = {}
    top = device = None
    for line in text.replace(b"\r\n", b"\n").split(b"\n"):
        if not line.strip(b" \t") or line.lstrip(b"\t").startswith(b"#"):
            continue
        name = line.split(b"  ", 1)[-1].strip().decode("utf-8", "replace")
        depth = len(line) - len(line.lstrip(b"\t"))
        fields = line.strip().split(b"  ", 1)[0].split()
        if depth == 0:
            top = ("c", int(fields[1], 16)) if fields[0] == b"C" else ("v", int(fields[0], 16))
            entries.setdefault(top, name)
        elif depth == 1 and top is not None:
            device = (top[0] + "d", top[1], int(fields[0], 16))
            entries.setdefault(device, name)
        elif depth == 2 and device is not None:
            ids = tuple(int(field, 16) for field in fields)
            entries.setdefault((device[0] + "s", *device[1:], *ids), name)
    return entries


def _check_all(db: IdDatabase, entries: dict) -> None:
    for key, name in entries.items():
        kind, *ids = key
        lookup = {"v": db.vendor, "vd": db.device, "vds": db.subsystem, "c": db.class_name,
                  "cd": db.subclass_name, "cds": db.prog_if_name}[kind]
        assert lookup(*ids) == name, key


def _shuffled(text: bytes) -> bytes:
    """The same entries with vendor blocks, and the devices inside each, in reverse order."""
    lines = text.split(b"\n")
    first_class = next((i for i, line in enumerate(lines) if line.startswith(b"C ")), len(lines))
    vendors, current = [], None
    for line in lines[:first_class]:
        if line[:1] not in (b"\t", b"#", b""):
            current = [line, []]
            vendors.append(current)
        elif current is not None and line.startswith(b"\t") and not line.startswith(b"\t\t"):
            current[1].append([line])
        elif current is not None and current[1] and line.startswith(b"\t\t"):
            current[1][-1].append(line)
    out = [b"# reversed"]
    for vendor, devices in reversed(vendors):
        out += [vendor] + [line for device in reversed(devices) for line in device]
    return b"\n".join(out + lines[first_class:])


def test_every_entry_of_a_small_file_in_any_order():
    entries = _parse(IDS)
    _check_all(IdDatabase(IDS), entries)
    _check_all(IdDatabase(_shuffled(IDS)), entries)
    _check_all(IdDatabase(IDS.replace(b"\n", b"\r\n")), entries)
    assert IdDatabase(b"1234  First line\n\t0001  Its device\n").device(0x1234, 1) == "Its device"


@pytest.mark.skipif(find_ids_file() is None, reason="no system pci.ids")
def test_every_entry_of_the_system_pci_ids_and_misses(tmp_path):
    """The binary search gives what reading every line gives, for the real file, mapped, and for
    the same file reordered (where the searches miss and the scans answer)."""
    db = IdDatabase.load()
    text = bytes(db._data) if db.path and not db.path.endswith(".gz") else None  # noqa: SLF001 - mapped
    if text is None:
        pytest.skip("the system pci.ids is compressed")
    entries = _parse(text)
    _check_all(db, entries)
    for vendor in (0x0000, 0x0001, 0x7FFF, 0xFFFE):
        assert db.vendor(vendor) == entries.get(("v", vendor))
    assert db.device(0x8086, 0xFFFE) == entries.get(("vd", 0x8086, 0xFFFE))
    sample = dict(list(entries.items())[::37])
    _check_all(IdDatabase(_shuffled(text)), sample)
