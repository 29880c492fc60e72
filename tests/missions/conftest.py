"""A journey with its students (and a teacher) and a clock to place missions on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from tests.factories import (
    JourneyFactory,
    JourneyWeekFactory,
    MissionInstanceFactory,
    ProfileFactory,
    UserJourneyFactory,
)

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def journey(organization, student, teacher):
    journey = JourneyFactory(organization=organization, name="AI Automation")
    UserJourneyFactory(journey=journey, user=student)
    UserJourneyFactory(journey=journey, user=teacher, role_in_journey="teacher")
    return journey


@pytest.fixture
def enrol(organization):
    """``enrol(journey, **profile_fields)``: a new student enrolled in ``journey``."""

    def make(journey, **fields):
        person = ProfileFactory(organization=organization, role=Role.USER, **fields)
        UserJourneyFactory(journey=journey, user=person)
        return person

    return make


@pytest.fixture
def schedule(now):
    """``schedule(journey, opens=-2, closes=+30, **fields)``: an instance whose window is
    given in hours from ``now``."""
    weeks = {}

    def make(journey, *, opens, closes, **fields):
        week = weeks.get(journey.pk) or JourneyWeekFactory(journey=journey)
        weeks[journey.pk] = week
        return MissionInstanceFactory(
            journey_week=week,
            release_date=now + opens * HOUR,
            expiry_date=now + closes * HOUR,
            **fields,
        )

    return make
