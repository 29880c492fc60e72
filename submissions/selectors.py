"""Reads for the teachers' Submissions tab of a journey: the submission rate per
week, who has not submitted which open mission, and the student × mission matrix.

A class can have a thousand students and thirty missions, so nothing here
reads or draws the whole class:

- the **totals** (each mission's submissions, hence the weekly rates, the
  per-mission counts and the "not submitted" counts, and how many of those
  were reminded today) are aggregates over the whole class, computed by
  PostgreSQL in one query (``TOTALS_SQL``);
- the **matrix** is one page of students (``MATRIX_PAGE_SIZE``), paged by key
  on their sort key (last name, first name, id), not by OFFSET; its cells are
  assembled in Python from flat reads of that page's students and posts,
  which is what lets a team's one post fill the cell of every member;
- the **"not submitted" lists** name the students of an open mission when
  few have not submitted it (``MISSING_LISTED_MAX``, read with the totals);
  a longer list opens a page at a time (``missing_page``), by key too.

Whatever the size of the class, a page runs the same queries and renders the
same number of rows.

A cell counts as submitted (as on the plan tab, ``missions.selectors.own_posts_q``)
when the student has a post of their own for the mission, or their team has a
team submission for it. The rule is written twice, as SQL for the totals
(``TOTALS_SQL``) and as querysets for the pages (``_not_submitted``, the
matrix's cells); tests/submissions/test_totals.py compares both with a
brute-force count.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from accounts.models import Profile, Role
from accounts.selectors import PUBLIC_NAME_FIELDS, public_name
from community.models import AchievementStatus, Post
from core.db import fetch_all
from core.keyset import BadCursor, first_rows, key_after, key_decode, key_encode
from core.statements import Statement
from journeys.class_cache import class_page
from journeys.models import Journey, JourneyWeek, UserJourney
from missions.models import JourneyMissionInstance, MissionReminder
from points import charts
from points.selectors import enrolled_students
from submissions.totals import ClassTotals, class_totals, reminder_day, reminder_days
from teams.models import TeamMember

# Week names are cut to this many characters inside the chart (SVG text does
# not wrap); the full name is in the bar's <title>.
CHART_LABEL_CHARS = 28
# Vertical rhythm of the chart: each week is a label line and a bar under it.
CHART_ROW_HEIGHT = 46
CHART_BAR_Y = 22
CHART_BAR_HEIGHT = 12

# Students per page of the matrix: 30 students × 32 missions is about a
# thousand cells, some 120 KB of HTML, whatever the size of the class.
MATRIX_PAGE_SIZE = 30
# "Not submitted yet" names the students of an open mission when at most this
# many have not submitted it; a longer list opens a page at a time.
MISSING_LISTED_MAX = 12
MISSING_PAGE_SIZE = 50
# A cursor longer than this is not one we wrote (two names and an id).
CURSOR_MAX_LENGTH = 4000


class CellState:
    """What one student's cell for one mission shows (a CSS modifier too)."""

    MISSING = "missing"
    PENDING = AchievementStatus.PENDING.value
    ACHIEVED = AchievementStatus.ACHIEVED.value
    NOT_ACHIEVED = AchievementStatus.NOT_ACHIEVED.value


@dataclass(frozen=True)
class Cell:
    state: str
    score: int | None = None
    by_team: bool = False  # filled by the student's team's post
    url: str = ""  # the post's grading page

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
class MissionTotal:
    """One released mission over the whole class."""

    instance: JourneyMissionInstance
    students: int
    submitted: int

    @property
    def missing(self) -> int:
        return self.students - self.submitted

    @property
    def percent(self) -> int:
        return charts.percent(self.submitted, self.students)


@dataclass(frozen=True)
class MissingStudent:
    profile: Profile
    name: str
    reminded_today: bool


@dataclass
class MissingGroup:
    """An open mission and the enrolled students who have not submitted it:
    their number over the whole class, how many of them were not reminded
    today, and, when they are few (``listed``), who they are, by name. A
    longer list is read a page at a time (``missing_page``)."""

    instance: JourneyMissionInstance
    total: int = 0
    not_yet_reminded: int = 0
    students: list[MissingStudent] = field(default_factory=list)
    listed: bool = False  # ``students`` holds them all
    next_cursor: str | None = None  # (``students`` is never a page of more)


@dataclass
class MissingPage:
    """A page of one mission's "not submitted" list."""

    students: list[MissingStudent]
    next_cursor: str | None
    is_first: bool


@dataclass
class MatrixPage:
    """A page of the matrix: ``rows`` for the students after the cursor, a
    cell per column each."""

    columns: list[JourneyMissionInstance]
    rows: list[StudentRow]
    next_cursor: str | None
    is_first: bool

    @property
    def has_rows(self) -> bool:
        return bool(self.rows)


@dataclass
class SubmissionsOverview:
    """The tab around its matrix, whose page of students comes from
    ``matrix_page`` (the first one drawn once per change of the class, by
    the view)."""

    rates: list[WeekRate]
    chart_height: int
    student_count: int  # the whole class
    columns: list[JourneyMissionInstance]  # released instances shown (plan order)
    totals: list[MissionTotal]  # one per column, over the whole class
    missing: list[MissingGroup]
    page_size: int = MATRIX_PAGE_SIZE


def released_instances(journey: Journey, now: dt.datetime) -> QuerySet[JourneyMissionInstance]:
    """The journey's instances released by ``now``, in plan order."""
    return _released(journey_id=journey.pk, now=now)


def released_instance_list(journey: Journey, now: dt.datetime) -> list[JourneyMissionInstance]:
    """``released_instances`` as a list, from a statement compiled once."""
    return _RELEASED.all(journey_id=journey.pk, now=now)


def _released(*, journey_id, now) -> QuerySet[JourneyMissionInstance]:
    return (
        JourneyMissionInstance.objects.filter(journey_id=journey_id, release_date__lte=now)
        .select_related("mission", "journey_week")
        .defer("mission__description")  # the tab never shows it; it can be long
        .order_by("journey_week__week_number", "release_date", "id")
    )


_RELEASED = Statement(_released, values=("journey_id", "now"))


# --- cursors ------------------------------------------------------------------------
#
# Students are listed by (last name, first name, id), a missing name sorting as
# "". A cursor is that key of a page's last student (core.keyset's cursor over
# any sort key: names may hold any character). Anything else is BadCursor, a 400.

SORT_KEY = ("sort_last", "sort_first", "pk")


def _sorted_students(students: QuerySet[Profile]) -> QuerySet[Profile]:
    return students.annotate(
        sort_last=Coalesce("last_name", Value(""), output_field=TextField()),
        sort_first=Coalesce("first_name", Value(""), output_field=TextField()),
    ).order_by(*SORT_KEY)


def student_cursor(profile: Profile) -> str:
    """The cursor after ``profile`` (annotated by ``_sorted_students``)."""
    return key_encode([profile.sort_last, profile.sort_first, profile.pk])


def _cursor_key(raw: str) -> list:
    """The sort key a cursor holds; BadCursor if it is not one of ours."""
    if len(raw) > CURSOR_MAX_LENGTH:
        raise BadCursor(raw)
    key = key_decode(raw, types=[str, str, uuid.UUID])
    if any("\x00" in part for part in key[:2]):
        raise BadCursor(raw)  # PostgreSQL text cannot hold it: not a name of ours
    return key


def _after(students: QuerySet[Profile], raw: str | None) -> QuerySet[Profile]:
    """``students`` (sorted) after the cursor ``raw``; BadCursor if not ours."""
    if not raw:
        return students
    return students.filter(key_after(SORT_KEY, _cursor_key(raw)))


def _page(students: QuerySet[Profile], size: int) -> tuple[list[Profile], str | None]:
    """At most ``size`` students and the cursor of the next page (None on the
    last): one query, a row beyond ``size`` read only to know more follow."""
    rows, more = first_rows(students, size)
    return rows, student_cursor(rows[-1]) if more else None


# --- who has not submitted ------------------------------------------------------------


def _individual_post() -> Q:
    """A post that fills its author's cell only: not a team submission, or one
    whose team is gone (as ``TOTALS_SQL`` has it)."""
    return Q(is_team_submission=False) | Q(is_team_submission__isnull=True) | Q(team__isnull=True)


def _not_submitted(journey: Journey, instance: JourneyMissionInstance, now: dt.datetime):
    """The journey's students (sorted) with neither a post of their own for
    ``instance`` nor a team submission of their team; each with
    ``last_reminded_on``, the latest day they were reminded of it that may be
    their today (``MissingStudent.reminded_today`` compares it with theirs)."""
    own_post = Post.objects.filter(
        _individual_post(), mission_instance_id=instance.pk, user_id=OuterRef("pk")
    )
    team_post = TeamMember.objects.filter(
        user_id=OuterRef("pk"),
        team__journey_id=journey.pk,
        team__posts__mission_instance_id=instance.pk,
        team__posts__is_team_submission=True,
    )
    first_day, _last_day = reminder_days(now)
    reminded_on = MissionReminder.objects.filter(
        mission_instance_id=instance.pk, profile_id=OuterRef("pk"), sent_on__gte=first_day
    ).order_by("-sent_on")
    return (
        _sorted_students(enrolled_students(journey))
        .exclude(Exists(own_post))
        .exclude(Exists(team_post))
        .annotate(last_reminded_on=Subquery(reminded_on.values("sent_on")[:1]))
    )


def _missing_student(profile: Profile, now: dt.datetime) -> MissingStudent:
    return MissingStudent(
        profile=profile,
        name=public_name(profile),
        reminded_today=profile.last_reminded_on == reminder_day(now, profile),
    )


def missing_page(
    *,
    journey: Journey,
    instance: JourneyMissionInstance,
    after: str | None = None,
    size: int = MISSING_PAGE_SIZE,
    now: dt.datetime | None = None,
) -> MissingPage:
    """A page of the students who have not submitted ``instance``, by name,
    after the cursor ``after`` (BadCursor when it is not one of ours)."""
    now = now or timezone.now()
    students, next_cursor = _page(_after(_not_submitted(journey, instance, now), after), size)
    return MissingPage(
        students=[_missing_student(profile, now) for profile in students],
        next_cursor=next_cursor,
        is_first=not after,
    )


def missing_group(
    *, journey: Journey, instance: JourneyMissionInstance, now: dt.datetime | None = None
) -> MissingGroup:
    """``instance``'s numbers over the whole class (its students are paged:
    ``missing_page``)."""
    now = now or timezone.now()
    open_instances = [instance] if instance.is_open(now) else []
    totals = class_totals(journey, [instance], open_instances, now)
    missing = totals.students - totals.submitted.get(instance.pk, 0)
    return MissingGroup(
        instance=instance,
        total=missing,
        not_yet_reminded=missing - totals.reminded.get(instance.pk, 0),
    )


def _missing_groups(
    open_instances: list[JourneyMissionInstance], totals: ClassTotals, now
) -> list[MissingGroup]:
    """The open missions (soonest deadline first) that somebody has not
    submitted, with the students of those that at most ``MISSING_LISTED_MAX``
    have not (``totals.listed``), by name."""
    groups = []
    for instance in open_instances:
        missing = totals.students - totals.submitted.get(instance.pk, 0)
        if missing > 0:
            groups.append(
                MissingGroup(
                    instance=instance,
                    total=missing,
                    not_yet_reminded=missing - totals.reminded.get(instance.pk, 0),
                    listed=missing <= MISSING_LISTED_MAX,
                )
            )
    for group in groups:
        if group.listed:  # at most MISSING_LISTED_MAX: the query read them all
            group.students = [
                MissingStudent(
                    profile=profile,
                    name=public_name(profile),
                    reminded_today=day == reminder_day(now, profile),
                )
                for profile, day in totals.listed.get(group.instance.pk, [])
            ]
    groups.sort(key=lambda group: (group.instance.expiry_date, group.instance.pk))
    return groups


# --- the matrix -------------------------------------------------------------------------


# The page's posts for the shown missions: the students' own, and their teams'
# team submissions. Plain SQL, the ids as text: for a thousand cells the ORM's
# row converters, and even Python's UUID objects, cost more than the query;
# the cells only need the ids as keys and in links. The missions are the journey's, so they alone
# keep the read inside it (a journey_id test only made PostgreSQL AND in a
# bitmap of the journey's every post).
CELLS_SQL = """
SELECT id::text, mission_instance_id::text, user_id::text, team_id::text,
       is_team_submission, achievement_status, score
FROM posts
WHERE mission_instance_id = ANY(%(instances)s)
  AND (user_id = ANY(%(students)s) OR (team_id = ANY(%(teams)s) AND is_team_submission))
"""


def _cells_lookup(journey: Journey, columns: list[JourneyMissionInstance], students, teams):
    """Two dicts from one query over the page's posts for ``columns``: the
    students' own posts by author, then instance, and their teams'
    submissions by team, then instance (every id as text)."""
    individual: dict[str, dict[str, Cell]] = {}
    by_team: dict[str, dict[str, Cell]] = {}
    if not columns or not students:
        return individual, by_team
    grade_url = url_maker(reverse("grading:grade", args=[PLACEHOLDER_ID]))
    posts = fetch_all(
        CELLS_SQL,
        {
            "instances": [instance.pk for instance in columns],
            "students": [profile.pk for profile in students],
            "teams": list(teams),
        },
    )
    for post_id, instance_id, user_id, team_id, is_team, status, score in posts:
        state = status or CellState.PENDING
        url = grade_url(post_id)
        if is_team and team_id is not None:
            cell = Cell(state, score, by_team=True, url=url)
            by_team.setdefault(team_id, {})[instance_id] = cell
        else:
            individual.setdefault(user_id, {})[instance_id] = Cell(state, score, url=url)
    return individual, by_team


# An id no row has, to build a URL once and fill in many ids (``url_maker``).
PLACEHOLDER_ID = uuid.UUID(int=0)


def url_maker(url: str):
    """``url`` (built with ``PLACEHOLDER_ID``) for any id, at the cost of a
    string join: a page of a thousand cells, or an export of thirty thousand
    rows, would otherwise ``reverse`` each one."""
    before, after = url.split(str(PLACEHOLDER_ID))
    return lambda pk: f"{before}{pk}{after}"


def matrix_page(
    *,
    journey: Journey,
    columns: list[JourneyMissionInstance],
    after: str | None = None,
    size: int = MATRIX_PAGE_SIZE,
) -> MatrixPage:
    """A page of the matrix: the students after the cursor ``after`` (BadCursor
    when it is not one of ours), by name, with a cell for each of ``columns``.
    Two queries (and the class's order, from the class cache): the students
    with their team, then their posts and their teams' posts."""
    students, next_cursor = _class_page(journey, after, size)
    teams = {p.matrix_team_id for p in students if p.matrix_team_id is not None}
    individual, team_posts = _cells_lookup(journey, columns, students, teams)

    column_ids = [str(instance.pk) for instance in columns]

    def cells(profile: Profile) -> list[Cell]:
        # As on the plan tab (missions.selectors.own_posts_q): the student's
        # own post, or their team's post for the mission.
        own = individual.get(str(profile.pk), {})
        team = team_posts.get(str(profile.matrix_team_id), {}) if profile.matrix_team_id else {}
        return [own.get(pk) or team.get(pk, EMPTY_CELL) for pk in column_ids]

    rows = [
        StudentRow(
            profile=profile,
            name=public_name(profile),
            team_name=profile.matrix_team_name,
            cells=cells(profile),
        )
        for profile in students
    ]
    return MatrixPage(columns=columns, rows=rows, next_cursor=next_cursor, is_first=not after)


def _class_page(journey: Journey, after: str | None, size: int) -> tuple[list[Profile], str | None]:
    """A page of the class's students (sorted, with their team in the journey)
    after the cursor ``after``. The class's order (its students' ids, sorted)
    is the same for every teacher: it is kept in the class cache until the
    class changes, so a page reads its thirty students by key, not the whole
    class sorted. A page after a student who has left since is found by key
    in SQL instead."""
    key = _cursor_key(after) if after else None
    page = class_page(
        journey,
        "students",
        ordered=_sorted_students(enrolled_students(journey)),
        # The ids are the class's (as of its version): a closed account is still left out.
        rows_of=lambda ids: _with_team(
            journey, Profile.objects.filter(pk__in=ids, role=Role.USER, deleted_at__isnull=True)
        ),
        after_id=str(key[-1]) if key else None,
        size=size,
        by_key=lambda: _by_key(journey, key, size),
    )
    rows = page.rows
    return rows, student_cursor(rows[-1]) if page.more and rows else None


def _by_key(journey: Journey, key: list, size: int) -> tuple[list[Profile], bool]:
    students = _with_team(journey, enrolled_students(journey)).filter(key_after(SORT_KEY, key))
    return first_rows(students, size)


def _with_team(journey: Journey, students: QuerySet[Profile]) -> QuerySet[Profile]:
    """``students`` sorted, with what a matrix row shows: the name, and the
    team in this journey (``matrix_team_id``, ``matrix_team_name``)."""
    membership = TeamMember.objects.filter(team__journey_id=journey.pk, user_id=OuterRef("pk"))
    return (
        _sorted_students(students)
        .only(*PUBLIC_NAME_FIELDS)
        .annotate(
            matrix_team_id=Subquery(membership.values("team_id")[:1]),
            matrix_team_name=Subquery(membership.values("team__name")[:1]),
        )
    )


def shown_columns(
    instances: list[JourneyMissionInstance], week: JourneyWeek | None
) -> list[JourneyMissionInstance]:
    """The released instances the matrix shows: ``week``'s, or all."""
    return [i for i in instances if week is None or i.journey_week_id == week.pk]


# --- the page ---------------------------------------------------------------------------


def submissions_overview(
    *,
    journey: Journey,
    weeks: list[JourneyWeek],
    week: JourneyWeek | None = None,
    now: dt.datetime | None = None,
) -> SubmissionsOverview:
    """Everything the Submissions tab shows but the matrix's rows. The chart
    covers every week of ``weeks``; the matrix's columns and the "not
    submitted" list only ``week`` when given."""
    now = now or timezone.now()
    instances = released_instance_list(journey, now)
    columns = shown_columns(instances, week)
    open_instances = [instance for instance in columns if instance.is_open(now)]
    totals = class_totals(journey, instances, open_instances, now, listed=MISSING_LISTED_MAX)
    return SubmissionsOverview(
        rates=_week_rates(weeks, instances, totals),
        chart_height=max(len(weeks), 1) * CHART_ROW_HEIGHT,
        student_count=totals.students,
        columns=columns,
        totals=[
            MissionTotal(
                instance=instance,
                students=totals.students,
                submitted=totals.submitted.get(instance.pk, 0),
            )
            for instance in columns
        ],
        missing=_missing_groups(open_instances, totals, now),
    )


def _week_rates(weeks, instances, totals: ClassTotals) -> list[WeekRate]:
    by_week = {week.pk: WeekRate(week=week, students=totals.students) for week in weeks}
    for instance in instances:
        rate = by_week.get(instance.journey_week_id)
        if rate is None:
            continue
        rate.released += 1
        rate.submitted += totals.submitted.get(instance.pk, 0)
    rates = list(by_week.values())
    for position, rate in enumerate(rates):
        rate.y = position * CHART_ROW_HEIGHT
    return rates


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
