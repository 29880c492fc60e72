"""Reads for the Dashboard tab beyond the leaderboards: a student's progress
per week and overall, and, for teachers, the class's submission rate per week.

Their queries do not grow in number with the students or the posts: a
student's progress is one query over the instances; the class's rates are
two, the instances and their submitters counted in SQL (one pass over the
journey's submissions, never a row per student in Python). The week grouping
is done here in Python over the (few) instances.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from core.statements import Statement
from journeys.models import Journey, JourneyWeek
from missions.models import JourneyMissionInstance
from missions.selectors import Progress, my_posts_by_instance, progress_of
from points import charts
from points.submitters import submitters_by_instance


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
    mine = my_posts_by_instance(journey=journey, profile=profile, team_id=team_id)
    # Only the numbers: three values an instance, not three models.
    instances = _INSTANCE_WEEKS.all(journey_id=journey.pk)
    for instance_id, week_id, release_date in instances:
        post_id, status = mine.get(instance_id, (None, None))
        progress = progress_of(status, has_post=post_id is not None)
        row = by_week.get(week_id)
        done = progress == Progress.ACHIEVED
        if row is not None:
            row.total += 1
            row.submitted += progress != Progress.NOT_STARTED
            row.achieved += done
        in_ring = week is None or week_id == week.pk
        if in_ring and release_date is not None and release_date <= now:
            released += 1
            achieved += done
    return StudentProgress(
        weeks=list(by_week.values()),
        ring=charts.ring(achieved, released),
        released=released,
        achieved=achieved,
    )


_INSTANCE_WEEKS = Statement(
    lambda *, journey_id: JourneyMissionInstance.objects.filter(journey_id=journey_id).values_list(
        "pk", "journey_week_id", "release_date"
    ),
    values=("journey_id",),
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


def class_submission_rates(
    *,
    journey: Journey,
    weeks: Iterable[JourneyWeek],
    students: int,
    now: dt.datetime | None = None,
) -> list[WeekSubmissionRate]:
    """Per week, the share of possible submissions made, over the instances
    released so far (a mission not open yet cannot be late). ``students`` is the
    number of enrolled students (the leaderboard's ``out_of``). Two queries,
    whatever the number of students and posts: the instances, and their
    submitters counted in SQL."""
    now = now or timezone.now()
    by_week = {week.pk: WeekSubmissionRate(week=week, students=students) for week in weeks}
    released = JourneyMissionInstance.objects.filter(journey=journey, release_date__lte=now)
    instances = list(released.select_related("mission").order_by("release_date", "id"))
    if not instances:
        return list(by_week.values())
    submitters = submitters_by_instance(journey, [instance.pk for instance in instances])
    for instance in instances:
        row = by_week.get(instance.journey_week_id)
        if row is None:
            continue
        instance.submitters = submitters.get(instance.pk, 0)
        row.released += 1
        row.submissions += instance.submitters
        row.instances.append(instance)
    return list(by_week.values())
