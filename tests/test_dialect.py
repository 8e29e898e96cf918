"""``--lspci-version`` / ``PCIKIT_LSPCI_VERSION``: which lspci release the renderers imitate."""
from __future__ import annotations

import subprocess

import pytest

from pcikit.render.lspci.dialect import (
    NEWEST, SUPPORTED, V3_9, V3_13, V3_14, LspciVersion, choose_version, parse_version,
)

from .conftest import ROOT, run_cli

DUMP = ROOT / "fixtures" / "legacy-pci.lspci.txt"


def test_versions_order_numerically():
    assert V3_9 < LspciVersion(3, 10) < V3_13 < V3_14
    assert [str(v) for v in SUPPORTED] == ["3.9", "3.10", "3.11", "3.12", "3.13", "3.14"]
    assert NEWEST == V3_14


@pytest.mark.parametrize("text, want", [("3.9", V3_9), ("3.14", V3_14), ("3.14.0", V3_14), (" 3.13 ", V3_13)])
def test_parse(text, want):
    assert parse_version(text) == want


@pytest.mark.parametrize("text", ["3.8", "3.15", "4.0", "x", "", "3", "3.9.0.1", "03.9x"])
def test_parse_rejects(text):
    with pytest.raises(ValueError, match="supported: 3.9 ... 3.14"):
        parse_version(text)


def test_choose_prefers_option_then_environment_then_newest():
    assert choose_version("3.9", {"PCIKIT_LSPCI_VERSION": "3.13"}) == V3_9
    assert choose_version(None, {"PCIKIT_LSPCI_VERSION": "3.13"}) == V3_13
    assert choose_version(None, {}) == NEWEST
    with pytest.raises(ValueError, match="PCIKIT_LSPCI_VERSION"):
        choose_version(None, {"PCIKIT_LSPCI_VERSION": "2.0"})


@pytest.mark.parametrize("command", [["list"], ["show", "--format", "lspci", "-vv"], ["tree"], ["dump"]])
def test_every_lspci_command_takes_the_option(command):
    good = run_cli(*command, "--lspci-version", "3.9", "-F", str(DUMP))
    assert good.returncode == 0 and good.stdout
    bad = run_cli(*command, "--lspci-version", "3.99", "-F", str(DUMP))
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and "3.99" in bad.stderr


def test_bad_environment_value_is_one_line(monkeypatch):
    monkeypatch.setenv("PCIKIT_LSPCI_VERSION", "nine")
    result = run_cli("list", "-F", str(DUMP))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "PCIKIT_LSPCI_VERSION" in result.stderr


def test_six_digit_domains_are_read_as_lspci_3_13_and_later_read_them(tmp_path):
    from . import oracle
    from .conftest import dump_text, need_oracle

    need_oracle("3.14")
    header = bytes.fromhex("86803412") + bytes(7) + b"\x02" + bytes(52)
    path = tmp_path / "domains.txt"
    path.write_text(dump_text([("12345:00:02.0", header), ("123456:00:03.0", header)]))
    theirs = oracle.run_lspci(path, "-n", version="3.14")
    assert "123456:00:03.0 0200: 8086:1234" in theirs
    assert oracle.run_pcikit(path, "-n", version="3.14", command=("list",)) == theirs


# -- -s / -d filters as pciutils parses them --------------------------------------------------------
FILTERS = [
    ("-d", "8086:"), ("-d", ":1234"), ("-d", "::0604"), ("-d", "::06xx"), ("-d", "::x"), ("-d", "::0c03:30"),
    ("-d", "::01xX"), ("-d", "*:*:0200"), ("-d", "10de:*:03xx:00"), ("-s", "00:1f"), ("-s", ".3"),
    ("-s", "*:*.1"), ("-s", "0001::"), ("-s", "1:"),
    # accepted from lspci 3.10 on (pcikit accepts them under every --lspci-version)
    ("-d", "0x8086:"), ("-d", ":0X1234"), ("-s", "0x00:0x1f.0x3"), ("-d", "::0c03:0x30"),
    # refused by every lspci release
    ("-d", "::0x0200"), ("-d", "8086"), ("-d", "1:2:3:4:5"), ("-d", "::1xxxx"), ("-s", "100:"), ("-s", "00:20"),
    ("-d", "::0c03:x"), ("-s", "0:0:0:0"), ("-d", "g:"),
]


@pytest.mark.parametrize("version", ["3.9", "3.14"])
def test_filters_select_what_lspci_selects(version):
    from . import oracle
    from .conftest import need_oracle

    lspci = need_oracle(version)
    files = oracle.corpus_files()[::8] + oracle.fixture_files()
    compared = 0
    for option, value in FILTERS:
        if version == "3.9" and "0x" in value.lower() and value != "::0x0200":
            continue  # 3.9 refuses the 0x prefix; pcikit keeps 3.10's reading
        for path in files:
            theirs = subprocess.run([lspci, "-O", "hwdb.disable=1", "-F", str(path), "-n", option, value],
                                    capture_output=True, text=True)
            ours = oracle.run_pcikit(path, "-n", option, value, version=version, command=("list",))
            where = f"{path.name} {option} {value}: {ours!r}"
            if theirs.returncode:
                assert ours.startswith("<pcikit exit 2: ") and ours.count("\n") == 1, where
            elif not theirs.stdout:
                assert ours.startswith("<pcikit exit 1: "), where
            else:
                assert ours == theirs.stdout, where
                compared += theirs.stdout.count("\n")
    assert compared > 0
