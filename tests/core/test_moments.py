"""core.moments: one way to show a moment to a person, in their language and
on their clock, whatever is active (a request's terms, a worker's none)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.moments import (
    common_zones,
    format_moment,
    in_person_terms,
    language_of,
    local_date,
    local_moment,
    validate_zone,
    zone_name_of,
    zone_of,
)

# 2026-03-14 23:30 UTC: Sunday 08:30 in Seoul, Saturday (still) 00:30 in Berlin.
MOMENT = dt.datetime(2026, 3, 14, 23, 30, tzinfo=dt.UTC)


def person(language=None, zone=None):
    return SimpleNamespace(language=language, timezone=zone)


@pytest.fixture
def site_defaults(settings):
    settings.LANGUAGE_CODE = "ko"
    settings.DEFAULT_USER_TIMEZONE = "Asia/Seoul"


def test_a_persons_own_language_and_zone_win(site_defaults):
    berliner = person("en", "Europe/Berlin")
    assert language_of(berliner) == "en"
    assert zone_of(berliner) == ZoneInfo("Europe/Berlin")
    assert zone_name_of(berliner) == "Europe/Berlin"


@pytest.mark.parametrize(
    "someone",
    [
        person(),  # chose nothing
        person("xx", "Mars/Olympus"),  # a value the site does not know
        person("", ""),
        None,  # nobody in particular (a visitor)
        object(),  # no such attributes at all
    ],
)
def test_without_a_known_choice_the_site_defaults_apply(site_defaults, someone):
    assert language_of(someone) == "ko"
    assert zone_of(someone) == ZoneInfo("Asia/Seoul")


def test_format_moment_uses_the_persons_clock_not_the_active_zone(site_defaults):
    with timezone.override(ZoneInfo("America/New_York")):
        assert format_moment(MOMENT, person("en", "Europe/Berlin")) == "2026.03.15 00:30"
        assert format_moment(MOMENT, person("ko", "Asia/Seoul")) == "2026.03.15 08:30"
        assert format_moment(MOMENT, person()) == "2026.03.15 08:30"


def test_format_moment_writes_names_in_the_persons_language(site_defaults):
    with translation.override("ko"):
        assert format_moment(MOMENT, person("en", "Europe/Berlin"), "F j") == "March 15"
    with translation.override("en"):
        assert format_moment(MOMENT, person("ko", "Asia/Seoul"), "F j") == "3월 15"


def test_local_date_is_the_persons_calendar_day():
    late = dt.datetime(2026, 3, 14, 22, 0, tzinfo=dt.UTC)
    assert local_date(late, person(zone="Asia/Seoul")) == dt.date(2026, 3, 15)
    assert local_date(late, person(zone="America/Los_Angeles")) == dt.date(2026, 3, 14)
    moment = local_moment(late, person(zone="Asia/Seoul"))
    assert moment.tzinfo == ZoneInfo("Asia/Seoul") and moment.hour == 7


def test_in_person_terms_activates_both_and_restores_what_was_active(english):
    with translation.override("en"), timezone.override(ZoneInfo("UTC")):
        with in_person_terms(person("ko", "Asia/Seoul")):
            assert translation.get_language() == "ko"
            assert timezone.get_current_timezone_name() == "Asia/Seoul"
            assert gettext("Grading") == "채점"
        assert translation.get_language() == "en"
        assert timezone.get_current_timezone_name() == "UTC"


def test_in_person_terms_in_a_worker_with_nothing_active(site_defaults):
    # A Celery worker: no request ever activated a language or a zone.
    translation.deactivate_all()
    timezone.deactivate()
    try:
        with in_person_terms(person("en", "Europe/Berlin")):
            assert translation.get_language() == "en"
            assert timezone.localtime(MOMENT).hour == 0
    finally:
        translation.deactivate()


def test_validate_zone_takes_iana_names_only():
    validate_zone("Asia/Seoul")
    validate_zone("UTC")
    for wrong in ("Asia/Nowhere", "", "../../etc/passwd", "+09:00"):
        with pytest.raises(ValidationError):
            validate_zone(wrong)


def test_the_offered_zones_are_sorted_cities_with_utc_first():
    zones = common_zones()
    assert zones[0] == "UTC"
    assert "Asia/Seoul" in zones and "Europe/Berlin" in zones
    assert "Etc/GMT+3" not in zones and "US/Pacific" not in zones
    assert list(zones[1:]) == sorted(zones[1:])
