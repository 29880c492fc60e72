"""A small class for the Submissions tab tests: three students (two in one
team), three weeks, a closed mission, two open ones (one a team mission) and
one not released yet, with a few submissions in every state."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from community.models import AchievementStatus
from tests.factories import (
    JourneyFactory,
    JourneyWeekFactory,
    MissionFactory,
    MissionInstanceFactory,
    PostFactory,
    ProfileFactory,
    TeamFactory,
    TeamMemberFactory,
    UserJourneyFactory,
)


@pytest.fixture
def klass(organization, student, teacher):
    now = timezone.now()
    journey = JourneyFactory(organization=organization, name="AI 자동화 · Automation")
    teammate = ProfileFactory(organization=organization, last_name="Lee", first_name="Jun")
    classmate = ProfileFactory(organization=organization, last_name="Park", first_name="Sora")
    for person in (student, teammate, classmate):
        UserJourneyFactory(journey=journey, user=person)
    # The teacher is enrolled too (as in the demo); teachers are not students.
    UserJourneyFactory(journey=journey, user=teacher, role_in_journey=Role.TEACHER)
    weeks = [
        JourneyWeekFactory(journey=journey, week_number=n, name=f"Week {n}") for n in (1, 2, 3)
    ]
    closed = {
        "release_date": now - dt.timedelta(days=10),
        "expiry_date": now - dt.timedelta(days=3),
    }
    intro = MissionInstanceFactory(journey_week=weeks[0], mission__name="Intro", **closed)
    sheet = MissionInstanceFactory(
        journey_week=weeks[1],
        mission__name="Sheet",
        release_date=now - dt.timedelta(days=2),
        expiry_date=now + dt.timedelta(days=2, hours=3),
    )
    pitch_mission = MissionFactory(organization=organization, mission_type="team", name="Pitch")
    pitch = MissionInstanceFactory(
        journey_week=weeks[1],
        mission=pitch_mission,
        release_date=now - dt.timedelta(days=1),
        expiry_date=now + dt.timedelta(days=5),
    )
    retro = MissionInstanceFactory(
        journey_week=weeks[2],
        mission__name="Retro",
        release_date=now + dt.timedelta(days=3),
        expiry_date=now + dt.timedelta(days=9),
    )
    team = TeamFactory(journey=journey, name="Blaze")
    TeamMemberFactory(team=team, user=student, is_leader=True)
    TeamMemberFactory(team=team, user=teammate)

    posts = SimpleNamespace(
        intro_mine=PostFactory(
            mission_instance=intro,
            user=student,
            title="My intro",
            achievement_status=AchievementStatus.ACHIEVED,
            score=8,
            graded_at=now - dt.timedelta(days=4),
            graded_by=teacher,
        ),
        intro_classmate=PostFactory(mission_instance=intro, user=classmate, title="Hello"),
        sheet_classmate=PostFactory(
            mission_instance=sheet,
            user=classmate,
            title='=HYPERLINK("http://evil.example")',
            achievement_status=AchievementStatus.NOT_ACHIEVED,
            score=0,
            graded_at=now - dt.timedelta(hours=5),
            graded_by=teacher,
            is_hidden=True,
        ),
        pitch_team=PostFactory(
            mission_instance=pitch,
            user=teammate,
            team=team,
            is_team_submission=True,
            title="우리 팀의 발표",
        ),
    )
    return SimpleNamespace(
        journey=journey,
        weeks=weeks,
        intro=intro,
        sheet=sheet,
        pitch=pitch,
        retro=retro,
        team=team,
        student=student,
        teammate=teammate,
        classmate=classmate,
        teacher=teacher,
        posts=posts,
        url=reverse("overview:index", args=[journey.pk]),
        remind_url=reverse("overview:remind", args=[journey.pk]),
        csv_url=reverse("overview:export_csv", args=[journey.pk]),
        xlsx_url=reverse("overview:export_xlsx", args=[journey.pk]),
    )


def text_of(response) -> str:
    """The page as a reader hears it: tags dropped, spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
