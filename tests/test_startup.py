"""Start-up stays light: ``pcikit list`` imports only the modules a listing needs.

``python -X importtime`` names every module a run imports; the interpreter's own start-up
(``python -c pass``) is subtracted, and whatever is left must be in the allowed sets below. A
heavy import creeping back (typing, argparse, dataclasses, pathlib, construct, the renderers of
``-v``) fails here with its name, long before a benchmark would notice.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, hwdb_trie, image, put

# The standard library a listing may use: _collections (the namedtuple field accessor), mmap
# (pci.ids, udev's hwdb.bin). Not re: names and addresses are found without it; not collections
# or functools (pcikit.tuples and the model's cached properties); not struct (hwdb.bin is read
# with int.from_bytes: loading the struct extension cost more than the lookups it served); not
# errno (only failures look at error numbers).
STDLIB = {
    "__future__", "_collections", "mmap",
    "gc",  # built in: pcikit.cli.run freezes the interpreter's start-up objects
    "zlib",  # where the system's pci.ids is pci.ids.gz
}
REGEX = {"enum", "re", "_sre", "re._constants", "re._parser", "re._casefix", "re._compiler", "copyreg",
         # what re imports itself (enum: functools, hence collections and types)
         "functools", "_functools", "collections", "itertools", "keyword", "operator", "_operator", "reprlib", "types"}
PCIKIT = {
    "pcikit", "pcikit.errors", "pcikit.cli", "pcikit.quickargs", "pcikit.tuples", "pcikit.render",
    "pcikit.access", "pcikit.access.base", "pcikit.access.files", "pcikit.access.sysfs", "pcikit.address",
    "pcikit.model", "pcikit.ids", "pcikit.names", "pcikit.hwdb", "pcikit.sources",  # not the capability walks
    "pcikit.render.lspci", "pcikit.render.lspci.core", "pcikit.render.lspci.context",
    "pcikit.render.lspci.dialect", "pcikit.render.lspci.names",
    "pcikit.access.kmod",  # -k: the kernel modules that can drive a device
}
DUMP = {"pcikit.offline", "pcikit.access.dump", "pcikit.access.dumpblocks", "pcikit.access.memory", "binascii"}  # -F: the dump reader (pathlib for the path)
PATHLIB = {"pathlib", "fnmatch", "ntpath", "urllib", "urllib.parse", "ipaddress", "glob", "nt", "_winapi",
           "warnings", "contextlib", "errno"}  # pathlib and glob import the last three themselves

# The installed command itself (pip only rewrites its first line), not ``-m`` (runpy's own imports).
SCRIPT = ROOT / "scripts" / "pcikit"


def _imported(args: list[str], hwdb: str = "0") -> set[str]:
    """Modules a run imports beyond the bare interpreter's start-up (``hwdb``: $PCIKIT_HWDB).

    Both runs skip ``site`` (``-S``): a development interpreter's ``.pth`` files and
    sitecustomize can import ``re``, ``typing`` or pathlib before anything else, which would
    hide them from the difference; the baseline imports ``os``, which any ``site`` does.
    """
    env = dict(os.environ, PYTHONPATH=str(ROOT), PCIKIT_HWDB=hwdb)

    def names(command: list[str]) -> set[str]:
        result = subprocess.run([sys.executable, "-S", "-X", "importtime", *command], capture_output=True, text=True,
                                env=env, timeout=60)
        assert result.returncode == 0, result.stderr[-2000:]
        lines = [line for line in result.stderr.splitlines() if line.startswith("import time:")]
        assert lines, "no -X importtime output"
        return {line.rsplit("|", 1)[1].strip() for line in lines[1:]}  # the first line is the header

    return names([str(SCRIPT), *args]) - names(["-c", "import os"])


def _fake_sysfs(root: Path) -> Path:
    """One virtio network function (a name pci.ids knows) under ``root``/bus/pci/devices."""
    config = image(256)
    put(config, 0x00, 2, 0x1AF4)
    put(config, 0x02, 2, 0x1041)
    put(config, 0x08, 4, 0x02000001)
    folder = root / "bus" / "pci" / "devices" / "0000:00:03.0"
    folder.mkdir(parents=True)
    (folder / "config").write_bytes(bytes(config))
    return root


# -k matches the device's modalias against the kernel's module aliases (globs: fnmatch, which uses re)
# when this machine has them.
ALIASES = {"fnmatch", "posixpath", "errno"} | REGEX  # errno: why a missing modules.alias could not be read


@pytest.mark.parametrize("extra", [[], ["-nn"], ["-s", "00:03.0"], ["-D", "-d", "1af4:"], ["-k"]])
def test_list_imports_only_what_a_listing_needs(tmp_path, extra):
    imported = _imported(["list", "--sysfs-root", str(_fake_sysfs(tmp_path)), *extra])
    assert "pcikit.cli" in imported  # the measurement measured something
    allowed = STDLIB | PCIKIT | (ALIASES if "-k" in extra else set())
    assert imported - allowed - ({"pcikit.filters"} if {"-s", "-d"} & set(extra) else set()) == set()


def test_a_name_from_the_hwdb_imports_only_the_hwdb_reader_more(tmp_path):
    """A device pci.ids lacks is named from udev's hwdb.bin (a trie built here), read without struct."""
    ids = tmp_path / "pci.ids"
    ids.write_text("1af4  Red Hat, Inc.\n")  # the vendor, not its device 1041
    hwdb = tmp_path / "hwdb.bin"
    hwdb.write_bytes(hwdb_trie([("pci:v", [("*", 1)], []), ("d*", [], [("ID_MODEL_FROM_DATABASE", "Built Model")])]))
    imported = _imported(["list", "--sysfs-root", str(_fake_sysfs(tmp_path)), "-i", str(ids)], hwdb=str(hwdb))
    assert "pcikit.hwdb" in imported  # imported on the first name pci.ids lacks: the reader ran
    assert imported - STDLIB - PCIKIT == set()


def test_list_of_a_dump_imports_only_the_dump_reader_more(tmp_path):
    dump = tmp_path / "d.txt"
    dump.write_text("00:03.0 Ethernet controller\n00: f4 1a 41 10 00 00 00 00 01 00 00 02 00 00 00 00\n\n")
    imported = _imported(["list", "-F", str(dump)])
    assert "pcikit.access.dump" in imported
    assert imported - STDLIB - REGEX - PCIKIT - DUMP - PATHLIB == set()


def test_typing_and_argparse_stay_out_of_a_listing(tmp_path):
    imported = _imported(["list", "--sysfs-root", str(_fake_sysfs(tmp_path))])
    assert {"typing", "argparse", "dataclasses", "construct", "pathlib", "shutil", "re"} & imported == set()


def test_a_listing_reads_only_the_bytes_it_prints(tmp_path, monkeypatch, capsys):
    """Each config byte a live read asks for is a hardware access: a terse listing needs 12 per device
    (IDs, revision, class), -k (the subsystem line) the 64-byte header."""
    from pcikit import cli

    root = _fake_sysfs(tmp_path)
    asked, configs = [], set()
    real_open, real_pread = os.open, os.pread

    def open_(path, *args, **kwargs):
        fd = real_open(path, *args, **kwargs)
        (configs.add if os.fspath(path).endswith("/config") else configs.discard)(fd)
        return fd

    def pread(fd, length, offset):
        if fd in configs:
            asked.append((offset, length))
        return real_pread(fd, length, offset)

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "pread", pread)
    assert cli.main(["list", "--sysfs-root", str(root), "-n"]) == 0
    assert capsys.readouterr().out == "00:03.0 0200: 1af4:1041 (rev 01)\n"
    assert asked == [(0, 12)]
    asked.clear()
    assert cli.main(["list", "--sysfs-root", str(root), "-k"]) == 0
    assert asked == [(0, 12), (12, 52)]
