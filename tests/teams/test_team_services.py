"""team_create, team_join, team_leave: one team per journey, leaders, empty teams."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from teams.models import Team, TeamMember
from teams.services import team_create, team_join, team_leave
from tests.factories import (
    JourneyFactory,
    PostFactory,
    TeamFactory,
    TeamMemberFactory,
    TeamPointFactory,
    UserJourneyFactory,
)

pytestmark = pytest.mark.usefixtures("english")


def members_of(team):
    return list(
        TeamMember.objects.filter(team=team)
        .order_by("joined_at")
        .values_list("user__email", "is_leader")
    )


def add_member(team, person, *, minutes_ago, leader=False):
    """A membership with a joining time of its own (rows made in one test
    transaction would otherwise all share now())."""
    return TeamMemberFactory(
        team=team,
        user=person,
        is_leader=leader,
        joined_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
    )


# --- creating -------------------------------------------------------------------


def test_the_creator_leads_the_new_team_and_is_its_only_member(journey, student):
    team = team_create(journey=journey, user=student, name="  Team   Blaze ", description="")
    assert team.name == "Team Blaze"
    assert team.description is None
    assert members_of(team) == [(student.email, True)]


def test_a_taken_name_is_refused_with_a_clear_message_and_nothing_changes(
    journey, student, classmate_factory
):
    TeamFactory(journey=journey, name="Team Blaze")
    for name in ("Team Blaze", "team blaze", "TEAM  BLAZE"):
        with pytest.raises(ValidationError) as raised:
            team_create(journey=journey, user=student, name=name)
        assert raised.value.message_dict == {
            "name": ["A team with this name already exists in this journey."]
        }
    assert Team.objects.filter(journey=journey).count() == 1
    assert not TeamMember.objects.filter(user=student).exists()


def test_the_same_name_is_free_in_another_journey(journey, student, organization):
    TeamFactory(journey=JourneyFactory(organization=organization), name="Team Blaze")
    assert team_create(journey=journey, user=student, name="Team Blaze").journey == journey


@pytest.mark.parametrize("name", ["", "   ", "x" * 51])
def test_a_blank_or_too_long_name_is_refused(journey, student, name):
    with pytest.raises(ValidationError) as raised:
        team_create(journey=journey, user=student, name=name)
    assert "name" in raised.value.message_dict
    assert not Team.objects.exists()


def test_a_student_already_in_a_team_cannot_create_another(journey, student):
    add_member(TeamFactory(journey=journey), student, minutes_ago=5, leader=True)
    with pytest.raises(ValidationError, match="already in a team"):
        team_create(journey=journey, user=student, name="Second team")
    assert Team.objects.filter(journey=journey).count() == 1


def test_teachers_and_students_of_other_journeys_cannot_create_teams(
    journey, teacher, organization
):
    UserJourneyFactory(journey=journey, user=teacher, role_in_journey="teacher")
    stranger = UserJourneyFactory(journey=JourneyFactory(organization=organization)).user
    for person in (teacher, stranger):
        with pytest.raises(PermissionDenied, match="Only students of this journey"):
            team_create(journey=journey, user=person, name=f"Team of {person.email}")
    assert not Team.objects.exists()


# --- joining --------------------------------------------------------------------


def test_joining_adds_me_as_a_member_not_the_leader(journey, student, classmate_factory):
    team = TeamFactory(journey=journey)
    leader = classmate_factory(email="leader@example.test")
    add_member(team, leader, minutes_ago=10, leader=True)
    team_join(team=team, user=student)
    assert members_of(team) == [(leader.email, True), (student.email, False)]


def test_joining_a_second_team_is_refused(journey, student):
    first, second = TeamFactory(journey=journey), TeamFactory(journey=journey)
    team_join(team=first, user=student)
    with pytest.raises(ValidationError, match="already in a team in this journey"):
        team_join(team=second, user=student)
    assert list(TeamMember.objects.filter(user=student).values_list("team", flat=True)) == [
        first.pk
    ]


def test_one_team_per_journey_still_allows_a_team_in_each_journey(journey, student, organization):
    other_journey = JourneyFactory(organization=organization)
    UserJourneyFactory(journey=other_journey, user=student)
    team_join(team=TeamFactory(journey=journey), user=student)
    team_join(team=TeamFactory(journey=other_journey), user=student)
    assert TeamMember.objects.filter(user=student).count() == 2


def test_joining_a_team_of_a_journey_i_am_not_in_is_refused(student, organization):
    foreign_team = TeamFactory(journey=JourneyFactory(organization=organization))
    with pytest.raises(PermissionDenied):
        team_join(team=foreign_team, user=student)
    assert not TeamMember.objects.exists()


def test_a_teacher_cannot_join_a_team(journey, teacher):
    UserJourneyFactory(journey=journey, user=teacher, role_in_journey="teacher")
    with pytest.raises(PermissionDenied):
        team_join(team=TeamFactory(journey=journey), user=teacher)


def test_whoever_joins_a_team_without_a_leader_leads_it(journey, student):
    empty = TeamFactory(journey=journey)
    team_join(team=empty, user=student)
    assert members_of(empty) == [(student.email, True)]


# --- leaving --------------------------------------------------------------------


def test_a_leader_who_leaves_hands_the_lead_to_the_earliest_joined_member(
    journey, student, classmate_factory
):
    team = TeamFactory(journey=journey)
    add_member(team, student, minutes_ago=30, leader=True)
    later = classmate_factory(email="later@example.test")
    earlier = classmate_factory(email="earlier@example.test")
    add_member(team, later, minutes_ago=5)
    add_member(team, earlier, minutes_ago=20)

    outcome = team_leave(team=team, user=student)

    assert outcome.new_leader == earlier and not outcome.team_deleted
    assert members_of(team) == [(earlier.email, True), (later.email, False)]


def test_a_member_who_leaves_changes_nobody_s_role(journey, student, classmate_factory):
    team = TeamFactory(journey=journey)
    leader = classmate_factory(email="leader@example.test")
    add_member(team, leader, minutes_ago=30, leader=True)
    add_member(team, student, minutes_ago=10)
    outcome = team_leave(team=team, user=student)
    assert outcome.new_leader is None
    assert members_of(team) == [(leader.email, True)]


def test_the_last_member_leaving_removes_a_team_without_history(journey, student):
    team = team_create(journey=journey, user=student, name="Short-lived")
    assert team_leave(team=team, user=student).team_deleted
    assert not Team.objects.filter(pk=team.pk).exists()


@pytest.mark.parametrize("history", ["post", "points"])
def test_an_empty_team_with_posts_or_points_is_kept(journey, student, history):
    team = team_create(journey=journey, user=student, name="With history")
    if history == "post":
        PostFactory(
            journey=journey,
            mission_instance__journey_week__journey=journey,
            user=student,
            team=team,
            is_team_submission=True,
        )
    else:
        TeamPointFactory(team=team, mission_instance__journey_week__journey=journey)

    outcome = team_leave(team=team, user=student)

    assert not outcome.team_deleted
    assert Team.objects.filter(pk=team.pk).exists()
    assert not TeamMember.objects.filter(team=team).exists()


def test_leaving_a_team_i_am_not_in_is_refused(journey, student, classmate_factory):
    team = TeamFactory(journey=journey)
    add_member(team, classmate_factory(), minutes_ago=5, leader=True)
    with pytest.raises(ValidationError, match="not a member of this team"):
        team_leave(team=team, user=student)
    assert TeamMember.objects.filter(team=team).count() == 1
