"""The JSON contract: docs/pcikit.schema.json validates every corpus, fixture and live device's JSON,
``[]`` for no match, lspci's order, and docs/json-schema.md names every key the schema lists."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pcikit.ids import IdDatabase
from pcikit.render.json import device_document
from pcikit.offline import dump_devices
from pcikit.sources import live_devices, lspci_order

from .conftest import ROOT, dump_text, need_corpus, put, run_cli

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema (test extra) validates docs/pcikit.schema.json")

SCHEMA_PATH = ROOT / "docs" / "pcikit.schema.json"
DOC_PATH = ROOT / "docs" / "json-schema.md"


@pytest.fixture(scope="module")
def schema() -> dict:
    document = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(document)
    return document


def _validator(schema: dict, ref: str = ""):
    target = {"$ref": f"#/$defs/{ref}"} if ref else schema
    if ref:
        target = {**target, "$defs": schema["$defs"]}
    return jsonschema.Draft202012Validator(target)


def _errors(validator, document) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator.iter_errors(document)]


def _dump_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".txt", ".bin", ".lspci") or
                  p.is_file() and p.name.endswith(".config.bin"))


def test_every_corpus_device_matches_the_schema(schema):
    corpus = need_corpus()
    validator = _validator(schema, "device")
    ids = IdDatabase.load()
    checked, failures = 0, []
    for path in _dump_files(corpus):
        try:
            devices = dump_devices(path)
        except Exception:  # noqa: BLE001 - files that are not dumps (README, manifests)
            continue
        for dev in devices:
            document = device_document(dev, ids)
            errors = _errors(validator, document) + _int_speeds(document)
            if errors:
                failures.append(f"{path.name} {dev.address}: {errors[:3]}")
            checked += 1
    assert not failures, "\n".join(failures[:20])
    assert checked >= 100, f"only {checked} corpus devices validated"


def _int_speeds(node, path: str = "") -> list[str]:
    """Link speeds (``*_gts``) that would print as integers: JSON Schema cannot tell 8 from 8.0."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("_gts") and value is not None and not isinstance(value, float):
                found.append(f"{path}/{key}: {value!r} is not a float")
            found.extend(_int_speeds(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found.extend(_int_speeds(item, f"{path}/{index}"))
    return found


def test_fixture_and_spec_devices_match_the_schema(schema):
    from pcikit.fixture import build, load_spec

    validator = _validator(schema, "device")
    specs = sorted((ROOT / "specs").glob("*.toml")) + sorted((ROOT / "fixtures").rglob("*.toml"))
    checked = 0
    for spec in specs:
        dev = build(load_spec(spec)).device()
        assert not _errors(validator, device_document(dev)), spec
        checked += 1
    assert checked == len(specs) > 0


def test_live_devices_match_the_schema(schema):
    devices = live_devices() if Path("/sys/bus/pci/devices").is_dir() else []
    if not devices:
        pytest.skip("no live PCI devices here")
    validator = _validator(schema, "device")
    for dev in devices:
        assert not _errors(validator, device_document(dev)), dev.address


def test_cli_output_matches_the_schema(schema):
    corpus = need_corpus()
    files = [p for p in _dump_files(corpus) if p.suffix == ".txt"][:10]
    validator, msix = _validator(schema), _validator(schema, "msix_command_output")
    checked = 0
    for path in files:
        result = run_cli("show", "--json", "-F", str(path))
        if result.returncode != 0:
            continue
        assert not _errors(validator, json.loads(result.stdout)), path
        out = run_cli("msix", "--json", "-F", str(path))
        if out.returncode == 0:
            assert not _errors(msix, json.loads(out.stdout)), path
        checked += 1
    assert checked > 0


def _config(device_id: int) -> bytes:
    data = bytearray(256)
    put(data, 0, 4, 0x1AF4 | device_id << 16)
    put(data, 0x08, 4, 0x02000001)
    return bytes(data)


def test_no_match_prints_an_empty_array_and_exits_1(tmp_path):
    dump = tmp_path / "d.txt"
    dump.write_text(dump_text([("00:03.0", _config(0x1041))]))
    result = run_cli("show", "--json", "-F", str(dump), "-s", "07:00.0")
    assert result.returncode == 1 and json.loads(result.stdout) == []
    result = run_cli("msix", "--json", "-F", str(dump), "-s", "07:00.0")
    assert result.returncode == 1 and json.loads(result.stdout) == []
    empty = tmp_path / "nothing.txt"
    empty.write_text("no devices here\n")
    result = run_cli("show", "--json", "-F", str(empty))
    assert result.returncode == 1 and json.loads(result.stdout) == []


def test_json_comes_in_lspci_order(tmp_path):
    slots = ["0001:00:01.0", "00:1f.3", "00:02.0", "00:02.1", "03:00.0"]
    dump = tmp_path / "shuffled.txt"
    dump.write_text(dump_text([(slot, _config(0x1041 + i)) for i, slot in enumerate(slots)]))
    documents = json.loads(run_cli("show", "--json", "-F", str(dump)).stdout)
    expected = ["0000:00:02.0", "0000:00:02.1", "0000:00:1f.3", "0000:03:00.0", "0001:00:01.0"]
    assert [d["slot"] for d in documents] == expected
    assert [str(d.address) for d in lspci_order(dump_devices(dump))] == expected


def _schema_keys(node, out: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties":
                out.update(value)
            _schema_keys(value, out)
    elif isinstance(node, list):
        for item in node:
            _schema_keys(item, out)


def test_every_schema_key_is_documented(schema):
    documented = set(re.findall(r"`([a-z_0-9]+)`", DOC_PATH.read_text()))
    keys: set[str] = set()
    _schema_keys(schema, keys)
    missing = sorted(keys - documented)
    assert not missing, f"keys in docs/pcikit.schema.json that docs/json-schema.md does not name: {missing}"
