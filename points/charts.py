"""Geometry for the dashboard's server-rendered SVG charts.

Templates draw plain ``<svg>`` from these numbers: no JavaScript, and no
``style=""`` (the CSP forbids it), only SVG presentation attributes and
classes. Every chart also carries its numbers as text, so it reads without
the picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Bars are drawn in a viewBox 100 units wide, so widths are percentages.
BAR_SCALE = 100.0


def fraction(part: int, whole: int) -> float:
    """``part / whole`` clamped to 0..1; 0 when there is no whole."""
    if whole <= 0:
        return 0.0
    return min(max(part / whole, 0.0), 1.0)


def percent(part: int, whole: int) -> int:
    """Rounded percentage for labels ("67%"); 0 when there is no whole."""
    return round(fraction(part, whole) * 100)


@dataclass(frozen=True)
class Ring:
    """A progress ring: a full circle track and an arc drawn with a dash of
    ``filled`` length followed by a gap of ``empty`` (the arc starts at 12
    o'clock: the template rotates the circle by -90° around its centre)."""

    done: int
    total: int
    size: int
    radius: float
    stroke: float
    circumference: float
    filled: float
    empty: float
    percent: int

    @property
    def center(self) -> float:
        return self.size / 2


def ring(done: int, total: int, *, size: int = 120, stroke: float = 12) -> Ring:
    radius = (size - stroke) / 2
    circumference = 2 * math.pi * radius
    filled = round(circumference * fraction(done, total), 2)
    return Ring(
        done=done,
        total=total,
        size=size,
        radius=radius,
        stroke=stroke,
        circumference=round(circumference, 2),
        filled=filled,
        empty=round(circumference - filled, 2),
        percent=percent(done, total),
    )


@dataclass(frozen=True)
class Segment:
    """One coloured piece of a horizontal bar: from ``x`` for ``width`` units of
    ``BAR_SCALE``; ``kind`` becomes its CSS class."""

    kind: str
    value: int
    x: float
    width: float


def stacked_bar(parts: list[tuple[str, int]], total: int) -> list[Segment]:
    """Segments side by side for ``parts`` (kind, value) out of ``total``; empty
    parts are left out. Values beyond the total are cut at the bar's end."""
    segments: list[Segment] = []
    x = 0.0
    for kind, value in parts:
        width = round(BAR_SCALE * fraction(value, total), 2)
        width = min(width, round(BAR_SCALE - x, 2))
        if width <= 0:
            continue
        segments.append(Segment(kind=kind, value=value, x=round(x, 2), width=width))
        x += width
    return segments
