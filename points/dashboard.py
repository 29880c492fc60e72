"""Reads for the Dashboard tab beyond the leaderboards: a student's progress
per week and overall, and, for teachers, the class's submission rate per week.

Both cost one query for the instances whatever the number of students or
posts; the week grouping is done here in Python over the (few) instances.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Role
from community.models import Post
from core.db import SubqueryCount
from journeys.models import Journey, JourneyWeek, UserJourney
from missions.models import JourneyMissionInstance
from missions.selectors import Progress, instances_with_progress
from points import charts


@dataclass
class WeekProgress:
    """One week of a student's plan: achieved ≤ submitted ≤ total instances."""

    week: JourneyWeek
    total: int = 0
    submitted: int = 0  # any post, graded or not
    achieved: int = 0

    @property
    def segments(self) -> list[charts.Segment]:
        return charts.stacked_bar(
            [("achieved", self.achieved), ("submitted", self.submitted - self.achieved)],
            self.total,
        )


@dataclass
class StudentProgress:
    weeks: list[WeekProgress]
    ring: charts.Ring  # achieved out of the instances released so far
    released: int
    achieved: int


def student_progress(
    *,
    journey: Journey,
    profile,
    weeks: Iterable[JourneyWeek],
    team_id=None,
    week: JourneyWeek | None = None,
    now: dt.datetime | None = None,
) -> StudentProgress:
    """``profile``'s progress: per week (every week of ``weeks``, empty ones too)
    and the completion ring, over the whole journey or ``week`` only. Pass
    ``team_id`` (missions.selectors.my_team_id) so team submissions count as the
    student's."""
    now = now or timezone.now()
    by_week = {week.pk: WeekProgress(week=week) for week in weeks}
    released = achieved = 0
    for instance in instances_with_progress(journey=journey, profile=profile, team_id=team_id):
        row = by_week.get(instance.journey_week_id)
        done = instance.my_progress == Progress.ACHIEVED
        if row is not None:
            row.total += 1
            row.submitted += instance.my_progress != Progress.NOT_STARTED
            row.achieved += done
        in_ring = week is None or instance.journey_week_id == week.pk
        if in_ring and instance.has_opened(now):
            released += 1
            achieved += done
    return StudentProgress(
        weeks=list(by_week.values()),
        ring=charts.ring(achieved, released),
        released=released,
        achieved=achieved,
    )


@dataclass
class WeekSubmissionRate:
    """One week for teachers: of the submissions possible so far (students ×
    released instances), how many were made. A team's post counts for each of
    its members."""

    week: JourneyWeek
    students: int
    released: int = 0
    submissions: int = 0
    instances: list = field(default_factory=list)

    @property
    def possible(self) -> int:
        return self.students * self.released

    @property
    def percent(self) -> int:
        return charts.percent(self.submissions, self.possible)

    @property
    def segments(self) -> list[charts.Segment]:
        return charts.stacked_bar([("rate", self.submissions)], self.possible)


def _submitters_count() -> SubqueryCount:
    """For an instance (the outer row): how many of the journey's students
    submitted it, alone or through their team. COUNT over their enrolments with
    an EXISTS on posts, so one query for every instance."""
    post_counts = Post.objects.filter(mission_instance=OuterRef(OuterRef("pk"))).filter(
        (
            Q(user_id=OuterRef("user_id"))
            & (Q(is_team_submission=False) | Q(is_team_submission__isnull=True))
        )
        | Q(is_team_submission=True, team__members__user_id=OuterRef("user_id"))
    )
    submitters = UserJourney.objects.filter(
        journey_id=OuterRef("journey_id"),
        user__role=Role.USER,
        user__deleted_at__isnull=True,
    ).filter(Exists(post_counts))
    return SubqueryCount(submitters)


def class_submission_rates(
    *,
    journey: Journey,
    weeks: Iterable[JourneyWeek],
    students: int,
    now: dt.datetime | None = None,
) -> list[WeekSubmissionRate]:
    """Per week, the share of possible submissions made, over the instances
    released so far (a mission not open yet cannot be late). ``students`` is the
    number of enrolled students (the leaderboard's length)."""
    now = now or timezone.now()
    by_week = {week.pk: WeekSubmissionRate(week=week, students=students) for week in weeks}
    instances = (
        JourneyMissionInstance.objects.filter(journey=journey, release_date__lte=now)
        .select_related("mission")
        .annotate(submitters=_submitters_count())
        .order_by("release_date", "id")
    )
    for instance in instances:
        row = by_week.get(instance.journey_week_id)
        if row is None:
            continue
        row.released += 1
        row.submissions += instance.submitters
        row.instances.append(instance)
    return list(by_week.values())
