"""A titled block of (label, value) rows for the Header tab, laid out without Rich's Table.

The Header tab is rendered again on every selection move. It is drawn as
``Table.grid(padding=(0, 2))`` with a bold label column at least 12 cells wide would
draw it, but without measuring every cell through Rich's table machinery (that took
most of a selection move). Strings are shown as they are: no console markup.
"""
from __future__ import annotations

from typing import Iterable, Union

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

_LABEL_MIN = 12
_GAP = 2
_LABEL_STYLE = Style(bold=True)
_TITLE_STYLE = Style(bold=True, underline=True)


def _text(value: Union[str, Text]) -> Text:
    return Text(value) if isinstance(value, str) else value


def _base(console: Console, text: Text) -> Style:
    return console.get_style(text.style) if isinstance(text.style, str) else text.style


def _segments(console: Console, line: Text) -> Iterable[Segment]:
    """A one-line Text as segments, its base style under its spans (as Rich renders a Text)."""
    base = _base(console, line)
    return Segment.apply_style(line.render(console), base) if base else line.render(console)


def _lines(console: Console, text: Text, width: int) -> list[list[Segment]]:
    """``text`` wrapped at ``width`` (long words cut with an ellipsis), each line padded to ``width``
    in the text's base style, as a Rich table cell; a short line skips the wrapping."""
    plain = text.plain
    if text.cell_len <= width and "\n" not in plain and "\t" not in plain:
        padded = Text(plain + " " * (width - text.cell_len), style=text.style, spans=text.spans)
        return [list(_segments(console, padded))]
    return [list(_segments(console, line))
            for line in text.wrap(console, width, justify="left", overflow="ellipsis")]


def _widest(texts: Iterable[Text]) -> int:
    return max((line.cell_len for text in texts for line in text.split()), default=0)


class Section:
    """A bold-underlined title over rows of a bold label and a value that wraps in its column."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.rows: list[tuple[Text, Text]] = []

    def add_row(self, label: Union[str, Text], value: Union[str, Text]) -> None:
        """One row (a value too long for its column wraps under itself)."""
        self.rows.append((_text(label), _text(value)))

    def widths(self, width: int) -> tuple[int, int]:
        """(label, value) column widths within ``width`` cells: the label column its widest label (at
        least 12), the value column what is left; when both are too wide they share the width."""
        label = max(_LABEL_MIN, _widest(row[0] for row in self.rows))
        value = _widest(row[1] for row in self.rows)
        room = width - _GAP
        if label + value <= room:
            return label, value
        if room - label >= label:
            return label, room - label
        return room // 2 - 1, room - room // 2 + 1  # as Rich shares it

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        label_width, value_width = self.widths(options.max_width)
        total = label_width + _GAP + value_width
        for line in _lines(console, Text(self.title, style=_TITLE_STYLE), total):
            yield from line
            yield Segment.line()
        blank_label = Segment(" " * (label_width + _GAP), _LABEL_STYLE)
        blank_value = Segment(" " * value_width)
        for label, value in self.rows:
            labels = _lines(console, label, label_width)
            values = _lines(console, value, value_width)
            for index in range(max(len(labels), len(values))):
                if index < len(labels):
                    yield from Segment.apply_style(labels[index], _LABEL_STYLE)
                    yield Segment(" " * _GAP, _LABEL_STYLE)
                else:
                    yield blank_label
                yield from values[index] if index < len(values) else (blank_value,)
                yield Segment.line()
