"""Hostile input, one rule per test: the reproducers of issue 12 are the cases.

Rules: every file read is a regular file opened non-blocking (a FIFO never hangs);
every read is bounded; text dumps tolerate any byte in non-hex lines; no exception
escapes the CLI (one line on stderr, exit 2); BAR images are read, not mapped;
--sysfs-root stays inside its root; nothing is written under /sys, /proc or /dev;
plain ``show`` never maps a live BAR.
"""
from __future__ import annotations

import gzip
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pcikit import barmap
from pcikit.access import sysfs
from pcikit.access.files import UnsafeFileError, check_output_path, read_bounded
from pcikit.errors import OutOfRangeAccessError

from .conftest import ROOT, dump_text, need_lspci, put
from .nonroot import run_nonroot

TIMEOUT = 30  # seconds; every case here finishes in well under one


def cli(*args: str, env: dict | None = None, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """``python -m pcikit`` with a hard timeout: a hang fails the test instead of blocking it."""
    full = dict(os.environ, PYTHONPATH=str(ROOT), PATH="/nonexistent", **(env or {}))
    return subprocess.run([sys.executable, "-m", "pcikit", *args], capture_output=True, text=True,
                          env=full, timeout=timeout, stdin=subprocess.DEVNULL)


def one_line_error(result: subprocess.CompletedProcess, status: int = 2) -> str:
    """The single stderr line of a refused command (never a traceback)."""
    assert result.returncode == status, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def config_bytes(pin: int = 1) -> bytes:
    data = bytearray(256)
    put(data, 0x00, 2, 0x1AF4)
    put(data, 0x02, 2, 0x1041)
    put(data, 0x08, 4, 0x02000001)
    data[0x3D] = pin
    return bytes(data)


def msix_config_bytes() -> bytes:
    """A function with MSI-X (3 vectors, table and PBA in BAR 0): --bar 0=FILE is opened for it."""
    data = bytearray(config_bytes())
    put(data, 0x06, 2, 0x0010)  # capabilities list
    put(data, 0x10, 4, 0xFEB00000)  # BAR 0, 32-bit memory
    data[0x34] = 0x40
    put(data, 0x40, 4, 0x80020011)  # MSI-X, enabled, table size 3
    put(data, 0x44, 4, 0x00000000)  # table: BIR 0, offset 0
    put(data, 0x48, 4, 0x00000800)  # PBA: BIR 0, offset 0x800
    return bytes(data)


@pytest.fixture
def dump(tmp_path) -> Path:
    path = tmp_path / "good.txt"
    path.write_text(dump_text([("00:03.0", config_bytes())]))
    return path


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "fifo"
    os.mkfifo(path)
    return path


# -- rule: a FIFO anywhere never hangs ------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("show", "-F", "{fifo}"),
    ("list", "-F", "{fifo}"),
    ("dump", "-F", "{fifo}"),
    ("fixture", "check", "{fifo}"),
    ("diff", "{fifo}", "{dump}"),
    ("msix", "-F", "{dump}", "--bar", "0={fifo}"),
    ("show", "-F", "{dump}", "--bar", "0={fifo}"),
])
def test_fifo_as_a_file_argument_is_refused_at_once(args, fifo, dump, tmp_path):
    dump.write_text(dump_text([("00:03.0", msix_config_bytes())]))
    argv = [a.format(fifo=fifo, dump=dump) for a in args]
    started = time.monotonic()
    result = cli(*argv)
    assert time.monotonic() - started < TIMEOUT
    assert "FIFO" in one_line_error(result)


def test_fifo_as_a_fleet_input_is_an_error_not_a_hang(fifo, tmp_path):
    result = cli("export", str(fifo), "-o", str(tmp_path / "dataset"))
    assert result.returncode in (0, 2) and "Traceback" not in result.stderr
    assert "1 errors" in result.stdout or "FIFO" in result.stderr
    assert "FIFO" in one_line_error(cli("health", "-F", str(fifo)))


def test_fifo_as_pci_ids_warns_and_goes_on(fifo, dump):
    result = cli("list", "-F", str(dump), "-i", str(fifo))
    assert result.returncode == 0 and "Traceback" not in result.stderr


def _fake_sysfs(tmp_path: Path, fifo_name: str) -> Path:
    root = tmp_path / "sysfs"
    folder = root / "devices" / "pci0000:00" / "0000:00:03.0"
    folder.mkdir(parents=True)
    (folder / "config").write_bytes(config_bytes())
    (folder / "irq").write_text("11\n")
    (folder / "resource").write_text("0x0000000000001000 0x0000000000001fff 0x0000000000040200\n")
    target = folder / fifo_name
    if target.exists():
        target.unlink()
    os.mkfifo(target)
    links = root / "bus" / "pci" / "devices"
    links.mkdir(parents=True)
    (links / "0000:00:03.0").symlink_to("../../../devices/pci0000:00/0000:00:03.0")
    return root


@pytest.mark.parametrize("name", ["config", "irq", "resource", "resource0", "vpd", "numa_node"])
@pytest.mark.parametrize("command", [("list",), ("show", "-vvv", "--json"), ("msix",), ("dump", "-xxx")])
def test_fifo_as_a_sysfs_attribute_never_hangs(tmp_path, name, command):
    root = _fake_sysfs(tmp_path, name)
    result = cli(*command, "--sysfs-root", str(root))
    assert "Traceback" not in result.stderr
    assert result.returncode in (0, 1, 2)
    if name == "config":  # a config that is a FIFO is never read: the device is skipped, and that is said
        assert "0000:00:03.0" not in result.stdout
        assert "0000:00:03.0" in result.stderr and "FIFO" in result.stderr


def test_sysfs_attribute_reader_refuses_fifo_and_symlink(tmp_path):
    os.mkfifo(tmp_path / "irq")
    (tmp_path / "real").write_text("5\n")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    from pcikit.access.files import read_attribute

    assert read_attribute(tmp_path / "irq") is None
    assert read_attribute(tmp_path / "link") is None
    assert read_attribute(tmp_path / "real") == b"5\n"


# -- rule: every read is bounded --------------------------------------------------------------

@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_character_devices_are_refused(device):
    if not os.path.exists(device):
        pytest.skip(f"{device} is absent")
    assert "character device" in one_line_error(cli("show", "-F", device))


def test_large_binary_file_is_refused_after_a_bounded_read(tmp_path):
    path = tmp_path / "random.bin"
    path.write_bytes(os.urandom(1 << 20) * 8)  # 8 MiB of noise
    started = time.monotonic()
    message = one_line_error(cli("show", "-F", str(path)))
    assert "larger than 4096" in message and time.monotonic() - started < 10


def test_sixty_megabytes_of_blank_lines_are_fast(tmp_path, dump):
    path = tmp_path / "blank.txt"
    with open(path, "wb") as handle:
        handle.write(dump.read_bytes())
        for _ in range(60):
            handle.write(b"\n" * (1 << 20))
    started = time.monotonic()
    result = cli("list", "-F", str(path), "-n")
    elapsed = time.monotonic() - started
    assert result.returncode == 0 and result.stdout.startswith("00:03.0 0200: 1af4:1041")
    assert elapsed < 10, f"60 MB of blank lines took {elapsed:.1f} s"


def test_dump_larger_than_the_format_allows_is_refused(tmp_path, monkeypatch):
    from pcikit.access import dump as dump_module
    from pcikit.errors import DumpFormatError

    monkeypatch.setattr(dump_module, "MAX_DUMP_BYTES", 1 << 20)
    path = tmp_path / "big.txt"
    path.write_bytes(b"x\n" * (1 << 20))
    with pytest.raises(DumpFormatError, match="larger than 1 MiB"):
        dump_module.load_dump(path)


def test_gzip_bomb_pci_ids_is_capped(tmp_path, dump):
    bomb = tmp_path / "pci.ids.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as handle:
        block = b"\n" * (1 << 20)
        for _ in range(100):  # 100 MiB inflated, ~100 KB on disk
            handle.write(block)
    result = cli("list", "-F", str(dump), "-i", str(bomb))
    assert result.returncode == 0 and "more than 64 MiB" in result.stderr
    assert "Traceback" not in result.stderr


def test_pci_ids_gz_within_the_cap_is_read(tmp_path, dump):
    ids = tmp_path / "pci.ids.gz"
    ids.write_bytes(gzip.compress(b"1af4  Red Hat, Inc.\n\t1041  Virtio network device\n"))
    result = cli("list", "-F", str(dump), "-i", str(ids))
    assert "Red Hat, Inc. Virtio network device" in result.stdout


def test_read_bounded_refuses_past_the_limit(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"a" * 101)
    assert read_bounded(path, 101) == b"a" * 101
    with pytest.raises(UnsafeFileError, match="larger than 100 bytes"):
        read_bounded(path, 100)


# -- rule: text dumps tolerate any byte in non-hex lines (as lspci does) ------------------------

def test_utf8_title_line_keeps_a_text_dump_a_text_dump(tmp_path):
    text = dump_text([("00:03.0", config_bytes())]).replace("Device title", "caf\u00e9 \u2014 NIC")
    path = tmp_path / "utf8.txt"
    path.write_bytes(text.encode("utf-8"))
    result = cli("list", "-F", str(path), "-n")
    assert result.returncode == 0 and result.stdout == "00:03.0 0200: 1af4:1041 (rev 01)\n"


def test_control_bytes_in_a_title_line_keep_it_text(tmp_path):
    text = dump_text([("00:03.0", config_bytes())]).replace("Device title", "tab\x01bell\x07")
    path = tmp_path / "ctl.txt"
    path.write_bytes(text.encode())
    assert cli("list", "-F", str(path), "-n").stdout.startswith("00:03.0 0200: 1af4:1041")


# -- rule: no exception escapes the CLI ------------------------------------------------------

def test_dump_binary_onto_an_existing_file(tmp_path, dump):
    target = tmp_path / "afile"
    target.write_text("")
    assert "not a folder" in one_line_error(cli("dump", "-F", str(dump), "--binary", str(target)))


def test_dump_binary_under_a_file(tmp_path, dump):
    target = tmp_path / "afile"
    target.write_text("")
    assert "not a directory" in one_line_error(cli("dump", "-F", str(dump), "--binary", str(target / "sub")))


def _world_readable_tmp(tmp_path: Path) -> Path:
    base = Path("/tmp") / f"pcikit-hostile-{os.getpid()}-{tmp_path.name}"
    base.mkdir(mode=0o755, exist_ok=True)
    return base


def test_unreadable_dump_folder_in_process(tmp_path, dump, monkeypatch, capsys):
    import errno

    from pcikit import cli as cli_module

    def refuse(path):
        raise PermissionError(errno.EACCES, "Permission denied", path)

    monkeypatch.setattr(os, "listdir", refuse)
    assert cli_module.main(["show", "-F", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == f"pcikit: {tmp_path}: permission denied"


def test_unreadable_dump_folder_and_unwritable_output(tmp_path, dump):
    base = _world_readable_tmp(tmp_path)
    try:
        closed = base / "closed"
        closed.mkdir(mode=0o700)
        (closed / "d.txt").write_text(dump.read_text())
        readonly = base / "ro"
        readonly.mkdir(mode=0o555)
        public = base / "d.txt"
        public.write_text(dump.read_text())
        public.chmod(0o644)
        assert "permission denied" in one_line_error(run_nonroot("show", "-F", str(closed)))
        assert "permission denied" in one_line_error(run_nonroot("dump", "-F", str(public), "--binary", str(readonly)))
    finally:
        import shutil

        shutil.rmtree(base, ignore_errors=True)


def test_non_hex_sysfs_resource(tmp_path):
    root = _fake_sysfs(tmp_path, "numa_node")
    (root / "devices" / "pci0000:00" / "0000:00:03.0" / "resource").write_text("zz yy xx\n")
    result = cli("show", "-vvv", "--sysfs-root", str(root))
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert sysfs._resources(str(root / "devices" / "pci0000:00" / "0000:00:03.0")) == []


@pytest.mark.parametrize("name, text, expected", [
    ("deep.toml", "vendor_id = " + "[" * 5000 + "]" * 5000 + "\n", "nested deeper than"),
    ("shallow-deep.toml", "vendor_id = " + "[" * 100 + "]" * 100 + "\n", "nested deeper than"),
    ("bigint.toml", "vendor_id = 1" + "0" * 100000 + "\n", "more than 4300 decimal digits"),
    ("date.toml", "vendor_id = 0x8086\ndevice_id = 1979-05-27\nclass_code = 0x020000\n", "not date"),
    ("datefield.toml", "vendor_id = 0x8086\ndevice_id = 0x1234\nclass_code = 0x020000\n"
     "[[capabilities]]\nid = 1\nfields = { pmc = 1979-05-27T07:32:00 }\n", "not datetime"),
])
@pytest.mark.parametrize("command", ["check", "build", "diff"])
def test_hostile_specs_are_one_line_errors(tmp_path, name, text, expected, command):
    spec = tmp_path / name
    spec.write_text(text)
    argv = {"check": ("fixture", "check", str(spec)), "build": ("fixture", "build", str(spec), "-o", str(tmp_path / "o")),
            "diff": ("diff", str(spec), str(spec))}[command]
    assert expected in one_line_error(cli(*argv))


def test_malformed_utf8_spec(tmp_path):
    spec = tmp_path / "bad.toml"
    spec.write_bytes(b"vendor_id = 0x8086 # \xff\xfe\n")
    assert "not UTF-8" in one_line_error(cli("fixture", "check", str(spec)))


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "C", "PYTHONUTF8": "0"}])
@pytest.mark.parametrize("args", [("show", "--format", "lspci", "-vvv"), ("show", "-vvv"), ("list", "-vvv")])
def test_ascii_stdout_with_interrupt_pin_0xc0(tmp_path, env, args):
    path = tmp_path / "pin.txt"
    path.write_text(dump_text([("00:03.0", config_bytes(pin=0xC0))]))
    result = cli(*args, "-F", str(path), env=env)
    assert result.returncode == 0 and "Traceback" not in result.stderr


def test_pin_0xc0_prints_the_byte_lspci_prints(tmp_path):
    # pciutils prints 'A' + pin - 1 with %c: 0xc0 wraps to the byte 0x00
    lspci = need_lspci()
    path = tmp_path / "pin.txt"
    path.write_text(dump_text([("00:03.0", config_bytes(pin=0xC0))]))
    expected = subprocess.run([lspci, "-F", str(path), "-vvv"], capture_output=True).stdout.decode("latin-1")
    line = next(x for x in expected.splitlines() if x.startswith("\tInterrupt: pin"))
    assert line == "\tInterrupt: pin \x00 routed to IRQ 0"
    result = cli("show", "--format", "lspci", "-vvv", "-F", str(path))
    assert line in result.stdout.splitlines()


def test_internal_errors_become_one_line(monkeypatch, capsys):
    from pcikit import cli as cli_module

    def broken(args):
        raise KeyError("boom")

    assert cli_module.run_reporting(broken, None) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error (KeyError" in err


# -- rule: BAR images are read, not mapped ----------------------------------------------------

def test_bar_image_that_shrinks_is_an_error_not_sigbus(tmp_path):
    path = tmp_path / "bar.bin"
    path.write_bytes(bytes(range(256)) * 64)  # 16 KiB
    with barmap.map_file(path) as region:
        assert region.read32(0x2000) == int.from_bytes((bytes(range(256)) * 64)[0x2000:0x2004], "little")
        os.truncate(path, 4096)
        with pytest.raises(OutOfRangeAccessError, match="shrank"):
            region.read32(0x2000)


def test_fake_sysfs_resource_file_is_read_not_mapped(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    folder = tmp_path / "bus" / "pci" / "devices" / "0000:00:04.0"
    folder.mkdir(parents=True)
    (folder / "resource0").write_bytes(b"\x11" * 8192)
    from pcikit.address import Address

    with barmap.map_resource(Address.parse("0000:00:04.0"), 0, str(tmp_path)) as region:
        assert isinstance(region, barmap.FileRegion) and region.read8(4) == 0x11


# -- rule: --sysfs-root is confined to its root -----------------------------------------------

def test_sysfs_root_does_not_follow_links_out_of_the_root(tmp_path):
    outside = tmp_path / "outside" / "0000:00:07.0"
    outside.mkdir(parents=True)
    (outside / "config").write_bytes(config_bytes())
    root = tmp_path / "sysfs"
    links = root / "bus" / "pci" / "devices"
    links.mkdir(parents=True)
    (links / "0000:00:07.0").symlink_to(outside)
    result = cli("list", "--sysfs-root", str(root))
    assert result.returncode == 0 and result.stdout == ""
    assert "outside" in one_line_error(cli("diff", "--sysfs-root", str(root), "00:07.0", "00:07.0"))


def test_real_path_resolves_links_as_realpath_does(tmp_path):
    """The kernel's resolution (O_PATH and /proc/self/fd) and os.path.realpath's agree, links in the
    middle of a path and dangling or looping ones included (those fall back to realpath)."""
    from pcikit.access.files import real_path

    (tmp_path / "real" / "deep").mkdir(parents=True)
    (tmp_path / "hop").symlink_to("real")
    (tmp_path / "real" / "up").symlink_to("../hop/deep")
    (tmp_path / "dangling").symlink_to("nowhere/at/all")
    (tmp_path / "loop").symlink_to("loop")
    os.mkfifo(tmp_path / "fifo")  # opened as a handle only: never blocks
    for name in ("real", "hop", "hop/deep", "real/up", "real/up/..", "dangling", "loop", "missing/x", "fifo", "."):
        path = str(tmp_path / name)
        assert real_path(path) == os.path.realpath(path), name


# -- rule: output paths never under /sys, /proc or /dev ---------------------------------------

@pytest.mark.parametrize("path", ["/sys/bus/pci/devices/x/config", "/proc/self/x", "/dev/shm/pcikit-x"])
def test_output_paths_under_kernel_trees_are_refused(path):
    with pytest.raises(UnsafeFileError, match="never writes under"):
        check_output_path(path)


def test_capture_output_through_a_link_into_sys_is_refused(tmp_path, dump):
    link = tmp_path / "cfg"
    link.symlink_to("/sys/bus/pci/devices")
    result = cli("fixture", "capture", "-F", str(dump), "-s", "00:03.0", "-o", str(link / "0000:00:00.0" / "config"))
    assert "never writes under /sys" in one_line_error(result)
    result = cli("dump", "-F", str(dump), "--binary", "/sys/bus/pci")
    assert "never writes under /sys" in one_line_error(result)
    result = cli("export", str(dump), "-o", "/proc/pcikit-dataset")
    assert "never writes under /proc" in one_line_error(result)


# -- rule: plain show never maps live BARs ----------------------------------------------------

def test_plain_show_never_maps_live_bars(monkeypatch, capsys):
    from pcikit import cli as cli_module

    def forbidden(*args, **kwargs):
        raise AssertionError("show mapped a live BAR")

    monkeypatch.setattr(barmap, "map_resource", forbidden)
    if not sysfs.list_addresses():
        pytest.skip("no live PCI devices here")
    assert cli_module.main(["show", "-vvv"]) == 0
    assert cli_module.main(["show", "--json"]) == 0
    capsys.readouterr()


def test_tui_export_never_writes_under_kernel_trees(tmp_path):
    from pcikit.offline import dump_devices
    from pcikit.tui import export

    path = tmp_path / "d.txt"
    path.write_text(dump_text([("00:03.0", config_bytes())]))
    dev = dump_devices(path)[0]
    with pytest.raises(UnsafeFileError, match="never writes under /proc"):
        export.save(Path("/proc"), dev, ".json", "{}")
    assert export.save(tmp_path, dev, ".json", "{}").read_text() == "{}"


def test_sysfs_subfolder_links_out_of_the_root_are_not_read(tmp_path):
    root = _fake_sysfs(tmp_path, "numa_node")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "40").write_text("msix\n")
    device = root / "devices" / "pci0000:00" / "0000:00:03.0"
    (device / "msi_irqs").symlink_to(outside)
    info = sysfs.kernel_info(str(device))
    assert info.msi_irqs == [] and info.msi_mode is None
