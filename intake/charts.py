"""Bar charts drawn by the server as inline SVG, for the clinic overview: the geometry here, the
drawing in templates/intake/staff/_bar_chart.html. No script and nothing from a CDN; every chart
has a table beside it with the same figures for screen readers.

Each bar has its label on the line above it, so that the bars keep the whole width and a long
label (a step's title) needs no column of its own: the chart stays legible when a phone shrinks
it. Plain Python with no Django import, so that it is tested without a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 480  # the drawing's own units (its viewBox); the page shrinks it to narrower columns
ROW = 44  # one bar's row: its label, the bar, and the gap below
LABEL_Y = 15  # the label's baseline within the row
BAR_Y = 21  # the bar's top within the row
BAR = 16
CHAR = 8.2  # about the width of one character of the 15-unit labels
VALUE_ROOM = 110  # room after the longest bar for "1,234 (100%)"
MAX_LABEL = int(WIDTH / CHAR)  # a longer label is cut with "…" (the table has it whole)


@dataclass(frozen=True)
class Bar:
    label: str  # as drawn (possibly shortened)
    label_y: float
    value: int
    y: float  # the top of the bar
    length: float  # in drawing units; at least 2 for a non-zero value, so that it shows
    text: str  # the value as written after the bar: "12" or "12 (40%)"
    text_x: float
    text_y: float


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    width: int
    height: int


def _shorten(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def bar_chart(rows: Sequence[tuple[str, int]], *, share_of: int | None = None) -> BarChart:
    """Horizontal bars for (label, count) rows, in their order, scaled to the largest count.
    With `share_of`, each value is also written as its share of that number ("40%")."""
    room = WIDTH - VALUE_ROOM
    top = max((max(value, 0) for _label, value in rows), default=0)
    bars = []
    for index, (label, value) in enumerate(rows):
        value = max(int(value), 0)
        length = 0.0 if top == 0 else room * value / top
        if value and length < 2:
            length = 2.0
        text = f"{value:,}"
        if share_of:
            text += f" ({round(100 * value / share_of)}%)"
        row = index * ROW
        bars.append(
            Bar(
                label=_shorten(label),
                label_y=row + LABEL_Y,
                value=value,
                y=row + BAR_Y,
                length=round(length, 1),
                text=text,
                text_x=round(length + 6, 1),
                text_y=row + BAR_Y + BAR / 2,
            )
        )
    return BarChart(bars=tuple(bars), width=WIDTH, height=max(len(rows), 1) * ROW)
