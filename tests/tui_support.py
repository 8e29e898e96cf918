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
            await scenario(pilot)

    asyncio.run(main())


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
