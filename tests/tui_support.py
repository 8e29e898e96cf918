"""Helpers for the TUI tests: dump sources in tmp_path, running the app headless, reading the screen."""
from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Awaitable, Callable

from rich.console import Console

from pcikit.tui import create_app

from .tui_devices import EXAMPLE_DEVICES, dump_text

SIZE = (140, 40)


def write_dump(folder: Path, devices=EXAMPLE_DEVICES, name: str = "devices.txt") -> Path:
    """One dump file holding ``devices`` (slot, title, builder) triples."""
    path = folder / name
    path.write_text(dump_text([(slot, title, bytes(build())) for slot, title, build in devices]))
    return path


def write_dump_folder(folder: Path, devices=EXAMPLE_DEVICES) -> Path:
    """One dump file per device in ``folder`` (removing a file removes the device)."""
    folder.mkdir(exist_ok=True)
    for slot, title, build in devices:
        write_dump(folder, [(slot, title, build)], slot.replace(":", "-") + ".txt")
    return folder


def run(app, scenario: Callable[..., Awaitable[None]], size: tuple[int, int] = SIZE) -> None:
    """Run ``scenario(pilot)`` against ``app`` headless."""

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await wait_for(pilot, lambda: _first_paint_done(app), what="the detail pane's first device")
            await scenario(pilot)

    asyncio.run(main())


def _first_paint_done(app) -> bool:
    """The detail pane is mounted and shows the device under the cursor (if any is listed)."""
    from pcikit.tui.widgets.detail_pane import DetailPane

    panes = app.query(DetailPane)
    if not panes:
        return False
    return app.selected_address is None or panes.first().inspection is not None


def app_for(path: Path, **options):
    """The app over a dump, without polling unless asked."""
    options.setdefault("poll_interval", None)
    options.setdefault("export_dir", str(path.parent if path.is_file() else path))
    return create_app(dump=str(path), **options)


def screen_text(app) -> str:
    """The whole screen as plain text, rendered the way App.export_screenshot renders it."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True,
                      color_system=None, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


async def press(pilot, *keys: str) -> None:
    """Press keys and let the app settle."""
    await pilot.press(*keys)
    await pilot.pause()


async def wait_for(pilot, condition: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    """Let the app run until ``condition()`` holds (a loaded machine makes fixed pauses flaky)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await pilot.pause(0.02)


async def scanned(pilot, app) -> None:
    """Wait until the background health check has checked every device."""
    await wait_for(pilot, lambda: len(app.status) == len(app.devices), what="the health check")


async def show(pilot, app, address) -> None:
    """Put the list cursor on ``address`` and wait until the detail pane shows it."""
    from pcikit.tui.widgets.detail_pane import DetailPane
    from pcikit.tui.widgets.device_list import DeviceList

    await wait_for(pilot, lambda: bool(app.query(DetailPane)), what="the detail pane")
    app.query_one(DeviceList).select(address)
    pane = app.query_one(DetailPane)
    await wait_for(pilot, lambda: pane.inspection is not None and pane.inspection.device.address == address,
                   what=f"the detail pane showing {address}")
