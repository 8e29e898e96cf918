"""The argparse-free fast path parses every command line it accepts exactly as argparse does."""
from __future__ import annotations

import pytest

from pcikit import cli
from pcikit.quickargs import quick_parse

ACCEPTED = [
    [], ["-v"], ["-vvv"], ["-nn"], ["-n", "-n", "-k"], ["-nnk"], ["-D"], ["-s", "00:02.0"], ["-s00:02.0"],
    ["-d", "1af4:"], ["-F", "dump.txt", "-vv"], ["--sysfs-root", "/tmp/x"], ["--sysfs-root=/tmp/x"],
    ["-O", "hwdb.disable=1", "-O", "hwdb.disable=0"], ["-i", "ids"], ["--lspci-version", "3.9"],
    ["-mm"], ["-vmm"], ["-PP"], ["-b"], ["-s", ""], ["--qemu=-device nvme"],
]
SHOW_ONLY = [
    ["--json"], ["--format", "lspci", "-vvv"], ["--format=json"], ["-xxx", "--format", "lspci"], ["-F", "d.txt", "-vv", "-x"],
    ["--bar", "0=a.bin", "--bar", "2=b.bin"], ["--json", "--format", "text"], ["--format", "text", "--json"],
]
REFUSED = [  # left to argparse: help, abbreviations, unknown options, values that look like options
    ["-h"], ["--help"], ["--form", "json"], ["--format", "xml"], ["-s"], ["-s", "-v"], ["-vs", "00:02.0"],
    ["--bogus"], ["extra"], ["--"], ["-Ohwdb.disable=1"], ["-s=00:02.0"], ["--json=1"], ["-q"],
]


def _argparse(command: str, argv: list[str]) -> dict:
    values = vars(cli.build_parser(command).parse_args([command, *argv]))
    values.pop("command")
    return values


@pytest.mark.parametrize("command", ["list", "show"])
@pytest.mark.parametrize("argv", ACCEPTED + SHOW_ONLY)
def test_quick_parse_equals_argparse(command, argv):
    if command == "list" and argv in SHOW_ONLY:
        assert quick_parse(cli._SUBCOMMANDS[command][1], argv) is None
        return
    quick = quick_parse(cli._SUBCOMMANDS[command][1], argv)
    assert quick is not None, argv
    assert quick == _argparse(command, argv)


@pytest.mark.parametrize("argv", REFUSED)
def test_quick_parse_leaves_the_rest_to_argparse(argv):
    assert quick_parse(cli._SUBCOMMANDS["show"][1], argv) is None


def test_defaults_are_not_shared_between_parses():
    first = quick_parse(cli._SUBCOMMANDS["show"][1], ["--bar", "0=a"])
    second = quick_parse(cli._SUBCOMMANDS["show"][1], [])
    assert first["bar"] == ["0=a"] and second["bar"] == []
