"""pcikit's lspci-compatible text against the real lspci, device by device, over every real dump.

Reads ../shared/corpus (skips visibly without it) and the project's own fixtures/. pcikit runs
with no lspci on its PATH; lspci is only the oracle. The session summary prints the share of
lspci's lines reproduced.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from . import oracle
from .conftest import ROOT, need_lspci

SHARE: dict[str, list[int]] = {}


def _fixture_dumps() -> list[Path]:
    folder = ROOT / "fixtures"
    return sorted(p for p in folder.rglob("*.txt") if p.is_file()) if folder.is_dir() else []


def _files() -> list[Path]:
    return oracle.corpus_files() + _fixture_dumps()


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@pytest.mark.parametrize("path", _files() or [None], ids=lambda p: _id(p) if p else "no-corpus")
def test_matches_lspci_vvv(path):
    need_lspci()
    if path is None:
        pytest.skip(f"no corpus at {oracle.CORPUS} and no fixtures/ dumps")
    result = oracle.compare(path, "-vvv")
    totals = SHARE.setdefault("-vvv", [0, 0, 0, 0])
    totals[0] += result.matched_lines
    totals[1] += result.total_lines
    totals[2] += result.devices
    totals[3] += len(result.mismatches)
    assert not result.mismatches, "\n".join(result.mismatches)


@pytest.mark.parametrize("flags", [("-v",), ("-vv",), ("-n",), ("-nn", "-v"), ("-D",)])
def test_other_verbosities_on_pciutils_dumps(flags):
    need_lspci()
    files = [p for p in oracle.corpus_files() if "pciutils-tests" in p.parts]
    if not files:
        pytest.skip(f"no pciutils dumps under {oracle.CORPUS}")
    problems = []
    for path in files:
        problems.extend(oracle.compare(path, *flags).mismatches)
    assert not problems, "\n".join(problems[:20])
