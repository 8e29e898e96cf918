"""The device list: one row per function, identity only, with interrupt and problem badges."""
from __future__ import annotations

from typing import Optional

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist

from ...address import Address
from ..rows import DeviceRow, problem_badge

COLUMNS = (
    ("slot", "Slot"), ("irq", "Interrupts"), ("problems", "!"), ("class", "Class"),
    ("vendor", "Vendor"), ("device", "Device"), ("driver", "Driver"),
)


class DeviceList(DataTable):
    """A row per device; the row key is the address text."""

    DEFAULT_CSS = """
    DeviceList { height: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._addresses: dict[str, Address] = {}

    def on_mount(self) -> None:
        """Columns once; rows come from :meth:`show`."""
        for key, label in COLUMNS:
            self.add_column(label, key=key)

    def show(self, rows: list[DeviceRow], problems: dict[Address, int]) -> None:
        """Replace the rows, keeping the cursor on the same device when it is still listed."""
        current = self.selected_address
        self.clear()
        self._addresses = {str(row.address): row.address for row in rows}
        for row in rows:
            self.add_row(*self._cells(row, problems.get(row.address)), key=str(row.address))
        if current is not None and str(current) in self._addresses:
            self.move_cursor(row=self.get_row_index(str(current)))

    @staticmethod
    def _cells(row: DeviceRow, problems: Optional[int]) -> tuple:
        return (
            row.slot, Text(row.interrupts, style="cyan"), Text(problem_badge(problems), style="bold red"),
            row.class_name, row.vendor, row.device, row.driver,
        )

    def set_problems(self, address: Address, count: int) -> None:
        """Fill in the problem badge once a device has been decoded."""
        if str(address) in self._addresses:
            self.update_cell(str(address), "problems", Text(problem_badge(count), style="bold red"), update_width=True)

    def address_of(self, row_key: object) -> Optional[Address]:
        """The address behind a row key from a DataTable event."""
        return self._addresses.get(str(getattr(row_key, "value", row_key)))

    @property
    def selected_address(self) -> Optional[Address]:
        """The device under the cursor, if any."""
        if not self.row_count or self.cursor_row < 0:
            return None
        try:
            key = self.coordinate_to_cell_key((self.cursor_row, 0)).row_key
        except CellDoesNotExist:
            return None
        return self.address_of(key)

    def select(self, address: Address) -> bool:
        """Move the cursor to ``address``; False when it is not listed."""
        if str(address) not in self._addresses:
            return False
        self.move_cursor(row=self.get_row_index(str(address)))
        return True
