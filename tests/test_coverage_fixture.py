"""The coverage fixture is current and exercises every capability ID pcikit names."""
from __future__ import annotations

from pcikit.schema import registry
from pcikit.offline import dump_devices

from .conftest import need_corpus
from .make_coverage_fixture import OUT, build
from .oracle import corpus_files


def test_fixture_is_current():
    rows = OUT.read_text().splitlines()[1:-1]
    data = bytes.fromhex(" ".join(row.split(": ", 1)[1] for row in rows))
    assert data == build(), "regenerate with: python3 -m tests.make_coverage_fixture"


def test_every_named_capability_has_a_dump():
    need_corpus()
    seen = {(cap.extended, cap.cap_id) for dev in dump_devices(OUT)
            for cap in dev.capabilities + dev.extended_capabilities}
    for path in corpus_files():
        seen |= {(cap.extended, cap.cap_id) for dev in dump_devices(path)
                 for cap in dev.capabilities + dev.extended_capabilities}
    missing = [f"std 0x{i:02x}" for i in registry.STANDARD if i and (False, i) not in seen]
    missing += [f"ext 0x{i:02x}" for i in registry.EXTENDED if i and (True, i) not in seen]
    assert not missing, missing
