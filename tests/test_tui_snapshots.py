"""SVG snapshots of the inspector's main screens at 80x24, 120x40 and 160x50 on the spec-built examples.

Each screen is Textual's own ``App.export_screenshot()`` compared with a committed SVG,
after :func:`normalise` (the SVG's content-hash ids). Names come from
``tests/snapshots/pci.ids``, so the machine's pci.ids cannot change them. Textual
draws differently from release to release: the snapshots name the Textual version
they were made with and are skipped, visibly, under another one.

Regenerate (after a deliberate change to what the TUI draws; look at the SVGs before
committing them)::

    PCIKIT_UPDATE_SNAPSHOTS=1 python3 -m pytest tests/test_tui_snapshots.py -q
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import textual

from pcikit.address import Address

from .tui_support import app_for, press, run, scanned, wait_for, write_dump

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
SCREENS = SNAPSHOTS / "tui"
VERSION_FILE = SCREENS / "TEXTUAL_VERSION"
UPDATE = os.environ.get("PCIKIT_UPDATE_SNAPSHOTS") == "1"
SIZES = ((80, 24), (120, 40), (160, 50))
NVME = Address.parse("01:00.0")
# (screen name, keys pressed after the previous screen)
SCREEN_KEYS = (("list", ()), ("capabilities", ("2",)), ("hex", ("4", "down", "right")), ("lspci", ("6",)))


def normalise(svg: str) -> str:
    """Drop what changes between identical screens: Rich's per-export ids."""
    return re.sub(r"terminal-\d+", "terminal", svg)


async def settled_screenshot(pilot, app, timeout: float = 10.0) -> str:
    """The normalised SVG once two exports in a row agree (deferred renders have landed)."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    previous = normalise(app.export_screenshot())
    while True:
        await pilot.pause(0.05)
        await pilot.wait_for_animation()
        current = normalise(app.export_screenshot())
        if current == previous or loop.time() > deadline:
            return current
        previous = current


def _check(name: str, svg: str, mismatches: list[str]) -> None:
    path = SCREENS / f"{name}.svg"
    if UPDATE:
        path.write_text(svg)
    elif not path.is_file():
        mismatches.append(f"{name}: no snapshot (regenerate: PCIKIT_UPDATE_SNAPSHOTS=1)")
    elif path.read_text() != svg:
        mismatches.append(f"{name}: differs from {path.relative_to(SNAPSHOTS.parent.parent)}")
        if os.environ.get("PCIKIT_SNAPSHOT_FAILURES"):  # keep what was drawn, to compare by eye
            Path(os.environ["PCIKIT_SNAPSHOT_FAILURES"], f"{name}.svg").write_text(svg)


@pytest.fixture(scope="module", autouse=True)
def textual_version():
    if UPDATE:
        SCREENS.mkdir(parents=True, exist_ok=True)
        VERSION_FILE.write_text(textual.__version__ + "\n")
    made_with = VERSION_FILE.read_text().strip() if VERSION_FILE.is_file() else None
    if made_with != textual.__version__:
        pytest.skip(f"snapshots made with Textual {made_with}, this is {textual.__version__}")


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_main_screens(tmp_path: Path, size: tuple[int, int], monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = app_for(write_dump(tmp_path), ids_file=str(SNAPSHOTS / "pci.ids"))
    mismatches: list[str] = []
    counted = []

    async def scenario(pilot):
        await scanned(pilot, app)
        from pcikit.tui.widgets.device_list import DeviceList

        app.query_one(DeviceList).select(NVME)
        pane = app.query_one("#detail")
        await wait_for(pilot, lambda: pane.inspection.device.address == NVME)
        for name, keys in SCREEN_KEYS:
            await press(pilot, *keys)
            _check(f"{name}-{size[0]}x{size[1]}", await settled_screenshot(pilot, app), mismatches)
            counted.append(name)

    run(app, scenario, size=size)
    assert counted == [name for name, _ in SCREEN_KEYS]  # every screen was compared
    assert not mismatches, "\n".join(mismatches)


def test_help_overlay(tmp_path: Path):
    app = app_for(write_dump(tmp_path), ids_file=str(SNAPSHOTS / "pci.ids"))
    mismatches: list[str] = []

    async def scenario(pilot):
        await scanned(pilot, app)
        await press(pilot, "question_mark")
        _check("help-120x40", await settled_screenshot(pilot, app), mismatches)

    run(app, scenario, size=(120, 40))
    assert not mismatches, "\n".join(mismatches)
