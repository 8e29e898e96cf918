"""The hwdb.bin reader against ``systemd-hwdb query``, on damaged files, and lspci's name order.

Oracles: ``systemd-hwdb`` (the reader answers what it answers, for a database it builds here
from a ``.hwdb`` source and for the system's), the real lspci 3.9 and 3.14 (which name each
device gets, from pci.ids or the hwdb, with the system's hwdb), and bytes built here (the
damaged files). Each part skips visibly when its oracle is missing.
"""
from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pcikit.globmatch import fnmatch
from pcikit.hwdb import Hwdb, find_hwdb_file
from pcikit.ids import IdDatabase
from pcikit.names import HwdbChoice, NameLookup, atoi, choose_hwdb, parse_params

from .conftest import ROOT, dump_text, hwdb_trie, need_oracle, put, run_cli

SYSTEMD_HWDB = shutil.which("systemd-hwdb")
SYSTEM_HWDB = find_hwdb_file()

# Patterns exercising udev's globbing: literals, '*', '?', brackets (ranges, negation, classes,
# a literal ']'), backslash quoting, a pattern with a glob inside a shared prefix, several match
# lines for one record, keys without the leading space (ignored), and duplicates that file
# priority and line order decide.
SOURCE_LOW = """\
# lower priority file
pci:v00001234*
 ID_VENDOR_FROM_DATABASE=Acme Low
 ID_ONLY_LOW=low

pci:v00001234d00000001*
 ID_MODEL_FROM_DATABASE=Widget Low
"""
SOURCE = """\
pci:v00001234*
 ID_VENDOR_FROM_DATABASE=Acme Corp

pci:v00001234d00000001*
 ID_MODEL_FROM_DATABASE=Widget

pci:v00001234d00000001sv00001234sd00000042*
 ID_MODEL_FROM_DATABASE=Widget Pro

pci:v00001234d000000?2*
 ID_MODEL_FROM_DATABASE=Any Two

pci:v00001234d0000001[0-3]*
 ID_MODEL_FROM_DATABASE=Range

pci:v00001234d0000002[!0-3]*
 ID_MODEL_FROM_DATABASE=Negated

pci:v00001234d0000003[[:digit:]]*
pci:v00001234d0000004[]x]*
 ID_MODEL_FROM_DATABASE=Class Or Bracket

pci:v00001234d0000005\\*
 ID_MODEL_FROM_DATABASE=Quoted Star

pci:v0000ABCD*
pci:v0000ABCE*
 ID_VENDOR_FROM_DATABASE=Two Patterns
 ID_MODEL_FROM_DATABASE=Shared

pci:v*d*sv*sd*bc02*
 ID_PCI_CLASS_FROM_DATABASE=Network controller

pci:v*d*sv*sd*bc02sc00*
 ID_PCI_SUBCLASS_FROM_DATABASE=Ethernet controller

pci:v*d*sv*sd*bc0Csc03i30*
 ID_PCI_INTERFACE_FROM_DATABASE=XHCI

usb:v1D6Bp0002*
 ID_MODEL_FROM_DATABASE=2.0 root hub
"""
QUERIES = [
    "pci:v00001234*",
    "pci:v00001234d00000001*",
    "pci:v00001234d00000001sv00001234sd00000042*",
    "pci:v00001234d00000001sv00001234sd00000043*",
    "pci:v00001234d00000002*",
    "pci:v00001234d00000012*",
    "pci:v00001234d00000014*",
    "pci:v00001234d00000022*",
    "pci:v00001234d00000025*",
    "pci:v00001234d00000037*",
    "pci:v00001234d0000004]*",
    "pci:v00001234d0000004x*",
    "pci:v00001234d0000005*",
    "pci:v00001234d00000051*",
    "pci:v0000ABCD*",
    "pci:v0000ABCEd00000001*",
    "pci:v00009999*",
    "pci:v*d*sv*sd*bc02*",
    "pci:v*d*sv*sd*bc02sc00*",
    "pci:v*d*sv*sd*bc0Csc03i30*",
    "pci:v*d*sv00001234sd00000042*",
    "usb:v1D6Bp0002d0606*",
    "",
    "p",
]


def _query(modalias: str, root: str | None = None) -> dict[str, str]:
    """``systemd-hwdb query``'s answer as a dict."""
    argv = [SYSTEMD_HWDB, *(["--root", root] if root else []), "query", modalias]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=60).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


@pytest.fixture(scope="module")
def built_hwdb(tmp_path_factory) -> Path:
    """A hwdb.bin that systemd-hwdb builds from the sources above."""
    if SYSTEMD_HWDB is None:
        pytest.skip("systemd-hwdb is not installed (Debian: systemd)")
    root = tmp_path_factory.mktemp("hwdb-root")
    source_dir = root / "etc" / "udev" / "hwdb.d"
    source_dir.mkdir(parents=True)
    (source_dir / "10-low.hwdb").write_text(SOURCE_LOW)
    (source_dir / "60-test.hwdb").write_text(SOURCE)
    subprocess.run([SYSTEMD_HWDB, "update", "--root", str(root)], check=True, capture_output=True, timeout=120)
    return root


def test_reader_answers_what_systemd_hwdb_answers(built_hwdb):
    db = Hwdb(str(built_hwdb / "etc" / "udev" / "hwdb.bin"))
    assert db.problem is None
    compared = 0
    for modalias in QUERIES:
        expected = _query(modalias, str(built_hwdb))
        assert db.properties(modalias) == expected, modalias
        compared += bool(expected)
    assert compared >= 15  # most queries have an answer: the comparison is not vacuous


def test_reader_on_the_system_hwdb_with_lspci_queries():
    if SYSTEMD_HWDB is None or SYSTEM_HWDB is None:
        pytest.skip("no system hwdb.bin (Debian: udev) or no systemd-hwdb (Debian: systemd)")
    db = Hwdb(SYSTEM_HWDB)
    assert db.problem is None
    queries = [
        "pci:v00008086*", "pci:v00008086d00002FE0*", "pci:v00008086d00002FFCsv00008086sd00002FE0*",
        "pci:v*d*sv00008086sd00002FE0*", "pci:v00001AF4d00001041*", "pci:v000010DEd00001C82sv00001043sd00008613*",
        "pci:v*d*sv*sd*bc06*", "pci:v*d*sv*sd*bc06sc04*", "pci:v*d*sv*sd*bc0Csc03i30*", "pci:v*d*sv*sd*bcFFscFF*",
        "pci:v0000FFFFd0000FFFF*", "usb:v046Dp0A8F*",
    ]
    answered = 0
    for modalias in queries:
        expected = _query(modalias)
        assert db.properties(modalias) == expected, modalias
        answered += bool(expected)
    assert answered >= 8


@pytest.mark.parametrize(
    "pattern, text, expected",
    [
        (b"a*b", b"axxb", True), (b"a*b", b"axxc", False), (b"a?c", b"abc", True), (b"a?c", b"ac", False),
        (b"[a-c]x", b"bx", True), (b"[!a-c]x", b"bx", False), (b"[^a-c]x", b"dx", True), (b"[]]", b"]", True),
        (b"[[:upper:]]", b"Q", True), (b"[[:upper:]]", b"q", False), (b"[[:bogus:]]", b"q", False),
        (b"\\*", b"*", True), (b"\\*", b"x", False), (b"x\\", b"x\\", False), (b"[ab", b"[ab", True),
        (b"*", b"", True), (b"**a", b"a", True), (b"*d*sv*", b"*d*sv0000*", True), (b"a/b*", b"a/bc/d", True),
    ],
)
def test_fnmatch_as_glibc_with_flags_0(pattern, text, expected):
    assert fnmatch(pattern, text) is expected


def test_fnmatch_agrees_with_glibc_on_random_patterns():
    import ctypes
    import ctypes.util
    import random

    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        libc.gnu_get_libc_version  # only glibc has it; glibc is what udev uses
    except (OSError, AttributeError, TypeError):
        pytest.skip("no glibc to compare fnmatch with")
    libc.fnmatch.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
    rng = random.Random(20261203)
    compared = matched = 0
    for _ in range(20000):
        pattern = bytes(rng.choice(b"ab*?[]!^-\\:") for _ in range(rng.randint(0, 8)))
        if rng.random() < 0.1:
            pattern = pattern.replace(b":", rng.choice([b"[:alpha:]", b"[:bogus:]", b"[:digit:]"]), 1)
        text = bytes(rng.choice(b"ab*?[]-\\:!^1") for _ in range(rng.randint(0, 6)))
        expected = libc.fnmatch(pattern, text, 0) == 0
        assert fnmatch(pattern, text) is expected, (pattern, text)
        compared += 1
        matched += expected
    assert compared == 20000 and matched > 500


# --- damaged and hostile files -------------------------------------------------------------------

GOOD = [
    ("pci:v", [("*", 1), ("0", 2)], []),
    ("d*", [], [("ID_MODEL_FROM_DATABASE", "Star Model")]),
    ("000ABCD*", [], [("ID_VENDOR_FROM_DATABASE", "Built Vendor")]),
]


def _written(tmp_path: Path, data: bytes, name: str = "hwdb.bin") -> str:
    path = tmp_path / name
    path.write_bytes(bytes(data))
    return str(path)


def test_the_built_trie_is_read(tmp_path):
    db = Hwdb(_written(tmp_path, hwdb_trie(GOOD)))
    assert db.problem is None
    assert db.properties("pci:v0000ABCD*") == {"ID_VENDOR_FROM_DATABASE": "Built Vendor"}
    assert db.properties("pci:v00001111d00002222*") == {"ID_MODEL_FROM_DATABASE": "Star Model"}
    if SYSTEMD_HWDB:  # the oracle agrees that the test's writer makes a valid database
        root = tmp_path / "root"
        (root / "etc" / "udev").mkdir(parents=True)
        shutil.copy(tmp_path / "hwdb.bin", root / "etc" / "udev" / "hwdb.bin")
        assert _query("pci:v0000ABCD*", str(root)) == {"ID_VENDOR_FROM_DATABASE": "Built Vendor"}


def _damaged() -> dict[str, bytes]:
    good = hwdb_trie(GOOD)
    cases = {
        "empty": b"",
        "header only": bytes(good[:40]),
        "bad signature": b"XXXXXXXX" + bytes(good[8:]),
        "truncated": bytes(good[:-5]),
        "grown": bytes(good) + b"\0" * 16,
    }
    root_out = bytearray(good)
    struct.pack_into("<Q", root_out, 56, len(good) + 4096)
    cases["root outside the file"] = bytes(root_out)
    sections = bytearray(good)
    struct.pack_into("<Q", sections, 64, 1 << 40)
    cases["node section past the end"] = bytes(sections)
    small = bytearray(good)
    struct.pack_into("<Q", small, 32, 8)
    cases["node records too small"] = bytes(small)
    child_out = bytearray(good)
    struct.pack_into("<Q", child_out, 80 + 24 + 8, 1 << 50)  # root's first child offset
    cases["child offset out of range"] = bytes(child_out)
    prefix_out = bytearray(good)
    struct.pack_into("<Q", prefix_out, 80, 3)  # root's prefix inside the header
    cases["prefix offset outside the strings"] = bytes(prefix_out)
    values_out = bytearray(good)
    struct.pack_into("<Q", values_out, 80 + 24 + 32 + 16, 1 << 60)  # node 1's values count
    cases["values count past the section"] = bytes(values_out)
    unterminated = bytearray(good)
    unterminated[-1:] = b"x"
    cases["unterminated string"] = bytes(unterminated)
    # node 1 ('*' child) lists itself as a child: udev would recurse forever
    cases["loop"] = bytes(hwdb_trie([("pci:v", [("*", 1)], []), ("d", [("x", 1)], [("ID_MODEL_FROM_DATABASE", "L")])]))
    cases["shared subtree"] = bytes(hwdb_trie([("pci:v", [("*", 1)], []), ("", [("a", 2), ("b", 2)], []),
                                           ("", [], [("ID_MODEL_FROM_DATABASE", "S")])]))
    long_prefix = "x" * 3000
    cases["pattern past LINE_MAX"] = bytes(hwdb_trie([("pci:v", [("*", 1)], []), (long_prefix, [], [("ID_MODEL_FROM_DATABASE", "Y")])]))
    return cases


@pytest.mark.parametrize("case", sorted(_damaged()))
def test_a_damaged_file_is_no_hwdb(tmp_path, case):
    path = _written(tmp_path, _damaged()[case])
    start = time.monotonic()
    db = Hwdb(path)
    answers = [db.properties(m) for m in ("pci:v0000ABCD*", "pci:v00001111d00002222*", "pci:v*d*sv*sd*bc02*")]
    assert time.monotonic() - start < 2.0
    assert db.problem, f"{case}: the damage went unnoticed"
    assert answers[-1] == {} and db.properties("pci:v0000ABCD*") == {}  # after the damage: no hwdb
    names = NameLookup(IdDatabase(b""), HwdbChoice(True, path))
    assert names.vendor(0xABCD) is None and names.device(0x1111, 0x2222) is None and names.hwdb_problem


def test_a_fifo_or_a_folder_is_no_hwdb(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path in (fifo, tmp_path):
        start = time.monotonic()
        db = Hwdb(str(path))
        assert db.problem and db.properties("pci:v00001234*") == {}
        assert time.monotonic() - start < 2.0


def _list_with_hwdb(dump: Path, hwdb: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PCIKIT_HWDB=hwdb)
    return subprocess.run([sys.executable, "-m", "pcikit", "list", "-F", str(dump), "-i", "/nonexistent"],
                          capture_output=True, text=True, env=env, timeout=30)


def test_damaged_hwdb_through_the_cli(tmp_path):
    dump = tmp_path / "dump.txt"
    cfg = bytearray(64)
    put(cfg, 0, 2, 0xABCD)
    put(cfg, 2, 2, 0x2222)
    put(cfg, 0x0A, 2, 0x0200)
    dump.write_text(dump_text([("00:01.0", bytes(cfg))]))
    for case, data in _damaged().items():
        result = _list_with_hwdb(dump, _written(tmp_path, data, "bad.bin"))
        assert (result.returncode, result.stderr) == (0, ""), case
        assert result.stdout == "00:01.0 Class 0200: Device abcd:2222\n", case
    result = _list_with_hwdb(dump, _written(tmp_path, hwdb_trie(GOOD), "good.bin"))
    assert result.stdout == "00:01.0 Class 0200: Built Vendor Star Model\n"


@pytest.mark.parametrize("command", [["list"], ["list", "-v"], ["show", "--format", "lspci"], ["show", "--json"],
                                     ["tree", "-v"], ["dump"]], ids=" ".join)
def test_every_naming_command_honours_the_switches(tmp_path, command):
    dump = tmp_path / "dump.txt"
    cfg = bytearray(64)
    put(cfg, 0, 2, 0xABCD)
    put(cfg, 2, 2, 0x2222)
    dump.write_text(dump_text([("00:01.0", bytes(cfg))]))
    good = _written(tmp_path, hwdb_trie(GOOD), "good.bin")

    def run(hwdb: str, *extra: str) -> str:
        env = dict(os.environ, PYTHONPATH=str(ROOT), PCIKIT_HWDB=hwdb)
        argv = [sys.executable, "-m", "pcikit", *command, "-F", str(dump), "-i", "/nonexistent", *extra]
        result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=30)
        assert result.returncode == 0, result.stderr
        return result.stdout

    named, off = run(good), run("0")
    assert "Built Vendor" in named and "Built Vendor" not in off
    assert run(good, "-O", "hwdb.disable=1") == off
    assert run(good, "-O", "hwdb.disable=0") == named


# --- switches ---------------------------------------------------------------------------------

def test_switches():
    assert atoi("1") == 1 and atoi(" 2x") == 2 and atoi("abc") == 0 and atoi("-1") == -1 and atoi("") == 0
    assert parse_params(["hwdb.disable=1"]) == {"hwdb.disable": "1"}
    with pytest.raises(ValueError):
        parse_params(["hwdb.disable"])
    with pytest.raises(ValueError):
        parse_params(["foo=1"])
    assert not choose_hwdb({"hwdb.disable": "1"}, {}).enabled
    assert choose_hwdb({"hwdb.disable": "0"}, {}) == HwdbChoice(True, None)
    assert not choose_hwdb({}, {"PCIKIT_HWDB": "0"}).enabled
    assert choose_hwdb({}, {"PCIKIT_HWDB": "/x/hwdb.bin"}) == HwdbChoice(True, "/x/hwdb.bin")
    assert choose_hwdb({}, {"PCIKIT_HWDB": "1"}) == HwdbChoice(True, None)
    assert choose_hwdb({"hwdb.disable": "0"}, {"PCIKIT_HWDB": "0"}) == HwdbChoice(True, None)  # the option wins
    assert not choose_hwdb({"hwdb.disable": "1"}, {"PCIKIT_HWDB": "/x/hwdb.bin"}).enabled


def test_bad_parameter_is_one_line():
    result = run_cli("list", "-F", "/nonexistent", "-O", "nosuch=1")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "nosuch" in result.stderr


def test_no_hwdb_work_when_pci_ids_has_the_name(tmp_path, monkeypatch):
    import pcikit.hwdb as hwdb_module

    opened = []
    monkeypatch.setattr(hwdb_module, "open_hwdb", lambda path=None: opened.append(path))
    ids = IdDatabase(b"1234  Acme\n\t0001  Widget\nC 02  Network controller\n\t00  Ethernet controller\n")
    names = NameLookup(ids, HwdbChoice(True, None))
    assert names.vendor(0x1234) == "Acme" and names.device(0x1234, 1) == "Widget"
    assert names.subclass_name(2, 0) == "Ethernet controller"
    assert opened == []
    assert names.device(0x1234, 2) is None
    assert opened == [None]


# --- lspci's lookup order, against the real lspci with the system hwdb -------------------------

# Devices whose names pci.ids (the small one written here) mostly lacks, so lspci takes them
# from the hwdb: a device with an hwdb entry and a subsystem neither lists (3.9 names the
# subsystem after the device, 3.14 does not), a subsystem the hwdb lists, a vendor only the hwdb
# knows, subsystem == device, and class/subclass/prog-if names only the hwdb has.
DEVICES = [  # vendor, device, sub vendor, sub device, class, prog-if
    (0x8086, 0x2FFC, 0x8086, 0x2FE0, 0x0880, 0x00),
    (0x8086, 0x100E, 0x8086, 0x001E, 0x0200, 0x00),
    (0x1AF4, 0x1041, 0x1AF4, 0x1100, 0x0200, 0x00),
    (0x10DE, 0x1C82, 0x1043, 0x8613, 0x0300, 0x00),
    (0x1AF4, 0x1042, 0x1AF4, 0x1042, 0x0100, 0x00),
    (0x8086, 0xA36D, 0x1028, 0x0869, 0x0C03, 0x30),
    (0x1234, 0x1111, 0x0000, 0x0000, 0x0106, 0x01),
    (0xFFFE, 0x0001, 0xFFFE, 0x0002, 0xFF00, 0x00),
]
SMALL_IDS = "8086  Intel Corporation\n\t100e  82540EM Gigabit Ethernet Controller\nC 02  Network controller\n"


def _dump(tmp_path: Path, chosen: list[tuple[int, ...]] = DEVICES) -> Path:
    devices = []
    for slot, (vendor, device, sv, sd, klass, prog_if) in enumerate(chosen):
        cfg = bytearray(64)
        put(cfg, 0x00, 2, vendor)
        put(cfg, 0x02, 2, device)
        put(cfg, 0x09, 1, prog_if)
        put(cfg, 0x0A, 2, klass)
        put(cfg, 0x2C, 2, sv)
        put(cfg, 0x2E, 2, sd)
        devices.append((f"00:{slot + 1:02x}.0", bytes(cfg)))
    path = tmp_path / "names.txt"
    path.write_text(dump_text(devices))
    return path


def _name_lines(text: str) -> list[str]:
    """The lines names appear on: the title of each device and its Subsystem line."""
    return [line for line in text.splitlines() if line and (not line.startswith("\t") or line.startswith("\tSubsystem:"))]


@pytest.mark.parametrize("version", ["3.9", "3.14"])
@pytest.mark.parametrize("ids_choice", ["small", "none", "system"])
@pytest.mark.parametrize("flags", [("-v",), ("-nn", "-v")])
def test_lookup_order_matches_lspci(tmp_path, version, ids_choice, flags):
    lspci = need_oracle(version)
    if SYSTEM_HWDB is None:
        pytest.skip("no system hwdb.bin (Debian: udev)")
    dump = _dump(tmp_path)
    ids = {"small": ["-i", str(tmp_path / "small.ids")], "none": ["-i", "/nonexistent"], "system": []}[ids_choice]
    (tmp_path / "small.ids").write_text(SMALL_IDS)
    env = dict(os.environ, LC_ALL="C")
    with_hwdb = subprocess.run([lspci, "-F", str(dump), *ids, *flags], capture_output=True, text=True, env=env).stdout
    without = subprocess.run([lspci, "-O", "hwdb.disable=1", "-F", str(dump), *ids, *flags],
                             capture_output=True, text=True, env=env).stdout
    ours = run_cli("show", "--format", "lspci", "--lspci-version", version, "-F", str(dump), *ids, *flags)
    ours_off = run_cli("show", "--format", "lspci", "--lspci-version", version, "-O", "hwdb.disable=1",
                       "-F", str(dump), *ids, *flags)
    assert _name_lines(ours.stdout) == _name_lines(with_hwdb)
    assert _name_lines(ours_off.stdout) == _name_lines(without)
    if ids_choice != "system":  # the hwdb named something: this compared the hwdb path
        assert _name_lines(with_hwdb) != _name_lines(without)


def test_subsystem_quirk_is_3_9s(tmp_path):
    """3.9 names an unlisted subsystem after its device's hwdb entry; 3.14 does not."""
    if SYSTEM_HWDB is None:
        pytest.skip("no system hwdb.bin (Debian: udev)")
    dump = _dump(tmp_path)
    (tmp_path / "small.ids").write_text(SMALL_IDS)
    lines = {}
    for version in ("3.9", "3.14"):
        out = run_cli("show", "--format", "lspci", "--lspci-version", version, "-F", str(dump), "-s", "00:01.0",
                      "-i", str(tmp_path / "small.ids"), "-v").stdout
        lines[version] = next(line for line in out.splitlines() if line.startswith("\tSubsystem:"))
    if "Device 2fe0" in lines["3.9"]:
        pytest.skip("the system hwdb has no entry for 8086:2ffc")
    assert lines["3.14"] == "\tSubsystem: Intel Corporation Device 2fe0"
    assert lines["3.9"] != lines["3.14"]


# --- lspci's lookup order against the real lspci with a hwdb built here -----------------------

BUILT_SOURCE_LOW = """\
pci:v0000FFF0d00000003*
 ID_MODEL_FROM_DATABASE=Overridden Model
"""
BUILT_SOURCE = """\
pci:v0000FFF0*
 ID_VENDOR_FROM_DATABASE=Hwdb Vendor

pci:v0000FFF0d00000001*
 ID_MODEL_FROM_DATABASE=Hwdb Model One

pci:v0000FFF0d00000002*
 ID_MODEL_FROM_DATABASE=Hwdb Model Two

pci:v0000FFF0d00000002sv0000FFF0sd00000042*
 ID_MODEL_FROM_DATABASE=Hwdb Model Two Subsystem

pci:v0000FFF0d00000003*
 ID_MODEL_FROM_DATABASE=Winning Model

pci:v0000FFF0d0000001[0-7]*
 ID_MODEL_FROM_DATABASE=Ranged Model

pci:v0000FFF2*
 ID_VENDOR_FROM_DATABASE=Other Vendor

pci:v*d*sv0000FFF2sd00000077*
 ID_MODEL_FROM_DATABASE=Generic Subsystem

pci:v*d*sv*sd*bcFF*
 ID_PCI_CLASS_FROM_DATABASE=Hwdb Class

pci:v*d*sv*sd*bcFFsc01*
 ID_PCI_SUBCLASS_FROM_DATABASE=Hwdb Subclass

pci:v*d*sv*sd*bcFFsc01i05*
 ID_PCI_INTERFACE_FROM_DATABASE=Hwdb Interface

pci:v*d*sv*sd*bc0Csc03i30*
 ID_PCI_INTERFACE_FROM_DATABASE=
"""
BUILT_DEVICES = [  # vendor, device, sub vendor, sub device, class, prog-if
    (0xFFF0, 0x0001, 0xFFF0, 0x0099, 0x0880, 0x00),  # model only: 3.9 names the subsystem after it
    (0xFFF0, 0x0002, 0xFFF0, 0x0042, 0x0200, 0x00),  # a subsystem the hwdb lists
    (0xFFF0, 0x0003, 0xFFF0, 0x0003, 0xFF01, 0x05),  # duplicate key: the later file wins; sub == device
    (0xFFF0, 0x0015, 0x8086, 0x0001, 0xFF02, 0x00),  # a bracket range; a class without subclass
    (0xFFF0, 0x0018, 0xFFF2, 0x0077, 0x0C03, 0x30),  # outside the range; generic subsystem; empty value
    (0xFFF1, 0x1234, 0xFFF1, 0x1234, 0xFF01, 0x07),  # nothing about the vendor
    (0x8086, 0x100E, 0x8086, 0x001E, 0x0200, 0x00),  # pci.ids names (system run) win over the hwdb
]


@pytest.fixture(scope="module")
def lspci_hwdb_root(tmp_path_factory) -> Path:
    """A hwdb.bin built from the sources above (root/etc/udev/hwdb.bin)."""
    if SYSTEMD_HWDB is None:
        pytest.skip("systemd-hwdb is not installed (Debian: udev)")
    root = tmp_path_factory.mktemp("lspci-hwdb")
    source_dir = root / "etc" / "udev" / "hwdb.d"
    source_dir.mkdir(parents=True)
    (source_dir / "10-low.hwdb").write_text(BUILT_SOURCE_LOW)
    (source_dir / "60-names.hwdb").write_text(BUILT_SOURCE)
    subprocess.run([SYSTEMD_HWDB, "update", "--root", str(root)], check=True, capture_output=True, timeout=120)
    return root


def _lspci_seeing(hwdb: Path, lspci: str, *argv: str) -> str:
    """lspci's stdout when libudev finds ``hwdb`` first: /etc/udev is a private tmpfs holding it,
    in a mount namespace of this one command (root only; nothing outside it changes)."""
    script = 'mount -t tmpfs pcikit-test /etc/udev && cp "$1" /etc/udev/hwdb.bin && shift && exec "$@"'
    result = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
                             str(hwdb), lspci, *argv], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, LC_ALL="C"))
    assert result.returncode == 0, result.stderr
    return result.stdout


def _need_namespace() -> None:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("lspci reads only libudev's fixed hwdb paths: showing it another needs root and unshare")
    if os.path.exists("/etc/systemd/hwdb/hwdb.bin"):
        pytest.skip("/etc/systemd/hwdb/hwdb.bin would be found before the test's /etc/udev/hwdb.bin")


@pytest.mark.parametrize("version", ["3.9", "3.14"])
@pytest.mark.parametrize("ids_choice", ["none", "small", "system"])
@pytest.mark.parametrize("flags", [("-v",), ("-nn", "-v"), ("-vvv",)], ids=" ".join)
def test_lookup_order_with_a_built_hwdb_matches_lspci(tmp_path, lspci_hwdb_root, version, ids_choice, flags):
    lspci = need_oracle(version)
    _need_namespace()
    hwdb = lspci_hwdb_root / "etc" / "udev" / "hwdb.bin"
    dump = _dump(tmp_path, BUILT_DEVICES)
    (tmp_path / "small.ids").write_text(SMALL_IDS)
    ids = {"small": ["-i", str(tmp_path / "small.ids")], "none": ["-i", "/nonexistent"], "system": []}[ids_choice]
    theirs = _lspci_seeing(hwdb, lspci, "-F", str(dump), *ids, *flags)
    env = dict(os.environ, PYTHONPATH=str(ROOT), PATH="/nonexistent", PCIKIT_HWDB=str(hwdb))
    ours = subprocess.run([sys.executable, "-m", "pcikit", "show", "--format", "lspci", "--lspci-version", version,
                           "-F", str(dump), *ids, *flags], capture_output=True, text=True, env=env, timeout=60)
    assert ours.returncode == 0, ours.stderr
    assert _name_lines(ours.stdout) == _name_lines(theirs)
    assert "Hwdb Model One" in theirs  # lspci did read the test's hwdb: the comparison is not vacuous
