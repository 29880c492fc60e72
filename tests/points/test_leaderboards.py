"""points.selectors: individual and team leaderboards, ranked in SQL."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import timezone

from accounts.models import Role
from points.models import TeamPoint, UserPoint
from points.selectors import (
    MyStanding,
    individual_leaderboard,
    my_standing,
    standing_of,
    team_leaderboard,
)
from tests.factories import (
    JourneyFactory,
    JourneyWeekFactory,
    MissionInstanceFactory,
    ProfileFactory,
    TeamFactory,
    TeamMemberFactory,
    UserJourneyFactory,
)
from tests.scenarios import ClassScenario, MissionAt


@pytest.fixture
def klass(organization):
    """No students yet (each test enrols its own); one mission in each of two weeks."""
    scenario = ClassScenario.build(
        organization, weeks=2, missions=(MissionAt(week=1), MissionAt(week=2))
    )
    week1, week2 = scenario.weeks
    w1, w2 = scenario.missions
    return SimpleNamespace(journey=scenario.journey, week1=week1, week2=week2, w1=w1, w2=w2)


def enrol(journey, last_name: str, first_name: str = "", role=Role.USER):
    person = ProfileFactory(
        organization=journey.organization, last_name=last_name, first_name=first_name, role=role
    )
    UserJourneyFactory(journey=journey, user=person)
    return person


def award(profile, instance, points: int) -> None:
    UserPoint.objects.create(profile=profile, mission_instance=instance, total_points=points)


def team_award(team, instance, points: int) -> None:
    TeamPoint.objects.create(team=team, mission_instance=instance, total_points=points)


def table(rows) -> list[tuple[str, int, int]]:
    return [(row.profile.last_name, row.points, row.rank) for row in rows]


def test_ties_share_a_rank_and_the_next_rank_skips(klass):
    a, b, c, d = (enrol(klass.journey, name) for name in ("Alpha", "Bravo", "Charlie", "Delta"))
    award(b, klass.w1, 30)
    award(d, klass.w1, 30)
    award(a, klass.w1, 10)
    award(a, klass.w2, 10)

    assert table(individual_leaderboard(klass.journey)) == [
        ("Bravo", 30, 1),
        ("Delta", 30, 1),
        ("Alpha", 20, 3),
        ("Charlie", 0, 4),
    ]


def test_students_without_points_are_listed_with_zero_in_name_order(klass):
    for name in ("Kim", "Choi", "Park"):
        enrol(klass.journey, name)
    assert table(individual_leaderboard(klass.journey)) == [
        ("Choi", 0, 1),
        ("Kim", 0, 1),
        ("Park", 0, 1),
    ]


def test_only_the_journeys_enrolled_students_are_ranked(klass, teacher):
    student = enrol(klass.journey, "Student")
    enrol(klass.journey, "Teacher", role=Role.TEACHER)
    gone = enrol(klass.journey, "Gone")
    gone.deleted_at = timezone.now()
    gone.save()
    ProfileFactory(organization=klass.journey.organization, last_name="NotEnrolled")

    assert [row.profile for row in individual_leaderboard(klass.journey)] == [student]


def test_another_journeys_points_do_not_count(klass):
    student = enrol(klass.journey, "Both")
    other = JourneyFactory(organization=klass.journey.organization)
    UserJourneyFactory(journey=other, user=student)
    award(student, klass.w1, 10)
    award(student, MissionInstanceFactory(journey_week__journey=other), 500)

    assert table(individual_leaderboard(klass.journey)) == [("Both", 10, 1)]
    assert table(individual_leaderboard(other)) == [("Both", 500, 1)]


def test_a_week_counts_only_its_own_instances(klass):
    early, late = enrol(klass.journey, "Early"), enrol(klass.journey, "Late")
    award(early, klass.w1, 50)
    award(late, klass.w2, 20)

    assert table(individual_leaderboard(klass.journey, week=klass.week2)) == [
        ("Late", 20, 1),
        ("Early", 0, 2),
    ]
    assert table(individual_leaderboard(klass.journey, week=klass.week1)) == [
        ("Early", 50, 1),
        ("Late", 0, 2),
    ]


def test_a_week_of_another_journey_counts_nothing(klass):
    student = enrol(klass.journey, "Solo")
    award(student, klass.w1, 50)
    foreign_week = JourneyWeekFactory()
    assert table(individual_leaderboard(klass.journey, week=foreign_week)) == [("Solo", 0, 1)]


def test_a_points_row_without_a_value_counts_as_zero(klass):
    student = enrol(klass.journey, "Nulls")
    UserPoint.objects.create(profile=student, mission_instance=klass.w1, total_points=None)
    assert table(individual_leaderboard(klass.journey)) == [("Nulls", 0, 1)]


def test_the_team_leaderboard_ranks_every_team_with_ties(klass):
    blaze, wave, bolt, calm = (
        TeamFactory(journey=klass.journey, name=name) for name in ("Blaze", "Wave", "Bolt", "Calm")
    )
    TeamMemberFactory.create_batch(3, team=blaze)
    team_award(blaze, klass.w1, 40)
    team_award(wave, klass.w1, 25)
    team_award(wave, klass.w2, 15)
    team_award(bolt, klass.w2, 10)
    TeamFactory(name="Elsewhere")  # another journey's team
    team_award(calm, MissionInstanceFactory(), 999)  # points from another journey

    rows = team_leaderboard(klass.journey)

    assert [(row.team.name, row.points, row.rank) for row in rows] == [
        ("Blaze", 40, 1),
        ("Wave", 40, 1),
        ("Bolt", 10, 3),
        ("Calm", 0, 4),
    ]
    assert rows[0].member_count == 3 and rows[3].member_count == 0
    week2 = team_leaderboard(klass.journey, week=klass.week2)
    assert [(row.team.name, row.points, row.rank) for row in week2][:2] == [
        ("Wave", 15, 1),
        ("Bolt", 10, 2),
    ]


def test_my_standing_says_rank_out_of_and_points(klass, teacher):
    first, me, third = (enrol(klass.journey, name) for name in ("A", "B", "C"))
    award(first, klass.w1, 30)
    award(me, klass.w1, 20)

    assert my_standing(klass.journey, me) == MyStanding(rank=2, out_of=3, points=20)
    assert my_standing(klass.journey, me, week=klass.week2) == MyStanding(1, 3, 0)
    assert standing_of(individual_leaderboard(klass.journey), teacher) is None


@pytest.mark.parametrize("size", [3, 60])
def test_each_leaderboard_is_one_query(klass, django_assert_num_queries, size):
    for number in range(size):
        student = enrol(klass.journey, f"S{number:03d}")
        award(student, klass.w1, number % 7)
        team = TeamFactory(journey=klass.journey)
        TeamMemberFactory(team=team, user=student)
        team_award(team, klass.w2, number % 5)

    with django_assert_num_queries(1):
        students = individual_leaderboard(klass.journey, week=klass.week1)
        [row.profile.image_url for row in students]  # avatars come with the rows
    with django_assert_num_queries(1):
        teams = team_leaderboard(klass.journey)
    assert len(students) == len(teams) == size
