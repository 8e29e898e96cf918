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
