"""Mutated real devices: the inputs of the property test, and a fixed, seeded set of them for the oracles.

A mutation overwrites up to 24 bytes of a corpus device's config image and cuts it to a
length; the differential test writes a seeded batch as an lspci dump so both lspci
releases and pcikit read the same bytes.
"""
from __future__ import annotations

import random
from pathlib import Path

CONFIG_SIZE = 4096
MAX_FLIPS = 24


def mutate(data: bytes, flips: list[tuple[int, int]], cut: int) -> bytes:
    """``data`` with each (offset, value) applied where in range, cut to ``cut`` bytes (at least one)."""
    buf = bytearray(data)
    for offset, value in flips:
        if offset < len(buf):
            buf[offset] = value
    return bytes(buf[: max(1, min(cut, len(buf)))])


def corpus_images(files: list[Path]) -> list[bytes]:
    """Every device's readable config bytes in these dumps."""
    from pcikit.access.dump import load_dump

    images = []
    for path in files:
        images.extend(entry.config.read_block(0, entry.config.size) for entry in load_dump(path))
    return images


def seeded(images: list[bytes], count: int, seed: int) -> list[bytes]:
    """``count`` mutations of ``images``, the same for the same seed: flips land in the header,
    the capability lists and the extended space alike, and most images keep a whole dword count."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        data = images[rng.randrange(len(images))]
        flips = [(rng.choice((rng.randrange(64), rng.randrange(256), rng.randrange(CONFIG_SIZE))), rng.randrange(256))
                 for _ in range(rng.randrange(1, MAX_FLIPS + 1))]
        cut = len(data) if rng.random() < 0.7 else rng.choice((64, 128, 256, rng.randrange(64, CONFIG_SIZE, 4)))
        out.append(mutate(data, flips, cut))
    return out


def write_dump(images: list[bytes], path: Path) -> Path:
    """An ``lspci -xxxx`` style dump with one device per image, on bus 01 onwards."""
    lines = []
    for index, data in enumerate(images):
        lines.append(f"{1 + index // 32:02x}:{index % 32:02x}.0 Device {index}")
        lines.extend(f"{base:02x}: " + " ".join(f"{b:02x}" for b in data[base:base + 16])
                     for base in range(0, len(data), 16))
        lines.append("")
    path.write_text("\n".join(lines) + "\n")
    return path
