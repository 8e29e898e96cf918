"""pcikit export and pcikit query: a folder-per-host fleet built from bytes, read back with DuckDB."""
from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, dump_text, need_corpus, run_cli
from .health_images import ENDPOINT, ROOT_PORT, add_aer, function

pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")

PORT, EP = "00:01.0", "01:00.0"
VENDOR = 0x1AB4  # what health_images writes at offset 0


def _host(folder: Path, functions, name="lspci.txt") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(dump_text(functions))


@pytest.fixture(scope="module")
def fleet(tmp_path_factory) -> Path:
    """host-a: x16 card at x4 behind an x8 port; host-b: healthy; host-c: fatal AER + a bad file."""
    root = tmp_path_factory.mktemp("fleet")
    port = function(ROOT_PORT, 8, 3, 8, 3, bus=(1, 1))
    _host(root / "host-a", [(PORT, port), (EP, function(ENDPOINT, 16, 3, 4, 3))])
    _host(root / "host-b", [(PORT, port), (EP, function(ENDPOINT, 16, 3, 8, 3))])
    text = (root / "host-b" / "lspci.txt").read_bytes()  # -vvv text lines may carry any bytes
    (root / "host-b" / "lspci.txt").write_bytes(text.replace(b"Device title", b"Caf\xe9 \xc3\xa9l\xe8ve", 1))
    fatal = add_aer(function(ENDPOINT, 16, 3, 8, 3), uncorrectable=1 << 5, severity=1 << 5)
    _host(root / "host-c", [(PORT, port), (EP, fatal)])
    (root / "host-c" / "garbage.txt").write_text("no dump here\n")
    (root / "host-c" / "huge.bin").write_bytes(b"\x01" * 5000)
    return root


def _export(*args: str) -> subprocess.CompletedProcess:
    result = run_cli("export", *args)
    assert result.returncode == 0, result.stderr
    return result


def _query(dataset: Path, sql: str) -> list[dict]:
    from pcikit.fleet.query import run_query

    columns, rows = run_query(str(dataset), sql)
    return [dict(zip(columns, row)) for row in rows]


@pytest.fixture(scope="module")
def dataset(fleet, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out") / "ds"
    _export(str(fleet), "-o", str(out), "-j", "2")
    return out


def test_layout_and_tables(dataset):
    assert sorted(os.listdir(dataset)) == ["capabilities", "devices", "errors", "findings", "links"]
    rows = _query(dataset, "SELECT host, count(*) AS n FROM devices GROUP BY host ORDER BY host")
    assert rows == [{"host": "host-a", "n": 2}, {"host": "host-b", "n": 2}, {"host": "host-c", "n": 2}]
    links = _query(dataset, "SELECT host, slot, upstream, width, capable_width FROM links ORDER BY host")
    assert [(r["host"], r["width"], r["capable_width"], r["upstream"]) for r in links] == [
        ("host-a", 4, 8, "0000:00:01.0"), ("host-b", 8, 8, "0000:00:01.0"), ("host-c", 8, 8, "0000:00:01.0")]
    caps = _query(dataset, "SELECT DISTINCT cap_id, extended FROM capabilities ORDER BY cap_id")
    assert caps == [{"cap_id": 1, "extended": True}, {"cap_id": 0x10, "extended": False}]


def test_bad_inputs_are_error_rows(dataset):
    errors = _query(dataset, "SELECT host, source, error FROM errors ORDER BY source")
    assert [(e["host"], Path(e["source"]).name) for e in errors] == [("host-c", "garbage.txt"), ("host-c", "huge.bin")]
    assert "no device found" in errors[0]["error"] and "larger than 4096" in errors[1]["error"]


def test_operator_queries(dataset):
    downtrained = _query(dataset, """
        SELECT d.vendor_id, d.device_id, count(*) AS links
        FROM links l JOIN devices d USING (host, slot)
        WHERE l.width < l.capable_width OR l.speed_gts < l.capable_speed_gts
        GROUP BY ALL ORDER BY links DESC""")
    assert downtrained == [{"vendor_id": VENDOR, "device_id": 0x1000, "links": 1}]
    fatal = _query(dataset, "SELECT DISTINCT host FROM findings WHERE check_name = 'aer' AND severity = 'error'")
    assert fatal == [{"host": "host-c"}]
    missing = _query(dataset, """
        SELECT h.host, b.vendor_id, b.device_id, b.slot
        FROM (SELECT DISTINCT host FROM devices) h
        CROSS JOIN (SELECT slot, vendor_id, device_id FROM devices WHERE host = 'host-b') b
        ANTI JOIN devices d ON d.host = h.host AND d.slot = b.slot AND d.vendor_id = b.vendor_id
                             AND d.device_id = b.device_id""")
    assert missing == []


def test_jsonl_and_one_worker_give_the_same_rows(fleet, dataset, tmp_path):
    other = tmp_path / "jsonl"
    _export(str(fleet), "-o", str(other), "--format", "jsonl", "-j", "1")
    sql = "SELECT host, slot, check_name, severity, expected, actual, upstream FROM findings ORDER BY ALL"
    rows = _query(dataset, sql)
    assert len(rows) == 2 and rows == _query(other, sql)


def test_json_documents_export_like_their_dumps(tmp_path):
    corpus = need_corpus()
    dump = corpus / "real" / "gh-p61-s3-b3.txt"
    show = run_cli("show", "--json", "-F", str(dump))
    assert show.returncode == 0, show.stderr
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "doc.json").write_text(show.stdout)
    _export(str(dump), "--host", "h", "-o", str(tmp_path / "a"), "-j", "1")
    _export(str(tmp_path / "in" / "doc.json"), "--host", "h", "-o", str(tmp_path / "b"), "-j", "1")
    for sql in ("SELECT slot, check_name, severity, expected, actual, upstream FROM findings ORDER BY ALL",
                "SELECT slot, vendor_id, device_id, class_code, link_speed_gts, link_width FROM devices ORDER BY ALL",
                "SELECT * EXCLUDE (host) FROM links ORDER BY ALL"):
        a, b = _query(tmp_path / "a", sql), _query(tmp_path / "b", sql)
        assert a and a == b, sql


def test_usage_errors(fleet, dataset, tmp_path):
    assert run_cli("export", str(fleet), str(fleet), "--host", "x", "-o", str(tmp_path / "x")).returncode == 2
    assert run_cli("export", str(fleet), "-o", str(dataset)).returncode == 2  # not empty
    assert run_cli("export", str(tmp_path / "absent"), "-o", str(tmp_path / "y")).returncode == 2
    bad = run_cli("query", str(dataset), "SELECT nope FROM devices")
    assert bad.returncode == 2 and bad.stderr.startswith("pcikit query: query failed") and "Traceback" not in bad.stderr
    assert run_cli("query", str(tmp_path), "SELECT 1").returncode == 2
    table = run_cli("query", str(dataset), "SELECT host FROM devices ORDER BY host LIMIT 1")
    assert table.stdout.splitlines() == ["host", "------", "host-a", "(1 row)"]
    rows = json.loads(run_cli("query", str(dataset), "SELECT host, problems FROM devices LIMIT 1", "--json").stdout)
    assert rows == [{"host": rows[0]["host"], "problems": []}]


def test_progress_only_on_a_terminal(fleet, tmp_path):
    quiet = _export(str(fleet / "host-a"), "-o", str(tmp_path / "q"), "-j", "1")
    assert quiet.stderr == ""
    master, slave = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "pcikit", "export", str(fleet / "host-a"), "-o", str(tmp_path / "t"),
                           "-j", "1"], stdout=subprocess.PIPE, stderr=slave, env=env, timeout=60)
    os.close(slave)
    drawn = os.read(master, 4096).decode()
    os.close(master)
    assert proc.returncode == 0 and "\rexport: 1 hosts, 2 devices" in drawn


def test_hostile_json_documents_are_error_rows(tmp_path):
    host = tmp_path / "in" / "h"
    host.mkdir(parents=True)
    (host / "a.json").write_text('[{"slot": "zz"}, {"slot": "00:01.0", "config_size": 99999}, 7]')
    (host / "b.json").write_text("[" * 100000)
    (host / "c.json").write_text('{"slot": "00:02.0", "config_size": 64, "header": {"common": 5}}')
    _export(str(tmp_path / "in"), "-o", str(tmp_path / "ds"), "-j", "1")
    errors = _query(tmp_path / "ds", "SELECT source, error FROM errors ORDER BY source, error")
    assert len(errors) >= 4 and {Path(e["source"]).name for e in errors} == {"a.json", "b.json", "c.json"}
    assert _query(tmp_path / "ds", "SELECT count(*) AS n FROM devices") == [{"n": 0}]


@pytest.mark.live
def test_live_json_capture_keeps_the_driver(tmp_path):
    if not os.path.isdir("/sys/bus/pci/devices"):
        pytest.skip("no live PCI bus")
    show = run_cli("show", "--json")
    assert show.returncode == 0, show.stderr
    (tmp_path / "live.json").write_text(show.stdout)
    _export(str(tmp_path / "live.json"), "--host", "me", "-o", str(tmp_path / "ds"), "-j", "1")
    rows = _query(tmp_path / "ds", "SELECT slot, driver FROM devices ORDER BY slot")
    expected = []
    for doc in json.loads(show.stdout):
        link = f"/sys/bus/pci/devices/{doc['slot']}/driver"
        expected.append({"slot": doc["slot"], "driver": os.path.basename(os.readlink(link)) if os.path.islink(link) else None})
    assert rows == sorted(expected, key=lambda r: r["slot"]) and rows


def test_object_storage_urls_in_and_out(fleet):
    """fsspec URLs on both sides (the in-memory filesystem stands in for s3://)."""
    fsspec = pytest.importorskip("fsspec")
    import pyarrow.parquet as pq

    from pcikit.fleet import discover, partition

    memory = fsspec.filesystem("memory")
    for host in ("host-a", "host-c"):
        for path in (fleet / host).iterdir():
            memory.pipe(f"/fleet/{host}/{path.name}", path.read_bytes())
    hosts = list(discover(["memory://fleet"]))
    assert [h.host for h in hosts] == ["host-a", "host-c"] and all(f.startswith("memory://") for h in hosts for f in h.files)
    counts = partition(hosts, "memory://ds", "0")
    assert counts["devices"] == 4 and counts["errors"] == 2
    with memory.open("/ds/findings/part-0.parquet", "rb") as handle:
        findings = pq.read_table(handle).to_pylist()
    assert sorted((f["host"], f["check_name"], f["severity"]) for f in findings) == [
        ("host-a", "link-width", "warning"), ("host-c", "aer", "error")]
