"""Mapping BARs: files as BAR images, sysfs resourceN (faked on files), one-line refusals."""
from __future__ import annotations

import errno
import mmap
import os

import pytest

from pcikit import barmap
from pcikit.address import Address
from pcikit.errors import BarUnavailableError, ReadOnlyError

SLOT = Address.parse("0000:00:04.0")
DATA = bytes(range(256)) * 32  # 8 KiB


def _file(tmp_path, name="bar.bin", data=DATA):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _sysfs(tmp_path, index=0, data=DATA):
    folder = tmp_path / "bus" / "pci" / "devices" / str(SLOT)
    folder.mkdir(parents=True)
    (folder / f"resource{index}").write_bytes(data)
    return str(tmp_path)


def test_map_file_is_read_only_by_default(tmp_path):
    with barmap.map_file(_file(tmp_path)) as region:
        assert region.readonly and region.size == len(DATA)
        assert region.read32(0x104) == int.from_bytes(DATA[0x104:0x108], "little")
        with pytest.raises(ReadOnlyError):
            region.write32(0, 1)


def test_map_file_writable_writes_through(tmp_path):
    path = _file(tmp_path)
    with barmap.map_file(path, writable=True) as region:
        region.write16(2, 0xBEEF)
    assert path.read_bytes()[:4] == bytes((0, 1, 0xEF, 0xBE))


def test_map_file_window(tmp_path):
    page = mmap.ALLOCATIONGRANULARITY
    data = bytes(range(256)) * (2 * page // 256)
    with barmap.map_file(_file(tmp_path, data=data), offset=page, length=256) as region:
        assert region.size == 256
        assert region.read8(3) == data[page + 3]


def test_map_file_refusals_are_one_line(tmp_path):
    cases = [
        (lambda: barmap.map_file(tmp_path / "missing.bin"), "missing.bin: no such file"),
        (lambda: barmap.map_file(_file(tmp_path, "empty", b"")), "empty: the file is empty"),
        (lambda: barmap.map_file(_file(tmp_path), offset=1), "not a multiple of the page size"),
        (lambda: barmap.map_file(_file(tmp_path, "b2"), length=len(DATA) + 1), "does not fit"),
    ]
    for call, text in cases:
        with pytest.raises(BarUnavailableError) as info:
            call()
        assert text in str(info.value) and "\n" not in str(info.value)


def test_map_resource_maps_the_sysfs_file(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    root = _sysfs(tmp_path, index=2)
    with barmap.map_resource(SLOT, 2, root) as region:
        assert region.readonly
        assert region.read64(8) == int.from_bytes(DATA[8:16], "little")


def test_map_resource_missing_file(tmp_path):
    root = _sysfs(tmp_path, index=0)
    with pytest.raises(BarUnavailableError, match=r"BAR 3 of 0000:00:04.0: .*resource3 does not exist, so the kernel offers no way to map it"):
        barmap.map_resource(SLOT, 3, root)


def test_map_resource_needs_root(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    root = _sysfs(tmp_path)
    with pytest.raises(BarUnavailableError, match="resource0 needs root"):
        barmap.map_resource(SLOT, 0, root)


def test_map_resource_bad_index(tmp_path):
    with pytest.raises(BarUnavailableError, match="BAR numbers are 0-5"):
        barmap.map_resource(SLOT, 6, str(tmp_path))


@pytest.mark.parametrize("code, text", [
    (errno.EPERM, "EPERM; kernel lockdown"),
    (errno.EINVAL, "EINVAL; an I/O BAR, or kernel lockdown"),
    (errno.EACCES, "permission denied (EACCES)"),
])
def test_kernel_refusals_are_named(tmp_path, monkeypatch, code, text):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    root = _sysfs(tmp_path)

    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(barmap.mmap, "mmap", refuse)
    monkeypatch.setattr(barmap, "_on_sysfs", lambda fd: True)  # the fake resource0 stands for sysfs
    with pytest.raises(BarUnavailableError) as info:
        barmap.map_resource(SLOT, 0, root)
    message = str(info.value)
    assert message.startswith("BAR 0 of 0000:00:04.0: ") and text in message and "\n" not in message


def test_open_refused_with_eacces(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    root = _sysfs(tmp_path)

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(barmap.os, "open", refuse)
    with pytest.raises(BarUnavailableError, match=r"resource0: permission denied \(EACCES\)"):
        barmap.map_resource(SLOT, 0, root)


@pytest.mark.parametrize("text, expected", [("0=a.bin", (0, "a.bin")), ("5=/x/y=z", (5, "/x/y=z"))])
def test_parse_bar_option(text, expected):
    assert barmap.parse_bar_option(text) == expected


@pytest.mark.parametrize("text", ["0", "=a", "x=a", "6=a", "0="])
def test_parse_bar_option_rejects(text):
    with pytest.raises(ValueError):
        barmap.parse_bar_option(text)
