"""The lspci tab: the device's ``lspci -vvv`` text, with the capability chosen in the tree highlighted."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from rich.text import Text

from .. import keys
from ..inspect import Inspection
from .text_pane import TextPane

if TYPE_CHECKING:
    from ...render.lspci import LspciVersion

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


class LspciView(TextPane):
    """``lspci -vvv`` text of the selected device (kernel lines included when known), as the chosen
    lspci release prints it (``v`` steps through the releases pcikit renders)."""

    BINDINGS = keys.bindings(keys.LSPCI)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.release: "Optional[LspciVersion]" = None  # None: $PCIKIT_LSPCI_VERSION, else the newest
        self._args: tuple = (None, None, False)  # what show() was last given

    def show(self, inspection: Optional[Inspection], capability: Optional[int] = None, domains: bool = False) -> None:
        """Render ``inspection`` (None clears); ``capability`` is the offset of the block to highlight."""
        from ..export import default_release, lspci_text

        self._args = (inspection, capability, domains)
        if inspection is None:
            self.set_content(None)
            return
        release = self.release or default_release()
        raw = lspci_text(inspection.device, inspection.ids, domains, hex_level=0, release=release).rstrip("\n")
        text = raw.expandtabs(8)
        shown = Text(text)
        block = capability_lines(raw, capability) if capability is not None else None
        lines = text.split("\n")
        if block is not None:
            start = sum(len(line) + 1 for line in lines[: block.start])
            end = sum(len(line) + 1 for line in lines[: block.stop])
            shown.stylize(HIGHLIGHT, start, start + len(lines[block.start]))
            shown.stylize("cyan", start + len(lines[block.start]), end)
        heading = Text(f"as lspci {release} prints it (v: another release)\n", style="dim")
        self.set_content(heading + shown, lines[block.start].strip().split(":", 2)[0] + ":" + lines[block.start].split(":", 2)[1][:6] if block is not None else None)

    def action_next_release(self) -> None:
        """Show the text as the next release prints it (after the newest, the oldest)."""
        from ...render.lspci import SUPPORTED
        from ..export import default_release

        current = self.release or default_release()
        self.release = SUPPORTED[(SUPPORTED.index(current) + 1) % len(SUPPORTED)]
        self.show(*self._args)
        self.app.notify(f"lspci tab: as lspci {self.release} prints it", timeout=1.5)
