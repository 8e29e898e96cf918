"""lspci's machine-readable formats (-m, -mm, -vmm, -vmmk, -nnmm), bridge paths (-P, -PP) and
bus-centric -b: pcikit against both real lspci releases, byte for byte.

Inputs: the corpus (``PCIKIT_CORPUS``) and ``fixtures/``, packed into a few combined dumps whose
device addresses never collide (both tools read the same file, so every dump costs one lspci run
per format); dumps built here for the placements where 3.9 and 3.14 differ; the live machine.
tests/oracle.py finds both lspci releases (a missing one skips visibly), runs them with the udev
hwdb off and caches their output; pcikit runs in-process through its CLI with ``PCIKIT_HWDB=0``.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
from pathlib import Path

import pytest

from . import oracle
from .conftest import ROOT, dump_text, need_corpus, put

VERSIONS = oracle.VERSIONS
COMPARED: dict[str, list[int]] = {}  # "VERSION FLAGS" -> [lspci lines compared, dumps]

# Every dump of the corpus and fixtures/: every name lookup and tag (-vmmk) and the topology (-PP);
CORE_FORMATS = [("-vmmk",), ("-PP",)]
# pciutils' own dumps and fixtures/ (bridges, domains, all header types) for the quoted line ...
LINE_FORMATS = [("-mm",), ("-nnmm",)]
# ... and for the variants, against the newest release only (they differ from 3.9 only in the
# name buffer, which test_quoting_and_long_names checks for both): a few seconds in all.
VARIANT_FORMATS = [("-m",), ("-vmm",), ("-vm",), ("-nmm",), ("-Dmm",), ("-mm", "-x"), ("-P",),
                   ("-vmm", "-PP"), ("-b",)]


def lspci_binary(version: str) -> str:
    """The lspci of this release (tests/oracle.py finds it), or skip saying where it was looked for."""
    target = oracle.oracle(version)
    if target.missing:
        pytest.skip(target.missing)
    return target.path


def run_pcikit(args: list[str]) -> tuple[int, str, str]:
    """pcikit's CLI entry point in this process: (status, stdout, stderr)."""
    from pcikit.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(args)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _no_hwdb(monkeypatch):
    monkeypatch.setenv("PCIKIT_HWDB", "0")


_SLOT = re.compile(r"^((?:[0-9a-fA-F]{4,8}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])\s", re.M)


def _addresses(text: str) -> set[str]:
    found = (m.group(1).lower() for m in _SLOT.finditer(text))
    return {a if a.count(":") == 2 else "0000:" + a for a in found}


def _fixtures() -> list[Path]:
    return sorted(p for p in (ROOT / "fixtures").rglob("*.txt") if p.is_file())


def pack(paths: list[Path], folder: Path) -> list[Path]:
    """Concatenate dumps into as few files as possible without two devices at one address."""
    groups: list[tuple[set[str], list[str], list[str]]] = []
    for path in paths:
        text = path.read_text(errors="replace")
        taken = _addresses(text)
        group = next((g for g in groups if not g[0] & taken), None)
        if group is None:
            group = (set(), [], [])
            groups.append(group)
        group[0].update(taken)
        group[1].append(text.rstrip("\n") + "\n\n")
        group[2].append(path.name)
    files = []
    for index, (_, texts, names) in enumerate(groups):
        target = folder / f"batch{index:02d}-{names[0]}.txt"
        target.write_text("".join(texts))
        files.append(target)
    return files


@pytest.fixture(scope="module")
def batches(tmp_path_factory) -> list[Path]:
    """The corpus and fixtures/ packed into dumps without colliding addresses."""
    return pack(oracle.corpus_files() + _fixtures(), tmp_path_factory.mktemp("batches"))


@pytest.fixture(scope="module")
def small_batches(tmp_path_factory) -> list[Path]:
    """pciutils' own test dumps (bridges, domains, every header type) and fixtures/, packed."""
    pciutils = [p for p in oracle.corpus_files() if "pciutils-tests" in p.parts]
    return pack(pciutils + _fixtures(), tmp_path_factory.mktemp("small"))


def _first_difference(name: str, want: str, got: str) -> str:
    exp, have = want.splitlines(), got.splitlines()
    i = next((i for i, (a, b) in enumerate(zip(exp, have)) if a != b), min(len(exp), len(have)))
    return (f"{name} line {i + 1}:\n  lspci:  {exp[i] if i < len(exp) else '<end>'!r}\n"
            f"  pcikit: {have[i] if i < len(have) else '<end>'!r}")


def _compare(version: str, flags: tuple[str, ...], files: list[Path], label: str = "",
             hwdb: bool = False) -> list[str]:
    """Mismatches over ``files``; counts the lines compared under "VERSION FLAGS" (or ``label``).

    ``hwdb``: both tools name devices from the system's udev hwdb too.
    """
    lspci_binary(version)
    problems = []
    totals = COMPARED.setdefault(f"{version} {label or ' '.join(flags)}", [0, 0])
    for path in files:
        want = oracle.run_lspci(path, *flags, version=version, hwdb=hwdb)
        got = oracle.run_pcikit(path, *flags, version=version, hwdb=hwdb)
        totals[0] += want.count("\n")
        totals[1] += 1
        if got != want:
            problems.append(_first_difference(path.name, want, got))
    return problems


def _check(version: str, flags: tuple[str, ...], files: list[Path], label: str = "", hwdb: bool = False) -> None:
    if not files:
        pytest.skip(f"no corpus at {oracle.CORPUS} and no fixtures/ dumps")
    problems = _compare(version, flags, files, label, hwdb)
    assert COMPARED[f"{version} {label or ' '.join(flags)}"][0] > 0, "lspci printed nothing: nothing was compared"
    assert not problems, "\n".join(problems[:10])


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("flags", CORE_FORMATS, ids=" ".join)
def test_formats_over_corpus_and_fixtures(batches, version, flags):
    _check(version, flags, batches)


@pytest.mark.parametrize("version", VERSIONS)
def test_names_from_the_system_hwdb(batches, version):
    """Vendor, device and subsystem names looked up one at a time, pci.ids then the udev hwdb."""
    if oracle.system_hwdb() is None:
        pytest.skip("no udev hwdb.bin on this machine (install udev / systemd-hwdb)")
    _check(version, ("-vmm",), batches, "-vmm with the system hwdb", hwdb=True)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("flags", LINE_FORMATS, ids=" ".join)
def test_machine_lines(small_batches, version, flags):
    _check(version, flags, small_batches)


@pytest.mark.parametrize("flags", VARIANT_FORMATS, ids=" ".join)
def test_format_variants(small_batches, flags):
    _check("3.14", flags, small_batches)


def test_list_takes_the_same_flags(batches):
    """``pcikit list -vmm`` is ``show --format lspci -vmm``."""
    lspci_binary("3.14")
    path = batches[0]
    want = oracle.run_lspci(path, "-vmm", version="3.14")
    status, got, _ = run_pcikit(["list", "-F", str(path), "-vmm"])
    assert status == 0 and want.count("\n") > 0 and got == want


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("flags", [("-b", "-vv"), ("-PP", "-v")], ids=" ".join)
def test_verbose_with_bus_centric_and_paths(small_batches, version, flags):
    """-b -vv reads BARs and IRQ from config space as a dump always does; -P names the slot in -v."""
    _check(version, flags, small_batches)


# -- placements where the releases differ, from bytes built here ------------------------------

def _bridge(primary: int, secondary: int, subordinate: int) -> bytes:
    data = bytearray(64)
    put(data, 0x00, 2, 0x8086)
    put(data, 0x02, 2, 0x1234)
    put(data, 0x0A, 2, 0x0604)  # PCI bridge
    data[0x0E] = 1  # type 1 header
    data[0x18], data[0x19], data[0x1A] = primary, secondary, subordinate
    return bytes(data)


def _endpoint() -> bytes:
    data = bytearray(64)
    put(data, 0x00, 2, 0x8086)
    put(data, 0x02, 2, 0x1235)
    put(data, 0x0A, 2, 0x0200)
    return bytes(data)


TOPOLOGIES = {
    # an unconfigured bridge (secondary 0) behind a root on bus 80: 3.10+ hangs bus 0 under it
    "bus0-behind-bridge": [("00:00.0", _endpoint()), ("80:01.0", _bridge(0x80, 0x81, 0x81)),
                           ("81:00.0", _bridge(0x81, 0, 0))],
    # two root ports claiming the same buses, one bridge behind both
    "overlapping-windows": [("00:01.0", _bridge(0, 1, 5)), ("00:02.0", _bridge(0, 1, 5)),
                            ("01:00.0", _bridge(1, 2, 2)), ("02:00.0", _endpoint())],
    # a wrong Primary Bus Number register (3.9 reads it, 3.10+ uses the bridge's own bus)
    "wrong-primary": [("00:01.0", _bridge(0, 1, 3)), ("01:00.0", _bridge(7, 2, 3)),
                      ("02:00.0", _bridge(2, 3, 3)), ("03:00.0", _endpoint())],
    # two domains, a bridge in each
    "domains": [("0000:00:01.0", _bridge(0, 1, 1)), ("0000:01:00.0", _endpoint()),
                ("0001:00:01.0", _bridge(0, 1, 2)), ("0001:02:00.0", _endpoint())],
}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", sorted(TOPOLOGIES))
@pytest.mark.parametrize("flags", [("-P", "-n"), ("-PP", "-nnmm"), ("-PP", "-vmm"), ("-PP", "-n", "-s", "00.0")],
                         ids=" ".join)
def test_paths_where_releases_differ(tmp_path, version, name, flags):
    """-s selects what is shown; the bridges above a selected device are found among all of them."""
    path = tmp_path / f"{name}.txt"
    path.write_text(dump_text(TOPOLOGIES[name]))
    problems = _compare(version, flags, [path])
    assert not problems, "\n".join(problems)


def test_the_releases_do_differ_on_bus0_behind_a_bridge(tmp_path):
    """The case above is a real difference between 3.9 and 3.14, so both renderings are tested."""
    path = tmp_path / "t.txt"
    path.write_text(dump_text(TOPOLOGIES["bus0-behind-bridge"]))
    outputs = {v: lspci_binary(v) and oracle.run_lspci(path, "-PP", "-n", version=v) for v in VERSIONS}
    assert outputs["3.9"].startswith("00:00.0 ") and outputs["3.14"].startswith("80:01.0/81:00.0/00:00.0 ")


def test_a_bridge_on_its_own_bus_ends_the_path(tmp_path):
    """lspci recurses forever (and crashes) on a bridge whose window holds its own bus; pcikit stops."""
    path = tmp_path / "loop.txt"
    path.write_text(dump_text([("00:00.0", _endpoint()), ("00:1c.0", _bridge(0, 0, 0))]))
    for version in VERSIONS:
        status, out, err = run_pcikit(["list", "-F", str(path), "-PP", "-n", "--lspci-version", version])
        assert status == 0 and not err
        assert [line.split(" ")[0] for line in out.splitlines()] in (
            ["00:00.0", "00:1c.0"], ["00:1c.0/00:00.0", "00:1c.0"])


# -- names: shell quoting and the name buffer of each release ----------------------------------

def test_quoting_and_long_names(tmp_path):
    """``"`` and ``\\`` are escaped in -m; names longer than the buffer end in '...' (128 / 256)."""
    ids = tmp_path / "pci.ids"
    long_name = "Long " + "x" * 200
    ids.write_text(
        "8086  Quote \"Vendor\" \\ Inc\n"
        "\t1234  Bridge with a \"quoted\" name\n"
        f"\t1235  {long_name}\n"
        f"\t\t8086 1235  {long_name} subsystem\n"
        "C 02  Network controller\n"
        "\t00  Ethernet controller\n"
        "C 06  Bridge\n"
        "\t04  PCI bridge\n"
    )
    endpoint = bytearray(_endpoint())
    put(endpoint, 0x2C, 2, 0x8086)
    put(endpoint, 0x2E, 2, 0x1235)
    path = tmp_path / "names.txt"
    path.write_text(dump_text([("00:01.0", _bridge(0, 1, 1)), ("01:00.0", bytes(endpoint))]))
    for version in VERSIONS:
        for flags in (("-m",), ("-mm",), ("-vmm",), ("-nnmm",), ("-nnvmm",)):
            problems = _compare(version, (*flags, "-i", str(ids)), [path], f"{' '.join(flags)} -i names.ids")
            assert not problems, "\n".join(problems)


# -- the live machine --------------------------------------------------------------------------

LIVE_FORMATS = [("-P",), ("-PP",), ("-PP", "-vmm"), ("-mm",), ("-vmm",), ("-vmmk",), ("-k",), ("-nnmm",),
                ("-b",), ("-b", "-vv"), ("-b", "-vvv")]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("flags", LIVE_FORMATS, ids=" ".join)
def test_live_machine(version, flags):
    from pcikit.sources import has_live_bus

    if not has_live_bus():
        pytest.skip("no PCI bus visible in /sys")
    lspci = lspci_binary(version)
    want = subprocess.run([lspci, *oracle.HWDB_OFF, *flags], capture_output=True, text=True,
                          env=dict(os.environ, LC_ALL="C")).stdout
    status, got, err = run_pcikit(["show", "--format", "lspci", "--lspci-version", version, *flags])
    assert status == 0, err
    assert want.count("\n") > 0
    assert got == want, _first_difference("live", want, got)


# -- bad command lines -------------------------------------------------------------------------

@pytest.mark.parametrize("argv, flag", [
    (["list", "-z"], "-z"),
    (["list", "-vmz"], "-z"),
    (["show", "--bogus"], "--bogus"),
    (["tree", "-Q"], "-Q"),
    (["dump", "-m"], "-m"),
    (["msix", "-z"], "-z"),
    (["diff", "a", "b", "-z"], "-z"),
    (["diff", "-z"], "-z"),  # named before the missing arguments
    (["fixture", "build", "x.toml", "-o", "out", "-z"], "-z"),
    (["health", "-z"], "-z"),
    (["tui", "-z"], "-z"),
    (["export", "-z"], "-z"),
    (["query", "-z"], "-z"),
    (["trace", "-z"], "-z"),
])
def test_a_bad_flag_is_one_line_naming_it_and_the_subcommand(argv, flag):
    status, out, err = run_pcikit(argv)
    command = " ".join(argv[:2] if argv[0] == "fixture" else argv[:1])
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"pcikit {command}: ") and flag in err and "usage:" not in err


def test_an_option_before_the_subcommand_is_the_top_level_s():
    status, out, err = run_pcikit(["--bogus", "list"])
    assert status == 2 and err == "pcikit: unknown option --bogus (see pcikit --help)\n"


def test_machine_flags_do_not_apply_to_json(tmp_path):
    path = tmp_path / "d.txt"
    path.write_text(dump_text([("00:00.0", _endpoint())]))
    status, out, err = run_pcikit(["show", "--json", "-mm", "-F", str(path)])
    assert status == 2 and out == "" and len(err.splitlines()) == 1 and "-m" in err and "show" in err


# -- a copied sysfs tree: what only the kernel knows (slots, NUMA, IOMMU group, driver) -----------

def _sysfs_function(root: Path, address: str, config: bytes, facts: dict[str, str]) -> Path:
    path = root / "bus" / "pci" / "devices" / address
    path.mkdir(parents=True)
    (path / "config").write_bytes(config)
    for name, value in facts.items():
        (path / name).write_text(value + "\n")
    return path


def fake_sysfs(root: Path) -> None:
    """A root port with a hot-plug slot and a NIC behind it (with a device-tree node), as lspci
    (-A linux-sysfs) reads them."""
    port = bytearray(_bridge(0, 1, 1))
    put(port, 0x04, 2, 0x0007)
    _sysfs_function(root, "0000:00:1c.0", bytes(port), {
        "vendor": "0x8086", "device": "0x1234", "class": "0x060400", "irq": "24", "numa_node": "-1",
        "resource": "\n".join(["0x0000000000000000 0x0000000000000000 0x0000000000000000"] * 13)})
    nic = bytearray(_endpoint())
    put(nic, 0x04, 2, 0x0006)
    put(nic, 0x10, 4, 0xF7000000)  # BAR 0 as the card has it
    put(nic, 0x2C, 2, 0x8086)
    put(nic, 0x2E, 2, 0x0001)
    nic[0x3C], nic[0x3D] = 0x0B, 1  # Interrupt Line 11, pin A
    path = _sysfs_function(root, "0000:01:00.0", bytes(nic), {
        "vendor": "0x8086", "device": "0x1235", "class": "0x020000", "irq": "130", "numa_node": "1",
        "subsystem_vendor": "0x8086", "subsystem_device": "0x0001",
        "resource": "\n".join(["0x00000000fe000000 0x00000000fe01ffff 0x0000000000040200"]
                              + ["0x0000000000000000 0x0000000000000000 0x0000000000000000"] * 12)})
    node = root / "firmware" / "devicetree" / "base" / "soc" / "pcie@40000000" / "ethernet@0"
    node.mkdir(parents=True)
    (path / "of_node").symlink_to(os.path.relpath(node, path))
    groups = root / "kernel" / "iommu_groups" / "7"
    groups.mkdir(parents=True)
    (path / "iommu_group").symlink_to(os.path.relpath(groups, path))  # relative, as the kernel links
    driver = root / "bus" / "pci" / "drivers" / "e1000e"
    driver.mkdir(parents=True)
    (path / "driver").symlink_to(os.path.relpath(driver, path))
    for name, address in (("empty", ""), ("3", "0000:01:00"), ("9", "0000:01:00"), ("7", "0000:00:1c")):
        slot = root / "bus" / "pci" / "slots" / name
        slot.mkdir(parents=True)
        (slot / "address").write_text(address + "\n")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("flags", [("-vmm",), ("-vmmk",), ("-mm",), ("-PP",), ("-b", "-vv"), ("-vv",), ("-b", "-v")],
                         ids=" ".join)
def test_copied_sysfs(tmp_path, version, flags):
    fake_sysfs(tmp_path)
    lspci = lspci_binary(version)
    want = subprocess.run([lspci, *oracle.HWDB_OFF, "-A", "linux-sysfs", "-O", f"sysfs.path={tmp_path}/bus/pci",
                           *flags], capture_output=True, text=True, env=dict(os.environ, LC_ALL="C")).stdout
    status, got, err = run_pcikit(["show", "--format", "lspci", "--lspci-version", version,
                                   "--sysfs-root", str(tmp_path), *flags])
    assert status == 0, err
    assert want.count("\n") > 1
    assert got == want, _first_difference("sysfs", want, got)


def _nested_sysfs(root: Path) -> None:
    """sysfs as the kernel lays it out (function folders inside their parent's, bus/pci/devices
    links to them), with a bridge whose bus numbers do not cover the device the kernel puts
    under it (so the kernel's parent and config space's disagree), a function the kernel puts
    under an endpoint (no bridge by config space) and a device on a root bus."""
    layout = [
        ("0000:00:1c.0", "", _bridge(0, 1, 1)),  # window 1-1, yet the kernel has 02:00.0 below it
        ("0000:02:00.0", "0000:00:1c.0", _endpoint()),
        ("0000:00:1d.0", "", _bridge(0, 3, 4)),
        ("0000:03:00.0", "0000:00:1d.0", _bridge(3, 4, 4)),
        ("0000:04:00.0", "0000:03:00.0", _endpoint()),
        ("0000:00:0e.0", "", _endpoint()),
        ("0000:05:00.0", "0000:00:0e.0", _endpoint()),
        ("0000:00:1f.0", "", _endpoint()),
    ]
    folders: dict[str, Path] = {}
    links = root / "bus" / "pci" / "devices"
    links.mkdir(parents=True)
    for address, parent, config in layout:
        folder = (folders[parent] if parent else root / "devices" / "pci0000:00") / address
        folder.mkdir(parents=True)
        folders[address] = folder
        (folder / "config").write_bytes(config)
        ids = {"vendor": config[0:2], "device": config[2:4]}
        for name, raw in ids.items():
            (folder / name).write_text(f"0x{int.from_bytes(raw, 'little'):04x}\n")
        (folder / "class").write_text(f"0x{int.from_bytes(config[9:12], 'little'):06x}\n")
        (folder / "irq").write_text("0\n")
        (folder / "resource").write_text("0x0000000000000000 0x0000000000000000 0x0000000000000000\n" * 13)
        (links / address).symlink_to(os.path.relpath(folder, links))


def _lspci_on_sysfs(version: str, root: Path, *flags: str) -> str:
    lspci = lspci_binary(version)
    return subprocess.run([lspci, *oracle.HWDB_OFF, "-A", "linux-sysfs", "-O", f"sysfs.path={root}/bus/pci", *flags],
                          capture_output=True, text=True, env=dict(os.environ, LC_ALL="C")).stdout


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("flags", [("-PP",), ("-P",), ("-b", "-PP"), ("-PP", "-vmm")], ids=" ".join)
def test_kernel_parents_in_sysfs(tmp_path, version, flags):
    """On sysfs lspci asks the kernel for each function's parent (not with -b): so does pcikit."""
    _nested_sysfs(tmp_path)
    want = _lspci_on_sysfs(version, tmp_path, "-n", *flags)
    status, got, err = run_pcikit(["show", "--format", "lspci", "--lspci-version", version,
                                   "--sysfs-root", str(tmp_path), "-n", *flags])
    assert status == 0, err
    assert want.count("\n") == (48 if "-vmm" in flags else 8)
    assert got == want, _first_difference("sysfs", want, got)
    kernel_view = "-b" not in flags
    # the cases are real: only the kernel puts 02:00.0 under 00:1c.0 and 05:00.0 under 00:0e.0
    assert ("00:1c.0/" in want) == kernel_view and ("00:0e.0/" in want) == kernel_view


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("flags", [("-t",), ("-tv",)], ids=" ".join)
def test_kernel_parents_in_the_tree(tmp_path, version, flags):
    """lspci -t on sysfs draws the same kernel parents."""
    _nested_sysfs(tmp_path)
    want = _lspci_on_sysfs(version, tmp_path, *flags)
    status, got, err = run_pcikit(["tree", "--lspci-version", version, "--sysfs-root", str(tmp_path),
                                   *(["-v"] if "v" in flags[0] else [])])
    assert status == 0, err
    assert want.count("\n") >= 3 and got == want, _first_difference("sysfs tree", want, got)


def test_a_fifo_as_slot_address_is_skipped_not_waited_on(tmp_path):
    """Reading the hot-plug slots never blocks: a FIFO ``address`` is passed over (the next slot wins)."""
    fake_sysfs(tmp_path)
    address = tmp_path / "bus" / "pci" / "slots" / "3" / "address"
    address.unlink()
    os.mkfifo(address)
    status, out, err = run_pcikit(["list", "-vmm", "--sysfs-root", str(tmp_path), "-s", "01:00.0"])
    assert status == 0, err
    assert "PhySlot:\t9\n" in out


def _commands() -> list[str]:
    from pcikit.cli import COMMANDS

    return sorted(COMMANDS)


@pytest.mark.parametrize("command", _commands())
def test_every_subcommand_names_an_unknown_option(command):
    """A new subcommand gets the same one-line report (its parser must be a CommandParser)."""
    status, out, err = run_pcikit([command, "--no-such-option"])
    assert status == 2 and out == "", err
    assert err.splitlines() == [f"pcikit {command}: unknown option --no-such-option (see pcikit {command} --help)"]


# -- kernel modules (-k "Kernel modules:", -vmmk "Module:") ------------------------------------

def _installed_modules() -> tuple[str, str]:
    """(release, folder) of an installed kernel's modules, or skip."""
    import shutil

    if shutil.which("modprobe") is None:
        pytest.skip("modprobe (kmod) is not installed")
    for release in sorted(os.listdir("/lib/modules")) if os.path.isdir("/lib/modules") else []:
        folder = os.path.join("/lib/modules", release)
        if os.path.isfile(os.path.join(folder, "modules.alias")):
            return release, folder
    pytest.skip("no kernel modules installed under /lib/modules")


def _libkmod_lookups(release: str, folder: str, aliases: list[str]) -> list[list[str]]:
    """``modprobe -R`` of each alias in one run: a module that drives no PCI device separates them."""
    pci_modules = {line.split()[2] for line in open(os.path.join(folder, "modules.alias"))
                   if line.startswith("alias pci:") and len(line.split()) == 3}
    names = (os.path.basename(line.split(":")[0]).split(".ko")[0].replace("-", "_")
             for line in open(os.path.join(folder, "modules.dep")))
    mark = next(name for name in names if name not in pci_modules)
    argv = [arg for alias in aliases for arg in (alias, mark)]
    out = subprocess.run(["modprobe", "-S", release, "-a", "-R", *argv], capture_output=True, text=True).stdout
    results, current = [], []
    for line in out.split():
        if line == mark:
            results.append([m for i, m in enumerate(current) if i == 0 or current[i - 1] != m])
            current = []
        else:
            current.append(line)
    assert len(results) == len(aliases), f"modprobe gave {len(results)} answers for {len(aliases)} aliases"
    return results


def test_modules_match_libkmod(batches):
    """Every corpus device's modalias resolves to the modules libkmod's lookup gives
    (``modprobe -R``, the call lspci -k makes), repeats dropped as lspci drops them."""
    from pcikit.access.kmod import modules_for
    from pcikit.offline import dump_devices

    need_corpus()  # the hundreds of distinct aliases asserted below are the corpus's; fixtures/ alone has a few
    release, folder = _installed_modules()
    aliases = set()
    for path in batches:
        for dev in dump_devices(path):
            sub = dev.subsystem or (0, 0)
            aliases.add("pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X" % (
                dev.vendor_id, dev.device_id, sub[0], sub[1], dev.class_code >> 16, dev.class_word & 0xFF,
                dev.prog_if))
    problems, several = [], 0
    for alias, want in zip(sorted(aliases), _libkmod_lookups(release, folder, sorted(aliases))):
        several += len(want) > 1
        got = modules_for(alias, folder)
        if got != want:
            problems.append(f"{alias}: libkmod {want}, pcikit {got}")
    assert len(aliases) > 100 and several > 0, (len(aliases), several)
    assert not problems, "\n".join(problems[:10])
