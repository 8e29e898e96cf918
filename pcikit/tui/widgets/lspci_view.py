"""The lspci tab: the device's ``lspci -vvv`` text, with the capability chosen in the tree highlighted."""
from __future__ import annotations

import re
from typing import Optional

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from ..inspect import Inspection

HIGHLIGHT = "bold black on cyan"
_CAPABILITY_LINE = re.compile(r"^\tCapabilities: \[([0-9a-f]+)")


def capability_lines(text: str, offset: int) -> Optional[range]:
    """Line numbers of the ``Capabilities: [offset]`` block (its title and the deeper-indented lines)."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        match = _CAPABILITY_LINE.match(line)
        if match and int(match.group(1), 16) == offset:
            end = number + 1
            while end < len(lines) and lines[end].startswith("\t\t"):
                end += 1
            return range(number, end)
    return None


class LspciView(VerticalScroll):
    """``lspci -vvv`` text of the selected device (kernel lines included when known)."""

    DEFAULT_CSS = """
    LspciView > Static { width: auto; }
    """

    def compose(self):
        """One Static holding the text."""
        yield Static(id="lspci-body")

    def show(self, inspection: Optional[Inspection], capability: Optional[int] = None, domains: bool = False) -> None:
        """Render ``inspection`` (None clears); ``capability`` is the offset of the block to highlight."""
        from ..export import lspci_text

        body = self.query_one("#lspci-body", Static)
        if inspection is None:
            body.update("")
            return
        raw = lspci_text(inspection.device, inspection.ids, domains, hex_level=0).rstrip("\n")
        text = raw.expandtabs(8)
        shown = Text(text)
        block = capability_lines(raw, capability) if capability is not None else None
        if block is not None:
            lines = text.split("\n")
            start = sum(len(line) + 1 for line in lines[: block.start])
            end = sum(len(line) + 1 for line in lines[: block.stop])
            shown.stylize(HIGHLIGHT, start, start + len(lines[block.start]))
            shown.stylize("cyan", start + len(lines[block.start]), end)
            self.call_after_refresh(self.scroll_to, 0, block.start, animate=False)
        body.update(shown)
