"""pci.ids lookups and lspci's naming fallbacks, on a small database written here."""
from __future__ import annotations

import gzip

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


def test_many_vendors_use_the_index():
    db = IdDatabase(IDS)
    for vendor in range(0x1000, 0x1030):
        db.vendor(vendor)
    assert db.vendor(0x1234) == "Acme Corp" and db.device(0x1234, 0x0001) == "Widget"
