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

from community.models import AchievementStatus
from tests.factories import PostFactory
from tests.scenarios import Classmate, ClassScenario, MissionAt, TeamOf


@pytest.fixture
def klass(organization, student, teacher):
    now = timezone.now()
    day = dt.timedelta(days=1)
    scenario = ClassScenario.build(
        organization,
        journey_name="AI 자동화 · Automation",
        students={
            "student": student,
            "teammate": Classmate("Jun", "Lee"),
            "classmate": Classmate("Sora", "Park"),
        },
        teacher=teacher,
        enrol_teacher=True,
        weeks=3,
        missions=(
            MissionAt("Intro", week=1, opens=-10 * day, closes=-3 * day),  # closed
            MissionAt("Sheet", week=2, opens=-2 * day, closes=2 * day + dt.timedelta(hours=3)),
            MissionAt("Pitch", week=2, kind="team", opens=-1 * day, closes=5 * day),
            MissionAt("Retro", week=3, opens=3 * day, closes=9 * day),  # not released yet
        ),
        teams=(TeamOf("Blaze", members=("student", "teammate"), leader="student"),),
    )
    journey, weeks, team = scenario.journey, scenario.weeks, scenario.teams["Blaze"]
    teammate, classmate = scenario.students["teammate"], scenario.students["classmate"]
    intro, sheet, pitch, retro = scenario.missions

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
        url=reverse("submissions:index", args=[journey.pk]),
        remind_url=reverse("submissions:remind", args=[journey.pk]),
        csv_url=reverse("submissions:export_csv", args=[journey.pk]),
        xlsx_url=reverse("submissions:export_xlsx", args=[journey.pk]),
    )


def text_of(response) -> str:
    """The page as a reader hears it: tags dropped, spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def enrol_students(journey, count: int, *, names=None) -> list:
    """``count`` students of ``journey``'s academy enrolled in it, made in two
    INSERTs (a class of hundreds in a test). ``names`` gives (first, last)
    pairs; otherwise "Student NNNN" with last names in a few groups, so that
    many share a last name and the order needs first names and ids too."""
    from accounts.models import Profile, Role
    from journeys.models import UserJourney

    people = []
    for index in range(count):
        first, last = names[index] if names else (f"Student {index:04d}", f"Group {index % 7}")
        people.append(
            Profile(
                email=f"class-{journey.pk.hex[:8]}-{index}@example.test",
                first_name=first,
                last_name=last,
                organization_id=journey.organization_id,
                role=Role.USER,
                privacy_agreed=True,
                phone="010-0000-0000",
                password="!",
            )
        )
    Profile.objects.bulk_create(people)
    UserJourney.objects.bulk_create([UserJourney(journey=journey, user=p) for p in people])
    return people


def sort_key(profile) -> tuple:
    """The matrix's order: last name, first name (a missing one as ""), id."""
    return (profile.last_name or "", profile.first_name or "", profile.pk)
