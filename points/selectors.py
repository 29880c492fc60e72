"""Leaderboards: points summed over a journey's mission instances (optionally
one week's), ranked in SQL with RANK(), so ties share a rank (1, 1, 3).

Each leaderboard is one query whatever the number of students, teams or
points rows. The sums read ``user_points`` / ``team_points`` through their
covering leaderboard indexes (mission instance, owner, INCLUDE total_points).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    F,
    Func,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce, Rank

from accounts.models import Profile, Role
from accounts.selectors import public_name
from journeys.models import Journey, JourneyWeek
from missions.models import JourneyMissionInstance
from points.models import TeamPoint, UserPoint
from teams.models import Team, TeamMember


@dataclass(frozen=True)
class StudentStanding:
    profile: Profile
    name: str  # the public name ("Deleted user" never appears: see below)
    points: int
    rank: int


@dataclass(frozen=True)
class TeamStanding:
    team: Team
    member_count: int
    points: int
    rank: int


@dataclass(frozen=True)
class MyStanding:
    """ "#3 of 25, 120 PT"."""

    rank: int
    out_of: int
    points: int


def _instance_ids(journey: Journey, week: JourneyWeek | None) -> QuerySet:
    instances = JourneyMissionInstance.objects.filter(journey=journey)
    if week is not None:
        # A week of another journey simply has none of this journey's instances.
        instances = instances.filter(journey_week=week)
    return instances.values("pk")


def _sum_of(rows: QuerySet) -> Coalesce:
    """SUM(total_points) of ``rows`` as a correlated subquery; 0 when there is none."""
    summed = (
        rows.order_by()
        .annotate(s=Func(F("total_points"), function="SUM", output_field=IntegerField()))
        .values("s")
    )
    return Coalesce(Subquery(summed, output_field=IntegerField()), 0)


def _ranked(queryset: QuerySet) -> QuerySet:
    # (``point_sum``, not ``points``: profiles and teams have a ``points`` relation.)
    """RANK() over ``point_sum``, highest first: equal points, equal rank (1, 1, 3)."""
    return queryset.annotate(rank=Window(Rank(), order_by=F("point_sum").desc()))


def enrolled_students(journey: Journey) -> QuerySet[Profile]:
    """The journey's students (role "user"). Closed accounts are left out: their
    row stays for their posts, but they are no longer in the class."""
    return Profile.objects.filter(
        journey_memberships__journey=journey, role=Role.USER, deleted_at__isnull=True
    )


def individual_leaderboard(
    journey: Journey, week: JourneyWeek | None = None
) -> list[StudentStanding]:
    """Every student of the journey, 0 points included, with their points over
    the journey's instances (or ``week``'s), ordered by rank, then name."""
    earned = UserPoint.objects.filter(
        profile=OuterRef("pk"), mission_instance__in=_instance_ids(journey, week)
    )
    students = _ranked(
        enrolled_students(journey)
        .select_related("profile_image_file")
        .annotate(point_sum=_sum_of(earned))
    ).order_by("rank", "last_name", "first_name", "pk")
    return [
        StudentStanding(profile=s, name=public_name(s), points=s.point_sum, rank=s.rank)
        for s in students
    ]


def team_leaderboard(journey: Journey, week: JourneyWeek | None = None) -> list[TeamStanding]:
    """Every team of the journey, 0 points included, ordered by rank, then name."""
    earned = TeamPoint.objects.filter(
        team=OuterRef("pk"), mission_instance__in=_instance_ids(journey, week)
    )
    members = TeamMember.objects.filter(team=OuterRef("pk")).order_by()
    member_count = Coalesce(
        Subquery(
            members.annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField())).values(
                "n"
            ),
            output_field=IntegerField(),
        ),
        0,
    )
    teams = _ranked(
        Team.objects.filter(journey=journey).annotate(
            point_sum=_sum_of(earned), member_count=member_count
        )
    ).order_by("rank", "name", "pk")
    return [
        TeamStanding(team=t, member_count=t.member_count, points=t.point_sum, rank=t.rank)
        for t in teams
    ]


def standing_of(rows: list[StudentStanding], profile: Profile) -> MyStanding | None:
    """``profile``'s place in a leaderboard already read (no query); None when
    they are not on it (a teacher, say)."""
    for row in rows:
        if row.profile.pk == profile.pk:
            return MyStanding(rank=row.rank, out_of=len(rows), points=row.points)
    return None


def my_standing(
    journey: Journey, profile: Profile, week: JourneyWeek | None = None
) -> MyStanding | None:
    """``profile``'s rank and points in the journey (one query)."""
    return standing_of(individual_leaderboard(journey, week), profile)
