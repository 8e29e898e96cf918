"""The Problems tab: everything odd the model recorded about the device."""
from __future__ import annotations

from typing import Optional

from rich.text import Text
from .text_pane import TextPane


class ProblemsView(TextPane):
    """One line per problem, or a note that there are none."""

    def show(self, problems: Optional[list[str]]) -> None:
        """Render ``problems`` (None clears)."""
        if problems is None:
            self.set_content(None)
        elif not problems:
            self.set_content(Text("No problems found.", style="green"))
        else:
            text = Text()
            for problem in problems:
                text.append("⚠ ", style="bold red")
                text.append(problem + "\n")
            self.set_content(text)
