"""A journey of the main organization with the ``student`` enrolled, for the Team tab."""

from __future__ import annotations

import pytest

from accounts.models import Role
from tests.factories import JourneyFactory, ProfileFactory, UserJourneyFactory


@pytest.fixture
def journey(organization, student):
    journey = JourneyFactory(organization=organization, name="AI Automation")
    UserJourneyFactory(journey=journey, user=student)
    return journey


@pytest.fixture
def classmate_factory(journey, organization):
    """Students enrolled in ``journey``: ``classmate_factory(first_name="Seojun")``."""

    def make(**fields):
        person = ProfileFactory(organization=organization, role=Role.USER, **fields)
        UserJourneyFactory(journey=journey, user=person)
        return person

    return make
