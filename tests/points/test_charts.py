"""points.charts: the numbers the dashboard's SVG is drawn from."""

from __future__ import annotations

import math

import pytest

from points.charts import Segment, percent, ring, stacked_bar


def test_a_ring_fills_its_share_of_the_circumference():
    drawn = ring(3, 4, size=120, stroke=12)
    assert drawn.radius == 54 and drawn.center == 60
    assert drawn.circumference == pytest.approx(2 * math.pi * 54, abs=0.01)
    assert drawn.filled == pytest.approx(drawn.circumference * 0.75, abs=0.01)
    assert drawn.filled + drawn.empty == pytest.approx(drawn.circumference, abs=0.01)
    assert drawn.percent == 75


@pytest.mark.parametrize(
    ("done", "total", "expected"), [(0, 0, 0), (0, 5, 0), (5, 5, 100), (7, 5, 100)]
)
def test_a_ring_stays_between_empty_and_full(done, total, expected):
    drawn = ring(done, total)
    assert drawn.percent == expected
    assert 0 <= drawn.filled <= drawn.circumference


def test_stacked_segments_sit_side_by_side_and_skip_empty_parts():
    assert stacked_bar([("achieved", 1), ("waiting", 0), ("submitted", 2)], 4) == [
        Segment(kind="achieved", value=1, x=0.0, width=25.0),
        Segment(kind="submitted", value=2, x=25.0, width=50.0),
    ]


def test_stacked_segments_never_run_past_the_end():
    segments = stacked_bar([("a", 3), ("b", 3)], 4)
    assert segments[-1].x + segments[-1].width == 100.0


def test_nothing_out_of_nothing_draws_nothing():
    assert stacked_bar([("a", 0)], 0) == []
    assert percent(1, 0) == 0
    assert percent(1, 3) == 33
