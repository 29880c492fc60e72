"""A class to grade in: one journey of the conftest academy with the conftest
student, a classmate, a team of two, an individual mission (10 PT) and a team
mission (20 PT), both open; and a journey of another academy with a submission
nobody here may grade."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from community.models import Post
from tests.factories import (
    JourneyFactory,
    JourneyWeekFactory,
    MissionInstanceFactory,
    PostFactory,
    ProfileFactory,
    UserJourneyFactory,
)
from tests.scenarios import Classmate, ClassScenario, MissionAt, TeamOf


@pytest.fixture
def school(organization, other_organization, student, teacher, admin_user, outsider):
    scenario = ClassScenario.build(
        organization,
        journey_name="AI Basics",
        students={
            "student": student,
            "classmate": Classmate("Seojun", "Lee"),
            "teammate": Classmate("Sua", "Han"),
        },
        teacher=teacher,
        missions=(
            MissionAt("Write a prompt", points=10),
            MissionAt("Team pitch", kind="team", points=20),
        ),
        teams=(TeamOf("Blaze", members=("student", "teammate"), leader="student"),),
    )
    instance, team_instance = scenario.missions

    foreign_journey = JourneyFactory(organization=other_organization, name="Elsewhere")
    foreign_student = ProfileFactory(organization=other_organization, role=Role.USER)
    UserJourneyFactory(journey=foreign_journey, user=foreign_student)
    foreign_instance = MissionInstanceFactory(
        journey_week=JourneyWeekFactory(journey=foreign_journey, week_number=1)
    )
    foreign_post = PostFactory(mission_instance=foreign_instance, user=foreign_student)
    return SimpleNamespace(
        journey=scenario.journey,
        week=scenario.week,
        instance=instance,
        team_instance=team_instance,
        team=scenario.teams["Blaze"],
        student=student,
        classmate=scenario.students["classmate"],
        teammate=scenario.students["teammate"],
        teacher=teacher,
        admin=admin_user,
        outsider=outsider,
        foreign_post=foreign_post,
    )


def submission(instance, author, *, minutes_ago: int = 60, **fields) -> Post:
    """A submission made ``minutes_ago`` minutes ago (created_at fixes the queue's order)."""
    post = PostFactory(mission_instance=instance, user=author, **fields)
    Post.objects.filter(pk=post.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    post.refresh_from_db()
    return post


def team_submission(instance, team, author, **fields) -> Post:
    return submission(instance, author, team=team, is_team_submission=True, **fields)


def elsewhere_in_the_academy(school, name: str):
    """A mission instance of another journey of the school's academy."""
    journey = JourneyFactory(organization=school.journey.organization, name=name)
    return MissionInstanceFactory(journey_week=JourneyWeekFactory(journey=journey, week_number=1))


def grade_url(post, query: str = "") -> str:
    return reverse("grading:grade", args=[post.pk]) + query


def logged_in(client, person):
    client.force_login(person)
    return client
