"""The distributed engine: a Dask LocalCluster of 2 workers writes the same dataset as pcikit export."""
from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import need_corpus, run_cli

pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")
distributed = pytest.importorskip("distributed")

HOSTS = ("gh-p61-s3-b3", "gh-talos2-power9", "gh-huananzhi-x99-qd4", "gh-m11x-hwinfo-m11x",
         "linux-pci-20191122-rk3399-rockpro64-pcie-synchronous-ex", "gh-samsung-np350v5c")


def _fleet(root: Path) -> Path:
    corpus = need_corpus() / "real"
    for name in HOSTS:
        (root / name).mkdir(parents=True)
        (root / name / "lspci.txt").write_bytes((corpus / f"{name}.txt").read_bytes())
    (root / "broken").mkdir()
    (root / "broken" / "lspci.txt").write_text("00:00.0 x\n00: zz\n")
    return root


def _rows(dataset: Path, sql: str) -> list:
    from pcikit.fleet.query import run_query

    return run_query(str(dataset), sql)[1]


def test_two_dask_workers_give_the_embedded_findings(tmp_path):
    from distributed import Client, LocalCluster

    from pcikit.fleet.distributed import export_dask

    fleet = _fleet(tmp_path / "fleet")
    embedded = tmp_path / "embedded"
    assert run_cli("export", str(fleet), "-o", str(embedded), "-j", "1").returncode == 0
    import dask

    with dask.config.set({"temporary-directory": str(tmp_path / "dask-scratch")}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        counts = export_dask(client, [str(fleet)], str(tmp_path / "dask"), hosts_per_task=2)
        cli = run_cli("export", str(fleet), "-o", str(tmp_path / "cli"), "--dask", cluster.scheduler_address)
        assert cli.returncode == 0, cli.stderr
    assert counts["devices"] > 100 and counts["errors"] == 1
    parts = list((tmp_path / "dask" / "findings").glob("*.parquet"))
    assert len(parts) == 4  # 7 hosts in batches of 2: four tasks, four parts
    for sql in ("SELECT host, slot, check_name, severity, message, expected, actual, upstream FROM findings ORDER BY ALL",
                "SELECT host, slot, vendor_id, device_id, link_speed_gts, link_width FROM devices ORDER BY ALL",
                "SELECT host, error FROM errors ORDER BY ALL"):
        a, b = _rows(embedded, sql), _rows(tmp_path / "dask", sql)
        assert a and a == b == _rows(tmp_path / "cli", sql), sql
