"""The MSI-X tab: the capability's layout and the vector table with pending bits, or why not."""
from __future__ import annotations

from typing import Optional

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..msix_info import MsixReport
from .text_pane import TextPane

_MAX_ROWS = 2048


def _layout(fields) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row("Enable", "+" if fields.enable else "-")
    table.add_row("Function Mask", "+" if fields.function_mask else "-")
    table.add_row("Table size", str(fields.table_size))
    table.add_row("Table", f"BAR {fields.table_bir} offset 0x{fields.table_offset:x}")
    table.add_row("PBA", f"BAR {fields.pba_bir} offset 0x{fields.pba_offset:x}")
    return table


def _vectors(state) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, header_style="bold", padding=(0, 0))
    columns = (("Vector", 6), ("Address", 18), ("Data", 10), ("Masked", 6), ("Pending", 7), ("Deliver", 7))
    for title, width in columns:
        table.add_column(title, justify="right" if title == "Vector" else "left", min_width=width, no_wrap=True)
    for vec in state.vectors[:_MAX_ROWS]:
        pending = "?" if vec.pending is None else ("yes" if vec.pending else "no")
        table.add_row(
            str(vec.vector), f"0x{vec.address:016x}", f"0x{vec.data:08x}",
            "yes" if vec.masked else "no", pending, Text("yes", "green") if vec.deliverable else Text("no", "dim"),
        )
    return table


class MsixView(TextPane):
    """Vector table (read-only BAR reads) when a BAR is readable, else the reason."""

    def show(self, report: Optional[MsixReport]) -> None:
        """Render ``report`` (None clears)."""
        if report is None:
            self.set_content(None)
            return
        parts: list = []
        if report.fields is not None:
            parts.append(_layout(report.fields))
        state = report.state
        if state is not None:
            parts.extend(Text(f"⚠ {problem}", style="bold red") for problem in state.problems)
            if state.vectors:
                parts.append(Text(state.summary(), style="bold"))
                parts.append(_vectors(state))
        if report.note:
            parts.append(Text(f"Vector table not shown: {report.note}" if report.fields is not None else report.note,
                              style="italic"))
        self.set_content(Group(*parts))
