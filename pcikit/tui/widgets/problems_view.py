"""The Problems tab: everything odd the model recorded about the device."""
from __future__ import annotations

from typing import Optional

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static


class ProblemsView(VerticalScroll):
    """One line per problem, or a note that there are none."""

    def compose(self):
        """One Static holding the list."""
        yield Static(id="problems-body")

    def show(self, problems: Optional[list[str]]) -> None:
        """Render ``problems`` (None clears)."""
        body = self.query_one("#problems-body", Static)
        if problems is None:
            body.update("")
        elif not problems:
            body.update(Text("No problems found.", style="green"))
        else:
            text = Text()
            for problem in problems:
                text.append("⚠ ", style="bold red")
                text.append(problem + "\n")
            body.update(text)
