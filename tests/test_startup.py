"""Start-up stays light: ``pcikit list`` imports only the modules a listing needs.

``python -X importtime`` names every module a run imports; the interpreter's own start-up
(``python -c pass``) is subtracted, and whatever is left must be in the allowed sets below. A
heavy import creeping back (typing, argparse, dataclasses, pathlib, construct, the renderers of
``-v``) fails here with its name, long before a benchmark would notice.

``pcikit show`` imports construct, which imports typing and dataclasses itself: there the pcikit
modules a show of one function loads are listed instead, and none of them may use typing or
dataclasses at run time (class creation through them costs a compile per field and method).
"""
from __future__ import annotations

import ast
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
    "gc",  # built in: pcikit.cli.run freezes the interpreter's start-up objects, main sets one-shot thresholds
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
    return _sysfs_function(root, "0000:00:03.0", config)


def _sysfs_function(root: Path, address: str, config: bytearray) -> Path:
    """``root`` holding one function at ``address`` whose config space is ``config``."""
    folder = root / "bus" / "pci" / "devices" / address
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



def _two_functions(root: Path) -> Path:
    """``_fake_sysfs``'s function and a copy of it at 00:04.0."""
    devices = _fake_sysfs(root) / "bus" / "pci" / "devices"
    (devices / "0000:00:04.0").mkdir()
    (devices / "0000:00:04.0" / "config").write_bytes((devices / "0000:00:03.0" / "config").read_bytes())
    return root


def _configs_opened(monkeypatch) -> list[str]:
    """The function folders whose config file each later ``os.open`` opens."""
    opened: list[str] = []
    real_open = os.open

    def open_(path, *args, **kwargs):
        if os.fspath(path).endswith("/config"):
            opened.append(os.path.basename(os.path.dirname(path)))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    return opened


@pytest.mark.parametrize("command", [["show"], ["show", "--json"], ["show", "--format", "lspci", "-vvv"], ["list"]])
def test_a_slot_selection_reads_no_other_function(tmp_path, monkeypatch, capsys, command):
    """``-s`` names functions by address, so no other function's config space (hardware reads) is
    opened, as lspci opens only the devices its filter matches."""
    from pcikit import cli

    root = _two_functions(tmp_path)
    opened = _configs_opened(monkeypatch)
    assert cli.main([*command, "--sysfs-root", str(root), "-s", "00:03.0"]) == 0
    assert "00:03.0" in capsys.readouterr().out
    assert set(opened) == {"0000:00:03.0"}


@pytest.mark.parametrize("command", [["show"], ["list"]])
def test_bridge_paths_read_every_function(tmp_path, monkeypatch, capsys, command):
    """``-P`` prints the bridges above a function: every function is read to find them."""
    from pcikit import cli

    root = _two_functions(tmp_path)
    opened = _configs_opened(monkeypatch)
    assert cli.main([*command, "--sysfs-root", str(root), "-s", "00:03.0", "-P"]) == 0
    assert capsys.readouterr().out.startswith("00:03.0 ")
    assert set(opened) == {"0000:00:03.0", "0000:00:04.0"}



# What a show of one virtio function with MSI-X loads beyond a listing's modules: the schemas it
# decodes (header, Vendor Specific, MSI-X) and the view's own modules. Not the PCI Express schema
# (the function has no such capability), not Intel's vendor schema, not mmio (show maps no BAR),
# not the lspci header renderer for the native or JSON views.
DECODE = {
    "pcikit.walk", "pcikit.schema", "pcikit.schema.capability_ids",  # the capability lists (a listing walks none)
    "pcikit.schema.registry", "pcikit.schema.attributes", "pcikit.schema.bits", "pcikit.schema.context",
    "pcikit.schema.port_types", "pcikit.schema.header", "pcikit.schema.bars", "pcikit.schema.caps",
    "pcikit.schema.caps.vendor", "pcikit.schema.caps.msix", "pcikit.schema.catalogue", "pcikit.decode",
    "pcikit.decode.bars",
}
NATIVE = DECODE | {"pcikit.decode.problems", "pcikit.interrupts", "pcikit.msix", "pcikit.render.fields"}
LSPCI_CAPS = {"pcikit.render.lspci.caps", "pcikit.render.lspci.caps.vendor"}
LSPCI_TEXT = {"pcikit.render.lspci.core", "pcikit.render.lspci.header",
              "pcikit.render.lspci.verbose"}  # what the native and JSON views never load
COMMAND = {"pcikit.commands", "pcikit.commands.show", "pcikit.filters"}  # the command's code, -s
SHOW = {
    "show": COMMAND | NATIVE | LSPCI_CAPS | {"pcikit.render.text"},  # lspci's virtio structure names
    "show --json": COMMAND | NATIVE | {"pcikit.render.json"},
    "show --format lspci -vvv": COMMAND | DECODE | LSPCI_CAPS | {
        "pcikit.render.lspci.header", "pcikit.render.lspci.verbose", "pcikit.render.lspci.caps.msix"},
}


def _virtio_function(root: Path) -> Path:
    """A virtio RNG function (as this machine's 00:05.0) with a virtio structure and MSI-X, under ``root``."""
    config = image(256)
    put(config, 0x00, 4, 0x1044_1AF4)
    put(config, 0x04, 4, 0x0010_0406)  # memory space, bus master, INTx disabled; capabilities list
    put(config, 0x08, 4, 0xFF00_0001)
    put(config, 0x10, 8, 0x40_0000_000C)  # BAR 0: 64-bit prefetchable memory
    put(config, 0x2C, 4, 0x1100_1AF4)
    put(config, 0x34, 1, 0x40)
    put(config, 0x40, 4, 0x0110_5009)  # Vendor Specific, next 0x50, 16 bytes: virtio common configuration
    put(config, 0x4C, 4, 0x38)
    put(config, 0x50, 4, 0x8001_0011)  # MSI-X, last: enabled, 2 vectors; table and PBA in BAR 0
    put(config, 0x54, 4, 0x8000)
    put(config, 0x58, 4, 0x48000)
    return _sysfs_function(root, "0000:00:05.0", config)


def _show_modules(root: Path, command: str) -> set[str]:
    """The modules ``pcikit COMMAND -s 00:05.0`` has loaded when it ends (importlib's loads
    included, which -X importtime does not name: capability schemas and renderers)."""
    argv = [*command.split(), "--sysfs-root", str(root), "-s", "00:05.0"]
    code = ("import sys\nfrom pcikit.cli import main\n"
            f"assert main({argv!r}) == 0\n"
            "print(' '.join(sys.modules), file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, PYTHONPATH=str(ROOT), PCIKIT_HWDB="0"))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "00:05.0" in result.stdout
    return set(result.stderr.split())


def _runtime_imports(module: str) -> set[str]:
    """The top-level packages ``module``'s source imports when it runs (not under ``if TYPE_CHECKING:``)."""
    path = ROOT.joinpath(*module.split("."))
    source = (path / "__init__.py" if path.is_dir() else path.with_suffix(".py")).read_text()
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            nodes: list = node.orelse
        else:
            nodes = list(ast.iter_child_nodes(node))
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level:
                found.add(node.module.split(".")[0])
        for child in nodes:
            visit(child)

    visit(ast.parse(source))
    return found


@pytest.mark.parametrize("command", sorted(SHOW))
def test_a_show_of_one_function_loads_only_what_it_shows(tmp_path, command):
    everything = _show_modules(_virtio_function(tmp_path), command)
    loaded = {name for name in everything if name.startswith("pcikit")}
    assert loaded - PCIKIT == SHOW[command]
    assert "lspci" in command or loaded & LSPCI_TEXT == set()
    assert "json" not in everything  # --json writes with json's C escaper alone (the package compiles regexes)
    users = {module: {"typing", "dataclasses"} & _runtime_imports(module) for module in loaded}
    assert {module: found for module, found in users.items() if found} == {}
