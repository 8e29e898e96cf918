"""Whole-block dump reading (pcikit.access.dumpblocks): the bytes written come back, and every
layout reads as the line reader reads it, errors included."""
from __future__ import annotations

import random

import pytest

from pcikit.access import dump
from pcikit.access.dump import iter_hex_rows, load_dump
from pcikit.access.dumpblocks import read_blocks
from pcikit.errors import DumpFormatError


def _text(devices: list[tuple[str, bytes]], blank: str = "\n") -> str:
    return "".join(f"{slot} title {slot}\n" + "".join(row + "\n" for row in iter_hex_rows(data)) + blank
                   for slot, data in devices)


def _read(tmp_path, text, blocks: bool = True, chunk: int = dump._CHUNK):
    """(address, size, image, title) of each device, or the error message."""
    path = tmp_path / "d.txt"
    path.write_bytes(text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text)
    saved = dump.read_blocks, dump._CHUNK
    if not blocks:
        dump.read_blocks = lambda data, pos, room: (pos, 0, [])
    dump._CHUNK = chunk
    try:
        return [(e.address, e.config.size, e.config.image(), e.title) for e in load_dump(path)]
    except DumpFormatError as exc:
        return f"error: {exc}"
    finally:
        dump.read_blocks, dump._CHUNK = saved


def test_bytes_written_come_back(tmp_path):
    rng = random.Random(5)
    images = [bytes(rng.randrange(256) for _ in range(16 * rows)) for rows in (1, 4, 16, 17, 64, 256)]
    devices = [(f"{i:02x}:{i:02x}.{i % 8}", image) for i, image in enumerate(images)]
    text = _text(devices, blank="\n\n")
    assert read_blocks(text.encode(), 0, 100)[0] == len(text)  # every block read whole
    read = _read(tmp_path, text)
    assert [(str(a), size, image[:size]) for a, size, image, _ in read] == [
        (f"0000:{slot}", len(image), image) for slot, image in devices]
    assert all(image[size:] == b"\xff" * (4096 - size) for _, size, image, _ in read)
    assert read[2][3] == "title 02:02.2"


ROWS = "00: " + " ".join(["01"] * 16) + "\n10: " + " ".join(["a2"] * 16) + "\n"
VARIANTS = [
    ("canonical", "00:01.0 x\n" + ROWS + "\n"),
    ("utf-8 title", "00:01.0 caf\u00e9 \udcff\n" + ROWS + "\n"),
    ("upper-case offsets", "00:01.0 x\n" + ROWS.replace("10:", "1A:") + "\n"),
    ("upper-case bytes", "00:01.0 x\n" + ROWS.upper() + "\n"),
    ("an x among the bytes", "00:01.0 x\n" + ROWS.replace("a2", "x2", 1) + "\n"),
    ("two spaces", "00:01.0 x\n" + ROWS.replace(" 01", "  1", 1) + "\n"),
    ("trailing space", "00:01.0 x\n" + ROWS.replace("\n", " \n", 1) + "\n"),
    ("offset gap", "00:01.0 x\n" + ROWS.replace("10:", "20:") + "\n"),
    ("short row", "00:01.0 x\n" + ROWS[:-4] + "\n\n"),
    ("carriage returns", ("00:01.0 x\n" + ROWS + "\n").replace("\n", "\r\n")),
    ("verbose lines", "00:01.0 x\n\tControl: I/O+\n" + ROWS + "\n"),
    ("function 8", "00:01.8 x\n" + ROWS + "\n00:02.0 y\n" + ROWS + "\n"),
    ("device 0x20", "00:20.0 x\n" + ROWS + "\n"),
    ("no blank line after", "00:01.0 x\n" + ROWS + "00:02.0 y\n" + ROWS),
    ("no last newline", "00:01.0 x\n" + ROWS[:-1]),
    ("long title", "00:01.0 " + "t" * 260 + "\n" + ROWS + "\n"),
    ("domain", "012345:01:02.3 x\n" + ROWS + "\n\n\n"),
    ("no rows", "00:01.0 x\n\n00:02.0 y\n" + ROWS + "\n"),
    ("malformed row, later a long line", "00:01.0 x\n00: zz\n\n00:02.0 y\n" + ROWS + "\n00:03.0 " + "t" * 300 + "\n\n"),
    ("row past 4096", "00:01.0 x\n" + ROWS + "1000: 00\n\n"),
    ("blocks, then a malformed row", "00:01.0 x\n" + ROWS + "\n\n" + "00:02.0 y\n" + ROWS + "\n00:03.0 z\n00: zz\n\n"),
]


@pytest.mark.parametrize("text", [text for _, text in VARIANTS], ids=[name for name, _ in VARIANTS])
@pytest.mark.parametrize("chunk", [1 << 20, 40])
def test_every_layout_reads_as_the_line_reader_reads_it(tmp_path, text, chunk):
    text = text * 3
    assert _read(tmp_path, text, chunk=chunk) == _read(tmp_path, text, blocks=False, chunk=chunk)


def test_a_long_line_later_in_the_chunk_is_the_error_reported(tmp_path):
    text = "00:01.0 x\n00: zz\n\n00:02.0 y\n" + ROWS + "\n00:03.0 " + "t" * 300 + "\n\n"
    assert "d.txt:8: line longer than 253 characters" in _read(tmp_path, text)
