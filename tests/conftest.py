"""Shared test helpers: building config images and dumps from bytes."""
from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("PCIKIT_CORPUS", ROOT.parent / "shared" / "corpus"))


def image(size: int = 256, **regs: int) -> bytearray:
    """A config image of ``size`` zero bytes (use :func:`put` to fill registers)."""
    return bytearray(size)


def put(buf: bytearray, offset: int, width: int, value: int) -> None:
    """Store a little-endian value into an image."""
    buf[offset : offset + width] = value.to_bytes(width, "little")


def dump_text(devices: list[tuple[str, bytes]]) -> str:
    """lspci -x style text for (slot, bytes) pairs."""
    out = []
    for slot, data in devices:
        out.append(f"{slot} Device title")
        for base in range(0, len(data), 16):
            out.append(f"{base:02x}: " + " ".join(f"{b:02x}" for b in data[base : base + 16]))
        out.append("")
    return "\n".join(out) + "\n"


def hwdb_trie(nodes: list[tuple[str, list[tuple[str, int]], list[tuple[str, str]]]], root: int = 0) -> bytearray:
    """A hwdb.bin (format v3 records) of ``nodes``: (prefix, [(child byte, node index)], [(key, value)])."""
    strings = bytearray(b"\0")
    offsets: dict[str, int] = {}

    def string(text: str) -> int:
        if text not in offsets:
            offsets[text] = len(strings)
            strings.extend(text.encode() + b"\0")
        return offsets[text]

    starts, at = [], 80
    for _, children, values in nodes:
        starts.append(at)
        at += 24 + 16 * len(children) + 32 * len(values)
    nodes_len = at - 80
    body = bytearray()
    for prefix, children, values in nodes:
        string_refs = [(string(" " + k), string(v)) for k, v in values]
        body += struct.pack("<QB7xQ", string(prefix) if prefix else 0, len(children), len(values))
        for char, index in children:
            body += struct.pack("<B7xQ", ord(char), starts[index])
        for line, (key, value) in enumerate(string_refs):
            body += struct.pack("<QQQIHH", key, value, 0, line, 1, 0)
    placed = {text: 80 + nodes_len + off for text, off in offsets.items()}
    # rewrite string offsets now that the string section's start is known
    data = bytearray(body)
    pos = 0
    for prefix, children, values in nodes:
        if prefix:
            struct.pack_into("<Q", data, pos, placed[prefix])
        pos += 24 + 16 * len(children)
        for key, value in values:
            struct.pack_into("<QQ", data, pos, placed[" " + key], placed[value])
            pos += 32
    size = 80 + nodes_len + len(strings)
    header = b"KSLPHHRH" + struct.pack("<9Q", 252, size, 80, 24, 16, 32, starts[root], nodes_len, len(strings))
    return bytearray(header + data + strings)


def run_cli(*args: str, path_env: Optional[str] = "/nonexistent") -> subprocess.CompletedProcess:
    """Run ``python -m pcikit`` (no lspci on PATH by default)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if path_env is not None:
        env["PATH"] = path_env
    return subprocess.run([sys.executable, "-m", "pcikit", *args], capture_output=True, text=True, env=env)


def lspci_path() -> Optional[str]:
    """The real lspci, if installed."""
    return shutil.which("lspci")


def need_lspci() -> str:
    """Skip the test visibly when lspci is missing."""
    path = lspci_path()
    if path is None:
        pytest.skip("lspci (Debian pciutils) is not installed")
    return path


def need_oracle(version: str) -> str:
    """Skip visibly unless lspci ``version`` (3.9 or 3.14, see tests/oracle.py) is available; its path."""
    from . import oracle

    target = oracle.oracle(version)
    if target.missing:
        pytest.skip(target.missing)
    return target.path


def lspci_dialect():
    """The release of the lspci on PATH: what an in-process render must imitate to compare with it."""
    from pcikit.render.lspci.dialect import parse_version

    path = need_lspci()
    if path not in _DIALECTS:
        banner = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
        _DIALECTS[path] = parse_version(banner.rsplit(" ", 1)[-1])
    return _DIALECTS[path]


_DIALECTS: dict = {}


def need_corpus() -> Path:
    """Skip the test visibly when the shared corpus is missing."""
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    return CORPUS


def pytest_terminal_summary(terminalreporter):
    """Print each lspci release's differential share so progress is visible in every run."""
    from .test_differential import SHARE
    from .test_lspci_formats import COMPARED

    for version in sorted({version for version, _ in SHARE}, key=lambda v: tuple(map(int, v.split(".")))):
        rows = [(inputs, totals) for (release, inputs), totals in sorted(SHARE.items()) if release == version]
        total = [sum(values) for values in zip(*(totals for _, totals in rows))]
        for inputs, (matched, lines, devices, exact) in rows + [("all", total)]:
            share = 100.0 * matched / lines if lines else 0.0
            terminalreporter.write_line(
                f"lspci {version} differential, {inputs}: {matched}/{lines} lines ({share:.2f}%), "
                f"{exact}/{devices} devices exact"
            )
    for flags, (lines, dumps) in COMPARED.items():
        terminalreporter.write_line(f"lspci {flags}: {lines} lspci lines compared over {dumps} dumps")
