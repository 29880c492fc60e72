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
    MissionFactory,
    MissionInstanceFactory,
    PostFactory,
    ProfileFactory,
    TeamFactory,
    TeamMemberFactory,
    UserJourneyFactory,
)


@pytest.fixture
def school(organization, other_organization, student, teacher, admin_user, outsider):
    journey = JourneyFactory(organization=organization, name="AI Basics")
    classmate = ProfileFactory(
        organization=organization, role=Role.USER, last_name="Lee", first_name="Seojun"
    )
    teammate = ProfileFactory(
        organization=organization, role=Role.USER, last_name="Han", first_name="Sua"
    )
    for person in (student, classmate, teammate):
        UserJourneyFactory(journey=journey, user=person)
    week = JourneyWeekFactory(journey=journey, week_number=1, name="Week 1")
    mission = MissionFactory(organization=organization, name="Write a prompt", points=10)
    instance = MissionInstanceFactory(journey_week=week, mission=mission)
    team_mission = MissionFactory(
        organization=organization, name="Team pitch", mission_type="team", points=20
    )
    team_instance = MissionInstanceFactory(journey_week=week, mission=team_mission)
    team = TeamFactory(journey=journey, name="Blaze")
    TeamMemberFactory(team=team, user=student, is_leader=True)
    TeamMemberFactory(team=team, user=teammate)

    foreign_journey = JourneyFactory(organization=other_organization, name="Elsewhere")
    foreign_student = ProfileFactory(organization=other_organization, role=Role.USER)
    UserJourneyFactory(journey=foreign_journey, user=foreign_student)
    foreign_instance = MissionInstanceFactory(
        journey_week=JourneyWeekFactory(journey=foreign_journey, week_number=1)
    )
    foreign_post = PostFactory(mission_instance=foreign_instance, user=foreign_student)
    return SimpleNamespace(
        journey=journey,
        week=week,
        instance=instance,
        team_instance=team_instance,
        team=team,
        student=student,
        classmate=classmate,
        teammate=teammate,
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


def grade_url(post, query: str = "") -> str:
    return reverse("grading:grade", args=[post.pk]) + query


def logged_in(client, person):
    client.force_login(person)
    return client
