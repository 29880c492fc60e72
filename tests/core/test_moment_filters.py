"""core/templatetags/moments.py writes exactly what Django's |date writes, in the
reader's zone, for the formats it replaces."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import engines
from django.utils import timezone

MOMENTS = [
    dt.datetime(2026, 3, 5, 5, 7, 31, 204512, tzinfo=dt.UTC),
    dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.UTC),  # a new day and year in Seoul
    dt.datetime(2026, 1, 1, 0, 0, tzinfo=dt.UTC),
]


def render(source: str, **context) -> str:
    return engines["django"].from_string("{% load moments %}" + source).render(context)


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("zone", ["Asia/Seoul", "Europe/Berlin", "America/Los_Angeles"])
@pytest.mark.parametrize(
    ("fast", "django_format"),
    [("minute", "Y.m.d H:i"), ("day_minute", "n/j H:i"), ("iso", "c")],
)
def test_each_filter_writes_what_the_date_filter_writes(moment, zone, fast, django_format):
    with timezone.override(zone):
        expected = render(f'{{{{ m|date:"{django_format}" }}}}', m=moment)
        assert render(f"{{{{ m|{fast} }}}}", m=moment) == expected


def test_a_day_is_written_as_a_day_and_nothing_as_nothing():
    assert render("{{ d|iso }}", d=dt.date(2026, 3, 5)) == "2026-03-05"
    assert render("{{ m|minute }}{{ m|day_minute }}{{ m|iso }}", m=None) == ""
