"""``show --json`` is written one device at a time; the text is exactly ``json.dumps(list, indent=2)``."""
from __future__ import annotations

import json

import pcikit
from pcikit.render.json import device_document, iter_dumps

from .conftest import ROOT, run_cli


def _devices() -> list:
    files = sorted((ROOT / "fixtures").glob("*.lspci.txt"))
    assert files, "no fixture dumps"
    return [dev for path in files for dev in pcikit.load_dump(str(path))]


def test_streamed_json_is_the_json_of_the_whole_list():
    devices = _devices()
    assert len(devices) > 3
    for count in (0, 1, 2, len(devices)):
        chosen = devices[:count]
        expected = json.dumps([device_document(dev) for dev in chosen], indent=2)
        pieces = list(iter_dumps(chosen))
        assert len(pieces) == count + 1  # one piece per device, then the closing bracket
        assert "".join(pieces) == expected


def test_cli_json_of_a_dump_parses_back_to_every_device(tmp_path):
    files = sorted((ROOT / "fixtures").glob("*.lspci.txt"))
    dump = tmp_path / "all.txt"
    dump.write_text("".join(path.read_text().rstrip("\n") + "\n\n" for path in files))
    result = run_cli("show", "--json", "-F", str(dump))
    assert result.returncode == 0, result.stderr
    documents = json.loads(result.stdout)
    assert len(documents) == len(pcikit.load_dump(str(dump))) > 3
    assert result.stdout.endswith("\n]\n")


EDGE_VALUES = [
    {}, [], (), "", "é\u2028\x00\"\\/", 0, -1, 2**70, 1.5, -0.0, 1e300, float("nan"), float("inf"), float("-inf"),
    True, False, None, {"a": [], "b": {}, "c": [1, [2, {"d": None}]]}, [{"x": (1, 2)}, "y"],
    {1: "int key", 2.5: "float key", True: "bool key", None: "none key"},
]


def test_indented_writer_is_json_dumps_indent_2():
    from pcikit.render.json import _indented

    class Flag(int):  # int subclasses (IntEnum-like values) print as plain ints, as json does
        def __repr__(self) -> str:
            return "Flag()"

    for value in [*EDGE_VALUES, EDGE_VALUES, {"nested": EDGE_VALUES}, Flag(3), [Flag(1)]]:
        pieces: list[str] = []
        _indented(value, "\n", pieces.append)
        assert "".join(pieces) == json.dumps(value, indent=2), value


def test_fields_are_written_as_json_dumps_of_their_plain_copy():
    from construct import Container, ListContainer

    from pcikit.render.fields import plain
    from pcikit.render.json import _indented

    class Name(str):
        def __str__(self) -> str:
            return "named"

    values = [
        Container(raw=5, enable=True, size=None, _io="dropped", data=b"\x01\xff", name=Name("x")),
        Container(_hidden=1), ListContainer([Container(a=1), Container(b=[1, 2.5, "c"])]),
        {1: "int key", None: "none key", True: "bool key", Name("k"): 2}, (b"", bytearray(b"\x10")),
        [object.__new__(type("Thing", (), {"__str__": lambda self: "thing"}))], *EDGE_VALUES,
    ]
    kept: list[str] = []
    _indented({"_io": 1}, "\n", kept.append)  # json keeps the key; the fields written after still drop it
    assert "".join(kept) == json.dumps({"_io": 1}, indent=2)
    for value in [*values, values, {"nested": values}]:
        pieces: list[str] = []
        _indented(value, "\n", pieces.append, fields=True)
        assert "".join(pieces) == json.dumps(plain(value), indent=2), value


def test_indented_writer_refuses_what_json_refuses():
    import pytest

    from pcikit.render.json import _indented

    for value in (object(), {(1, 2): "tuple key"}, b"bytes"):
        with pytest.raises(TypeError):
            _indented(value, "\n", lambda text: None)
        with pytest.raises(TypeError):
            json.dumps(value, indent=2)


def test_corpus_documents_print_as_json_dumps():
    from .conftest import CORPUS

    import pytest

    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in ("", ".txt")) if CORPUS.is_dir() else []
    if not files:
        pytest.skip(f"no corpus at {CORPUS}")
    compared = 0
    for path in files:
        try:
            devices = pcikit.load_dump(str(path))
        except pcikit.PcikitError:
            continue
        expected = json.dumps([device_document(dev) for dev in devices], indent=2)
        assert "".join(iter_dumps(devices)) == expected, path
        compared += len(devices)
    assert compared > 100
    print(f"{compared} corpus devices printed as json.dumps(indent=2) prints them")
