"""pcikit's lspci-compatible text against both real lspci releases, device by device.

Inputs: the corpus (../shared/corpus or $PCIKIT_CORPUS; skips visibly without it), the
project's fixtures/ dumps and a seeded batch of mutated corpus devices (the property test's
mutations). Oracles: lspci 3.9 and 3.14 (tests/oracle.py says where each is found; a
missing one skips visibly with the reason), both with hwdb names off, and again with the
system's hwdb on both sides (lspci reads it through libudev, pcikit itself; skips visibly without
udev's hwdb.bin). pcikit imitates the oracle's release through ``--lspci-version``.

Matrix (cheap, lspci runs parallel and cached): every file at -v, -vv and -vvv; every
fourth file with -n/-nn/-D/-k variants; the mutated devices at -vvv and -vv; ``pcikit tree``
against -t/-tv on every file and -t -s on a sample; every file at -vvv and -nn -v with the
hwdb. The session summary prints each release's share of lspci lines and of exact devices
(a tree counts as one "device").
"""
from __future__ import annotations

from pathlib import Path

import pytest

from . import mutations, oracle
from .conftest import need_oracle

# (release, inputs) -> [matched lines, lspci lines, devices, exact devices]
SHARE: dict[tuple[str, str], list[int]] = {}
VERBOSITIES = (("-vvv",), ("-vv",), ("-v",))
VARIANTS = (("-vvv", "-nn"), ("-vv", "-n"), ("-v", "-D"), ("-vvv", "-k"), ("-nn",), ("-D", "-n", "-vv"))
MUTATED_DEVICES = 320
MUTATED_PER_FILE = 40
MUTATION_SEED = 12


def _files() -> list[Path]:
    return oracle.corpus_files() + oracle.fixture_files()


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _check(version: str, inputs: str, jobs: list[tuple[Path, tuple[str, ...]]], hwdb: bool = False) -> None:
    """Compare the jobs, add them to the summary, fail on any difference or on nothing compared."""
    need_oracle(version)
    results = oracle.compare_many(oracle.oracle(version), jobs, hwdb=hwdb)
    problems = []
    for result in results:
        totals = SHARE.setdefault((version, inputs), [0, 0, 0, 0])
        totals[0] += result.matched_lines
        totals[1] += result.total_lines
        totals[2] += result.devices
        totals[3] += result.exact
        problems.extend(result.mismatches)
    compared = sum(result.total_lines for result in results)
    assert compared > 0, f"lspci {version} printed nothing for {[str(path) for path, _ in jobs]}"
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("version", oracle.VERSIONS)
@pytest.mark.parametrize("path", _files() or [None], ids=lambda p: _id(p) if p else "no-inputs")
def test_every_file_at_every_verbosity(path, version):
    if path is None:
        pytest.skip(f"no corpus at {oracle.CORPUS} and no fixtures/ dumps")
    _check(version, "files -v/-vv/-vvv", [(path, flags) for flags in VERBOSITIES])


@pytest.mark.parametrize("version", oracle.VERSIONS)
@pytest.mark.parametrize("flags", VARIANTS, ids=" ".join)
def test_flag_variants_on_a_sample(flags, version):
    files = _files()[::4]
    if not files:
        pytest.skip(f"no corpus at {oracle.CORPUS} and no fixtures/ dumps")
    _check(version, "sample -n/-nn/-D/-k", [(path, flags) for path in files])


def _a_slot(path: Path, version: str) -> str:
    """The slot of the middle device lspci lists in a dump (a filter that always matches)."""
    lines = oracle.run_lspci(path, "-D", version=version).splitlines()
    return lines[len(lines) // 2].split(" ", 1)[0] if lines else "0000:00:00.0"


@pytest.mark.parametrize("version", oracle.VERSIONS)
def test_tree(version):
    """``lspci -t``/``-tv`` (and ``-t -s SLOT`` on a sample) against ``pcikit tree``, every file."""
    need_oracle(version)
    files = _files()
    if not files:
        pytest.skip(f"no corpus at {oracle.CORPUS} and no fixtures/ dumps")
    cases = [(path, ("-t",), ()) for path in files] + [(path, ("-tv",), ("-v",)) for path in files]
    cases += [(path, ("-t", "-s", slot), ("-s", slot))
              for path in files[::4] for slot in [_a_slot(path, version)]]
    problems, compared = [], 0
    totals = SHARE.setdefault((version, "tree -t/-tv/-s"), [0, 0, 0, 0])
    for path, lspci_flags, pcikit_flags in cases:
        theirs = oracle.run_lspci(path, *lspci_flags, version=version)
        ours = oracle.run_pcikit(path, *pcikit_flags, version=version, command=("tree",))
        result = oracle.compare_text(path, lspci_flags, theirs, ours)
        totals[0] += result.matched_lines
        totals[1] += result.total_lines
        totals[2] += result.devices
        totals[3] += result.exact
        compared += result.total_lines
        problems.extend(result.mismatches)
    assert compared > 0, f"lspci {version} drew no tree"
    assert not problems, "\n".join(problems[:20])


@pytest.fixture(scope="session")
def mutated_dumps(tmp_path_factory) -> list[Path]:
    """The seeded mutations of every corpus device, written as lspci dumps."""
    images = mutations.corpus_images(oracle.corpus_files())
    if not images:
        pytest.skip(f"no corpus at {oracle.CORPUS} to mutate")
    chosen = mutations.seeded(images, MUTATED_DEVICES, MUTATION_SEED)
    folder = tmp_path_factory.mktemp("mutated")
    return [mutations.write_dump(chosen[start:start + MUTATED_PER_FILE], folder / f"mutated-{start:04d}.txt")
            for start in range(0, len(chosen), MUTATED_PER_FILE)]


@pytest.mark.parametrize("version", oracle.VERSIONS)
@pytest.mark.parametrize("flags", [("-vvv",), ("-vv",)], ids=" ".join)
def test_mutated_devices(mutated_dumps, flags, version):
    _check(version, "mutated -vv/-vvv", [(path, flags) for path in mutated_dumps])


@pytest.mark.parametrize("version", oracle.VERSIONS)
@pytest.mark.parametrize("path", _files() or [None], ids=lambda p: _id(p) if p else "no-inputs")
def test_every_file_with_the_system_hwdb(path, version):
    if path is None:
        pytest.skip(f"no corpus at {oracle.CORPUS} and no fixtures/ dumps")
    if oracle.system_hwdb() is None:
        pytest.skip("no hwdb.bin on this system (Debian: apt-get install udev)")
    _check(version, "files with hwdb -vvv, -nn -v", [(path, ("-vvv",)), (path, ("-nn", "-v"))], hwdb=True)


@pytest.mark.parametrize("version", oracle.VERSIONS)
def test_tree_with_the_system_hwdb(version):
    """``lspci -tv`` against ``pcikit tree -v``, every file, names from the system's hwdb too."""
    need_oracle(version)
    files = _files()
    if not files:
        pytest.skip(f"no corpus at {oracle.CORPUS} and no fixtures/ dumps")
    if oracle.system_hwdb() is None:
        pytest.skip("no hwdb.bin on this system (Debian: apt-get install udev)")
    problems, compared = [], 0
    totals = SHARE.setdefault((version, "tree -tv with hwdb"), [0, 0, 0, 0])
    for path in files:
        theirs = oracle.run_lspci(path, "-tv", version=version, hwdb=True)
        ours = oracle.run_pcikit(path, "-v", version=version, hwdb=True, command=("tree",))
        result = oracle.compare_text(path, ("-tv",), theirs, ours)
        for index, value in enumerate((result.matched_lines, result.total_lines, result.devices, result.exact)):
            totals[index] += value
        compared += result.total_lines
        problems.extend(result.mismatches)
    assert compared > 0, f"lspci {version} drew no tree"
    assert not problems, "\n".join(problems[:20])
