"""A teacher's team change and a student's (or another teacher's) at the same
moment, each on its own connection: one team per student, names unique in the
journey whatever the case, one leader per team."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import ValidationError

from teams import services
from teams.models import Team, TeamMember
from tests.factories import TeamFactory, TeamMemberFactory
from tests.teams.test_team_concurrency import run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("english")]


@pytest.fixture
def slow_checks(monkeypatch):
    """Widen the window between each check and the write that follows it."""
    for name in ("_refuse_second_team", "_refuse_taken_name", "_lock_team"):
        original = getattr(services, name)

        def slowed(*args, _original=original, **kwargs):
            result = _original(*args, **kwargs)
            time.sleep(0.3)
            return result

        monkeypatch.setattr(services, name, slowed)


def test_a_teacher_assigning_while_the_student_joins_leaves_one_membership(
    slow_checks, journey, student, teacher
):
    first, second = TeamFactory(journey=journey), TeamFactory(journey=journey)

    results = run_together(
        lambda: services.team_member_assign(team=first, student=student, by=teacher),
        lambda: services.team_join(team=second, user=student),
    )

    assert TeamMember.objects.filter(user=student).count() == 1
    assert sum(isinstance(result, ValidationError) for result in results) == 1


def test_a_teacher_and_a_student_creating_one_name_at_once_leave_one_team(
    slow_checks, journey, student, teacher
):
    run_together(
        lambda: services.team_create_by_teacher(journey=journey, by=teacher, name="Alpha"),
        lambda: services.team_create(journey=journey, user=student, name="alpha"),
    )

    assert Team.objects.filter(journey=journey, name__iexact="alpha").count() == 1


def test_a_rename_and_a_creation_of_one_name_at_once_leave_one(
    slow_checks, journey, student, teacher
):
    existing = TeamFactory(journey=journey, name="Beta")

    run_together(
        lambda: services.team_rename(team=existing, by=teacher, name="Gamma"),
        lambda: services.team_create(journey=journey, user=student, name="GAMMA"),
    )

    assert Team.objects.filter(journey=journey, name__iexact="gamma").count() == 1


def test_two_teachers_choosing_different_leaders_at_once_leave_one_leader(
    slow_checks, journey, teacher, admin_user, classmate_factory
):
    team = TeamFactory(journey=journey)
    first, second = classmate_factory(), classmate_factory()
    TeamMemberFactory(team=team, user=first, is_leader=True)
    TeamMemberFactory(team=team, user=second, is_leader=False)
    third = classmate_factory()
    TeamMemberFactory(team=team, user=third, is_leader=False)

    run_together(
        lambda: services.team_leader_set(team=team, student=second, by=teacher),
        lambda: services.team_leader_set(team=team, student=third, by=admin_user),
    )

    assert TeamMember.objects.filter(team=team, is_leader=True).count() == 1


def test_two_moves_between_two_teams_at_once_do_not_deadlock(
    slow_checks, journey, teacher, admin_user, classmate_factory
):
    left, right = TeamFactory(journey=journey), TeamFactory(journey=journey)
    going_right, going_left = classmate_factory(), classmate_factory()
    TeamMemberFactory(team=left, user=going_right, is_leader=True)
    TeamMemberFactory(team=right, user=going_left, is_leader=True)

    results = run_together(
        lambda: services.team_member_move(student=going_right, to_team=right, by=teacher),
        lambda: services.team_member_move(student=going_left, to_team=left, by=admin_user),
    )

    assert all(isinstance(result, TeamMember) for result in results), results
    assert TeamMember.objects.get(user=going_right).team_id == right.pk
    assert TeamMember.objects.get(user=going_left).team_id == left.pk
    for team in (left, right):
        assert TeamMember.objects.filter(team=team, is_leader=True).count() == 1
