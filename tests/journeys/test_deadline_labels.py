"""The plan's deadline labels, on the viewer's calendar (Asia/Seoul here)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from journeys.templatetags.journey_tags import deadline_of

SEOUL = ZoneInfo("Asia/Seoul")
# Tuesday 3 June 2031, 10:00 in Seoul.
NOW = dt.datetime(2031, 6, 3, 10, 0, tzinfo=SEOUL)


@pytest.fixture(autouse=True)
def seoul_in_english():
    with timezone.override(SEOUL), translation.override("en"):
        yield


def instance(release: dt.datetime | None, expiry: dt.datetime | None) -> SimpleNamespace:
    return SimpleNamespace(release_date=release, expiry_date=expiry)


def label(release, expiry) -> tuple[str, str]:
    found = deadline_of(instance(release, expiry), now=NOW)
    return found.state, found.label


def seoul(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2031, 6, day, hour, minute, tzinfo=SEOUL)


def test_an_open_mission_counts_calendar_days_to_its_deadline():
    assert label(seoul(1, 9), seoul(6, 23, 59)) == ("open", "D-3")
    assert label(seoul(1, 9), seoul(4, 0, 30)) == ("open", "D-1")


def test_a_mission_closing_later_today_is_d_day():
    assert label(seoul(1, 9), seoul(3, 23, 59)) == ("today", "D-Day")
    assert label(seoul(1, 9), seoul(3, 10, 1)) == ("today", "D-Day")


def test_a_mission_closing_at_midnight_is_due_today_not_tomorrow():
    assert label(seoul(1, 9), seoul(4, 0, 0)) == ("today", "D-Day")


def test_the_calendar_is_the_viewers_not_utc():
    # 23:30 in Seoul on the 3rd is 14:30 UTC on the 3rd; 01:00 on the 4th in
    # Seoul is still the 3rd in UTC, but tomorrow for the viewer.
    assert label(seoul(1, 9), seoul(4, 1, 0)) == ("open", "D-1")


def test_a_closed_mission_says_closed():
    assert label(seoul(1, 9), seoul(3, 10, 0)) == ("closed", "Closed")
    assert label(seoul(1, 9), seoul(2, 9)) == ("closed", "Closed")


def test_a_future_mission_says_when_it_opens_in_local_time():
    utc_release = seoul(5, 9, 30).astimezone(dt.UTC)
    assert label(utc_release, seoul(9, 9)) == ("upcoming", "Opens 6/5 09:30")


def test_a_mission_without_dates_is_not_scheduled_yet():
    assert label(None, None) == ("unscheduled", "Not scheduled yet")
    assert label(seoul(1, 9), None) == ("unscheduled", "Not scheduled yet")
