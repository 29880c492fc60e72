"""The insights' bar charts, drawn on the server as SVG: each bar's place and
width in percent of the chart's width (the template writes them as
attributes: no inline style, which the Content Security Policy forbids)."""

from __future__ import annotations

from dataclasses import dataclass

# Labels in the first 30% of the width, bars in the next 60%, counts after.
LABEL_COLUMN, BAR_COLUMN, ROW_HEIGHT = 30, 60, 24


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    width: float  # % of the chart's width
    count_x: float  # where the count is written, %
    y: int  # the row's top, px
    colour: str = ""  # a report group's; else the theme's


def bars(rows: list[tuple[str, int]], colours: list[str] | None = None) -> list[Bar]:
    """A bar per (label, count), the longest for the largest count."""
    best = max((count for _label, count in rows), default=0) or 1
    drawn = []
    for index, (label, count) in enumerate(rows):
        width = round(BAR_COLUMN * count / best, 1)
        colour = colours[index] if colours else ""
        x = round(LABEL_COLUMN + width + 1, 1)
        drawn.append(Bar(label, count, width, x, index * ROW_HEIGHT, colour))
    return drawn


def height(drawn: list[Bar]) -> int:
    return ROW_HEIGHT * len(drawn)
