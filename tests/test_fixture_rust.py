"""``fixture build --format rust``: every shipped spec's constants compile with rustc, and the
compiled program reads back the spec's config bytes, write masks and BAR sizes.

Skipped visibly when rustc is absent.
"""
from __future__ import annotations

import shutil
import subprocess

import pytest

from pcikit.fixture import build, load_spec
from pcikit.fixture.masks import register_masks
from pcikit.fixture.outputs import render_rust

from .conftest import ROOT

SPECS = sorted((ROOT / "specs").glob("*.toml"))
MAIN = """
#![allow(dead_code)]
{modules}
fn show(name: &str, registers: &[u32], writable: &[u32], bars: &[u64; 6], vendor: u16, device: u16) {{
    let sum = registers.iter().fold(0u64, |acc, r| acc.wrapping_mul(31).wrapping_add(*r as u64));
    let masks = writable.iter().fold(0u64, |acc, r| acc.wrapping_mul(31).wrapping_add(*r as u64));
    assert_eq!(registers[0], vendor as u32 | (device as u32) << 16);
    println!("{{}} {{}} {{}} {{}} {{:?}}", name, registers.len(), sum, masks, bars);
}}
fn main() {{
{calls}
}}
"""


def _fold(words: list[int]) -> int:
    total = 0
    for word in words:
        total = (total * 31 + word) & (1 << 64) - 1
    return total


def test_rust_constants_compile_and_hold_the_spec(tmp_path):
    rustc = shutil.which("rustc")
    if rustc is None:
        pytest.skip("rustc is not installed")
    modules, calls, expected = [], [], []
    for number, path in enumerate(SPECS):
        fixture = build(load_spec(path))
        (tmp_path / f"dev{number}.rs").write_text(render_rust(fixture))
        modules.append(f'mod dev{number} {{ include!("dev{number}.rs"); }}')
        calls.append(f'    show("{path.stem}", &dev{number}::REGISTERS, &dev{number}::WRITABLE_BITS, '
                     f'&dev{number}::BAR_SIZES, dev{number}::VENDOR_ID, dev{number}::DEVICE_ID);')
        words = [int.from_bytes(fixture.config[i : i + 4], "little") for i in range(0, len(fixture.config), 4)]
        sizes = [0] * 6
        for bar in fixture.spec.bars:
            sizes[bar.index] = bar.size or 0
        expected.append(f"{path.stem} {len(words)} {_fold(words)} {_fold(register_masks(fixture).writable)} "
                        f"[{', '.join(map(str, sizes))}]")
    (tmp_path / "main.rs").write_text(MAIN.format(modules="\n".join(modules), calls="\n".join(calls)))
    subprocess.run([rustc, "--edition", "2021", "-O", "main.rs", "-o", "check"], cwd=tmp_path, check=True,
                   capture_output=True, timeout=300)
    result = subprocess.run([str(tmp_path / "check")], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == expected
    assert len(expected) == len(SPECS) >= 7
