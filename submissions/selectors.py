"""Reads for the teachers' Submissions tab of a journey: the submission rate per
week, who has not submitted which open mission, and the student × mission matrix.

``submissions_overview`` runs a fixed number of queries (instances, students,
team memberships, posts, today's reminders) whatever the number of students,
missions or posts: the matrix is assembled here in Python from those five
flat reads, which is also what lets a team's one post fill the cell of every
member of that team.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.text import Truncator

from accounts.models import Profile, Role
from accounts.selectors import public_name
from community.models import AchievementStatus, Post
from core.moments import local_date
from journeys.models import Journey, JourneyWeek, UserJourney
from missions.models import JourneyMissionInstance, MissionReminder
from points import charts
from points.selectors import enrolled_students
from teams.models import TeamMember

# Week names are cut to this many characters inside the chart (SVG text does
# not wrap); the full name is in the bar's <title>.
CHART_LABEL_CHARS = 28
# Vertical rhythm of the chart: each week is a label line and a bar under it.
CHART_ROW_HEIGHT = 46
CHART_BAR_Y = 22
CHART_BAR_HEIGHT = 12


class CellState:
    """What one student's cell for one mission shows (a CSS modifier too)."""

    MISSING = "missing"
    PENDING = AchievementStatus.PENDING.value
    ACHIEVED = AchievementStatus.ACHIEVED.value
    NOT_ACHIEVED = AchievementStatus.NOT_ACHIEVED.value


@dataclass(frozen=True)
class Cell:
    state: str
    post_id: uuid.UUID | None = None
    score: int | None = None
    by_team: bool = False  # filled by the student's team's post

    @property
    def submitted(self) -> bool:
        return self.state != CellState.MISSING


EMPTY_CELL = Cell(CellState.MISSING)


@dataclass
class StudentRow:
    profile: Profile
    name: str
    team_name: str | None
    cells: list[Cell]


@dataclass
class WeekRate:
    """One week of the chart: submissions made out of those expected so far
    (enrolled students × the week's released instances)."""

    week: JourneyWeek
    students: int
    released: int = 0
    submitted: int = 0
    y: int = 0  # top of the row in the chart

    @property
    def expected(self) -> int:
        return self.students * self.released

    @property
    def percent(self) -> int:
        return charts.percent(self.submitted, self.expected)

    @property
    def label(self) -> str:
        return Truncator(self.week.name).chars(CHART_LABEL_CHARS)

    @property
    def bar_y(self) -> int:
        return self.y + CHART_BAR_Y

    @property
    def text_y(self) -> int:
        return self.y + 15


@dataclass(frozen=True)
class MissingStudent:
    profile: Profile
    name: str
    reminded_today: bool


@dataclass
class MissingGroup:
    """An open mission and the enrolled students who have not submitted it."""

    instance: JourneyMissionInstance
    students: list[MissingStudent] = field(default_factory=list)

    @property
    def not_yet_reminded(self) -> int:
        return sum(not student.reminded_today for student in self.students)


@dataclass
class SubmissionsOverview:
    rates: list[WeekRate]
    chart_height: int
    columns: list[JourneyMissionInstance]  # released instances shown (plan order)
    rows: list[StudentRow]
    missing: list[MissingGroup]

    @property
    def student_count(self) -> int:
        return len(self.rows)


def reminder_day(now: dt.datetime, student: Profile) -> dt.date:
    """The calendar day a reminder counts for: the reminded student's, so "at
    most one a day" resets at their midnight, not at UTC's or the teacher's."""
    return local_date(now, student)


def released_instances(journey: Journey, now: dt.datetime) -> QuerySet[JourneyMissionInstance]:
    """The journey's instances released by ``now``, in plan order."""
    return (
        JourneyMissionInstance.objects.filter(journey=journey, release_date__lte=now)
        .select_related("mission", "journey_week")
        .order_by("journey_week__week_number", "release_date", "id")
    )


def _cells_lookup(journey: Journey, now: dt.datetime):
    """Two dicts from one query over the journey's submissions of released
    instances: individual posts by (instance, author) and team posts by
    (instance, team)."""
    individual: dict[tuple, Cell] = {}
    by_team: dict[tuple, Cell] = {}
    posts = Post.objects.filter(
        mission_instance__journey=journey, mission_instance__release_date__lte=now
    ).values_list(
        "id",
        "mission_instance_id",
        "user_id",
        "team_id",
        "is_team_submission",
        "achievement_status",
        "score",
    )
    for post_id, instance_id, user_id, team_id, is_team, status, score in posts:
        state = status or CellState.PENDING
        if is_team and team_id is not None:
            by_team[(instance_id, team_id)] = Cell(state, post_id, score, by_team=True)
        else:
            individual[(instance_id, user_id)] = Cell(state, post_id, score)
    return individual, by_team


def _teams_of(journey: Journey) -> dict[uuid.UUID, tuple[uuid.UUID, str]]:
    """user id → (team id, team name) in this journey (one team per journey)."""
    rows = TeamMember.objects.filter(team__journey=journey).values_list(
        "user_id", "team_id", "team__name"
    )
    return {user_id: (team_id, name) for user_id, team_id, name in rows}


def submissions_overview(
    *,
    journey: Journey,
    weeks: list[JourneyWeek],
    week: JourneyWeek | None = None,
    now: dt.datetime | None = None,
) -> SubmissionsOverview:
    """Everything the Submissions tab shows. The chart covers every week of
    ``weeks``; the matrix and the "not submitted" list only ``week`` when given."""
    now = now or timezone.now()
    instances = list(released_instances(journey, now))
    students = list(enrolled_students(journey).order_by("last_name", "first_name", "pk"))
    teams = _teams_of(journey)
    individual, team_posts = _cells_lookup(journey, now)

    def cell(instance: JourneyMissionInstance, profile: Profile) -> Cell:
        # As on the plan tab (missions.selectors.own_posts_q): the student's
        # own post, or their team's post for the mission.
        own = individual.get((instance.pk, profile.pk))
        if own is not None:
            return own
        team = teams.get(profile.pk)
        if team is not None:
            return team_posts.get((instance.pk, team[0]), EMPTY_CELL)
        return EMPTY_CELL

    grid = {profile.pk: [cell(instance, profile) for instance in instances] for profile in students}
    shown = [
        index
        for index, instance in enumerate(instances)
        if week is None or instance.journey_week_id == week.pk
    ]
    rows = [
        StudentRow(
            profile=profile,
            name=public_name(profile),
            team_name=teams[profile.pk][1] if profile.pk in teams else None,
            cells=[grid[profile.pk][index] for index in shown],
        )
        for profile in students
    ]
    return SubmissionsOverview(
        rates=_week_rates(weeks, instances, grid, len(students)),
        chart_height=max(len(weeks), 1) * CHART_ROW_HEIGHT,
        columns=[instances[index] for index in shown],
        rows=rows,
        missing=_missing_groups(
            journey, [instances[index] for index in shown], shown, students, grid, now
        ),
    )


def _week_rates(weeks, instances, grid, student_count: int) -> list[WeekRate]:
    by_week = {week.pk: WeekRate(week=week, students=student_count) for week in weeks}
    for index, instance in enumerate(instances):
        rate = by_week.get(instance.journey_week_id)
        if rate is None:
            continue
        rate.released += 1
        rate.submitted += sum(cells[index].submitted for cells in grid.values())
    rates = list(by_week.values())
    for position, rate in enumerate(rates):
        rate.y = position * CHART_ROW_HEIGHT
    return rates


def _missing_groups(journey, columns, indexes, students, grid, now) -> list[MissingGroup]:
    """Open missions (among ``columns``) with the students who have not submitted
    them, soonest deadline first; each student flagged if reminded today (their today)."""
    today = {profile.pk: reminder_day(now, profile) for profile in students}
    reminded = set(
        MissionReminder.objects.filter(
            mission_instance__journey=journey, sent_on__in=set(today.values())
        ).values_list("mission_instance_id", "profile_id", "sent_on")
    )
    groups = []
    for instance, index in zip(columns, indexes, strict=True):
        if not instance.is_open(now):
            continue
        group = MissingGroup(instance=instance)
        for profile in students:
            if not grid[profile.pk][index].submitted:
                group.students.append(
                    MissingStudent(
                        profile=profile,
                        name=public_name(profile),
                        reminded_today=(instance.pk, profile.pk, today[profile.pk]) in reminded,
                    )
                )
        if group.students:
            groups.append(group)
    groups.sort(key=lambda group: (group.instance.expiry_date, group.instance.pk))
    return groups


# --- for the reminder services -------------------------------------------------------


def reminder_candidates(instance: JourneyMissionInstance) -> QuerySet[UserJourney]:
    """Enrolments of ``instance``'s journey that may be reminded of it: active
    students (not deleted) who have neither their own post for it nor, for a
    team submission, a post of their team. The set-based twin of the matrix's
    "missing" cell."""
    own_post = Post.objects.filter(mission_instance=instance, user_id=OuterRef("user_id")).filter(
        Q(is_team_submission=False) | Q(is_team_submission__isnull=True)
    )
    team_post = TeamMember.objects.filter(
        user_id=OuterRef("user_id"),
        team__journey_id=instance.journey_id,
        team__posts__mission_instance=instance,
        team__posts__is_team_submission=True,
    )
    return (
        UserJourney.objects.filter(
            journey_id=instance.journey_id,
            user__role=Role.USER,
            user__is_active=True,
            user__deleted_at__isnull=True,
        )
        .exclude(Exists(own_post))
        .exclude(Exists(team_post))
    )


def enrolled_student(journey: Journey, profile_id) -> Profile | None:
    """The journey's enrolled student with this id, or None (another journey's
    student, a teacher, a malformed id)."""
    try:
        wanted = uuid.UUID(str(profile_id))
    except ValueError:
        return None
    return enrolled_students(journey).filter(pk=wanted).first()
