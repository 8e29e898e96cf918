"""Property tests: arbitrary and mutated config spaces never raise, never hang, and every view renders."""
from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pcikit.access import BytesConfig
from pcikit.address import Address
from pcikit.ids import IdDatabase
from pcikit.model import Device
from pcikit.render.json import dumps
from pcikit.render.lspci import SUPPORTED, LspciOptions, render_devices
from pcikit.render.lspci.names import Namer
from pcikit.render.text import render_text

from . import mutations, oracle

_IDS = IdDatabase(b"")
_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _exercise(data: bytes) -> Device:
    dev = Device(Address(0, 1, 2, 3), BytesConfig(data))
    problems = dev.problems
    if not isinstance(problems, list):
        raise TypeError("problems must be a list")
    for release in SUPPORTED:  # every release's renderers (they differ in what they decode)
        "".join(render_devices([dev], LspciOptions(verbose=3, dialect=release), Namer(_IDS)))
    "".join(render_devices([dev], LspciOptions(verbose=1, hex_level=4), Namer(_IDS)))
    dumps([dev], _IDS)
    render_text([dev], _IDS, verbose=2)
    broken = [p for cap in dev.capabilities + dev.extended_capabilities for p in cap.problems if "cannot render" in p]
    if broken:
        raise AssertionError(f"renderer failed on decoded fields: {broken}")
    return dev


def _with_caplist(data: bytes) -> bytes:
    buf = bytearray(data)
    if len(buf) >= 0x35:
        buf[6] |= 0x10
        buf[0x34] = max(buf[0x34], 0x40)
    return bytes(buf)


@_SETTINGS
@given(st.binary(min_size=0, max_size=4096))
def test_arbitrary_bytes(data):
    _exercise(data)


@_SETTINGS
@given(st.binary(min_size=256, max_size=256))
def test_arbitrary_capability_lists(data):
    dev = _exercise(_with_caplist(data))
    assert len(dev.capabilities) <= 64


@_SETTINGS
@given(st.binary(min_size=64, max_size=1024), st.sampled_from([0x01, 0x05, 0x10, 0x11, 0x09, 0x07]))
def test_arbitrary_extended_lists(data, first_cap):
    tiled = (data * (4096 // len(data) + 1))[:4096]  # repeats make loops and plausible headers
    buf = bytearray(_with_caplist(tiled))
    buf[0x40] = first_cap if first_cap != 0x01 else 0x10
    _exercise(bytes(buf))


def _corpus_images() -> list[bytes]:
    return mutations.corpus_images(oracle.corpus_files())


_IMAGES = _corpus_images()


@_SETTINGS
@given(st.integers(min_value=0), st.lists(st.tuples(st.integers(0, 4095), st.integers(0, 255)), max_size=24),
       st.integers(min_value=1, max_value=4096))
def test_mutated_real_devices(index, flips, cut):
    if not _IMAGES:
        data = bytes(random.Random(index).randrange(256) for _ in range(256))
    else:
        data = _IMAGES[index % len(_IMAGES)]
    _exercise(mutations.mutate(data, flips, cut))
