"""Bar charts drawn by the server as inline SVG, for the clinic overview: the geometry here, the
drawing in templates/intake/staff/_bar_chart.html. No script and nothing from a CDN; every chart
has a table beside it with the same figures for screen readers.

Plain Python with no Django import, so that it is tested without a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640  # the drawing's own units (its viewBox); the page scales it to the column
ROW = 30  # one bar's row: the bar and the gap below it
BAR = 20
CHAR = 7.2  # about the width of one character of the labels' 13px type
VALUE_ROOM = 96  # room after the longest bar for "1,234 (100%)"
LABEL_GAP = 10
MAX_LABEL = 300  # a longer label is cut with "…" (the table beside the chart has it whole)


@dataclass(frozen=True)
class Bar:
    label: str  # as drawn (possibly shortened)
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
    bars_x: float  # where the bars start (the labels end before it)
    label_x: float  # the labels' right edge


def _shorten(label: str, room: float) -> str:
    most = max(int(room / CHAR + 1e-6), 2)  # the margin: 9 * 7.2 / 7.2 is 8.999... in floats
    return label if len(label) <= most else label[: most - 1].rstrip() + "…"


def bar_chart(rows: Sequence[tuple[str, int]], *, share_of: int | None = None) -> BarChart:
    """Horizontal bars for (label, count) rows, in their order, scaled to the largest count.
    With `share_of`, each value is also written as its share of that number ("40%")."""
    longest = max((len(label) for label, _value in rows), default=0)
    label_room = min(longest * CHAR, MAX_LABEL)
    bars_x = label_room + LABEL_GAP
    room = WIDTH - bars_x - VALUE_ROOM
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
        y = index * ROW + (ROW - BAR) / 2
        bars.append(
            Bar(
                label=_shorten(label, label_room),
                value=value,
                y=y,
                length=round(length, 1),
                text=text,
                text_x=round(bars_x + length + 6, 1),
                text_y=y + BAR / 2,
            )
        )
    return BarChart(
        bars=tuple(bars),
        width=WIDTH,
        height=max(len(rows), 1) * ROW,
        bars_x=bars_x,
        label_x=label_room,
    )
