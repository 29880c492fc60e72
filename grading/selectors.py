"""Reads of the grading dashboard: the queue of submissions a teacher grades,
its filters, and a post's neighbours in it ("save and next", j / k).

The queue is every mission submission of the teacher's academy, oldest first,
paged by key on (created_at, id). No index holds that order for "the posts of
these journeys", so the queue is read journey by journey: each journey's first
rows after the cursor come from its own index (its pending submissions from
``posts_grading_journey_idx``, its other posts from ``posts_journey_newest_idx``
read backwards), and the queue keeps the oldest of those. A read so costs a few
index entries per journey, however many posts wait, and a page the same number
of queries whatever the number of posts: its keys, its rows, a count that stops
at ``COUNT_LIMIT``, one per filter list.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, fields, replace
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q, QuerySet, TextChoices
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from accounts.models import Profile, Role
from accounts.selectors import public_name
from community.models import AchievementStatus, Post
from core.keyset import cursor_decode, cursor_encode, newer_than, older_than
from core.statements import SqlStatement, Statement
from journeys.models import Journey, JourneyWeek, audience_arguments
from missions.models import JourneyMissionInstance, Mission
from teams.models import TeamMember

QUEUE_PAGE_SIZE = 25


class QueueState(TextChoices):
    PENDING = "pending", _("Waiting for grading")
    ACHIEVED = "achieved", _("Achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")
    ALL = "all", _("All")


def _uuid_or_none(raw: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        # A filter, not a lookup: a mangled value just filters nothing.
        return None


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters, as GET parameters (bookmarkable). The grading page
    carries them along, so "save and next" stays in the same filtered queue."""

    journey: uuid.UUID | None = None
    week: uuid.UUID | None = None
    mission: uuid.UUID | None = None  # a mission template (any of its schedulings)
    student: uuid.UUID | None = None
    state: str = QueueState.PENDING

    @classmethod
    def from_query(cls, data) -> QueueFilters:
        state = data.get("state")
        return cls(
            journey=_uuid_or_none(data.get("journey")),
            week=_uuid_or_none(data.get("week")),
            mission=_uuid_or_none(data.get("mission")),
            student=_uuid_or_none(data.get("student")),
            state=state if state in QueueState.values else QueueState.PENDING,
        )

    def params(self) -> dict[str, str]:
        """The non-default filters, for a URL."""
        values = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value and not (item.name == "state" and value == QueueState.PENDING):
                values[item.name] = str(value)
        return values

    def query(self) -> str:
        """``?journey=…&state=…`` (empty when every filter is at its default)."""
        params = self.params()
        return "?" + urlencode(params) if params else ""

    @property
    def is_default(self) -> bool:
        return not self.params()

    def without(self, name: str) -> QueueFilters:
        return replace(self, **{name: None if name != "state" else QueueState.PENDING})


@dataclass(frozen=True)
class QueueCursor:
    created_at: dt.datetime
    id: uuid.UUID

    def encode(self) -> str:
        return cursor_encode(created_at=self.created_at, id=self.id)

    @classmethod
    def decode(cls, raw: str) -> QueueCursor:
        _, created_at, pk = cursor_decode(raw)
        return cls(created_at=created_at, id=pk)


# --- what a teacher may grade -------------------------------------------------------


def _is_teacher(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_teacher)


def academy_journeys(user) -> QuerySet[Journey]:
    """The journeys whose posts ``user`` may grade and moderate: their
    academy's. None for a student (every grading URL is then a 404)."""
    if not _is_teacher(user):
        return Journey.objects.none()
    return _academy_journeys(**_academy_arguments(user))


def moderatable_posts(user) -> QuerySet[Post]:
    """Posts ``user`` may hide, show again or delete: any post of the journeys
    of their academy, hidden ones included (a teacher sees those)."""
    # One condition on the journey rather than Post.visible_to's and a join to
    # journeys besides: each table a query joins adds to its planning time.
    return Post.objects.filter(journey__in=academy_journeys(user))


def decorate(post: Post) -> Post:
    """What the grading page shows besides the model's fields."""
    post.author_name = public_name(post.user)
    post.is_resubmission = _is_resubmission(post.achievement_status, post.graded_at)
    return post


def _is_resubmission(status: str | None, graded_at: dt.datetime | None) -> bool:
    # post_update sends a resubmission back to pending and keeps graded_at.
    return status == AchievementStatus.PENDING and graded_at is not None


def post_to_grade(user, post_id: uuid.UUID) -> Post | None:
    """The submission ``post_id`` with what the grading page shows, if ``user``
    may grade it. Two queries by key: the post with its people, then its
    mission, week and journey (one query joining all eight tables took longer
    to plan than these two take to run)."""
    if not _is_teacher(user):
        return None
    post = _GRADABLE_POST.first(post_id=post_id, **_academy_arguments(user))
    if post is None:
        return None
    instance = _INSTANCE_TO_GRADE.first(instance_id=post.mission_instance_id)
    post.mission_instance = instance
    if instance.journey_id == post.journey_id:  # always: post_submit copies it
        post.journey = instance.journey
    return decorate(post)


def _academy_arguments(user) -> dict:
    """``_academy_journeys``' arguments for a teacher ``user``."""
    return {"academy_id": user.organization_id, **audience_arguments(user)}


def _academy_journeys(*, academy_id, **audience) -> QuerySet[Journey]:
    """``academy_journeys`` from ids, for compiled statements."""
    return Journey.objects.visible_to_audience(**audience).filter(organization_id=academy_id)


def _gradable_post(*, post_id, **academy) -> QuerySet[Post]:
    gradable = Post.objects.filter(
        journey__in=_academy_journeys(**academy), mission_instance__isnull=False
    )
    return gradable.filter(pk=post_id).select_related(
        "user__profile_image_file", "team", "graded_by"
    )


_GRADABLE_POST = Statement(
    _gradable_post, values=("post_id", "academy_id", "user_id", "organization_id")
)
_INSTANCE_TO_GRADE = Statement(
    lambda *, instance_id: JourneyMissionInstance.objects.select_related(
        "mission", "journey_week", "journey"
    ).filter(pk=instance_id),
    values=("instance_id",),
)


# --- the queue ----------------------------------------------------------------------


def _student_q(student_id: uuid.UUID) -> Q:
    """The student's own submissions and their teams' ones."""
    in_team = TeamMember.objects.filter(team_id=OuterRef("team_id"), user_id=student_id)
    return Q(user_id=student_id) | (Q(is_team_submission=True) & Exists(in_team))


# The state as a constant of the SQL text, not a parameter: a prepared
# statement's generic plan can then use the waiting submissions' partial index
# (posts_grading_journey_idx, WHERE achievement_status = 'pending'); with a
# parameter it cannot prove the index applies and counts the journey's posts from
# the table (14 ms instead of 0.3), and PostgreSQL plans the queue's statements
# again at every request to avoid that plan. The state is one of QueueState's.
_STATE_IN_SQL = {
    state: RawSQL(f"'{state}'", ()) for state in QueueState.values if state != QueueState.ALL
}


def _queue_q(filters: QueueFilters) -> Q:
    """The submissions the filters keep, the journey aside (``_queue_journeys``).
    One Q, so a query is built with one ``filter()``: each clones the query."""
    q = Q(mission_instance__isnull=False)
    if filters.state != QueueState.ALL:
        q &= Q(achievement_status=_STATE_IN_SQL[filters.state])
    if filters.week:
        q &= Q(mission_instance__journey_week_id=filters.week)
    if filters.mission:
        q &= Q(mission_instance__mission_id=filters.mission)
    if filters.student:
        q &= _student_q(filters.student)
    return q


OLDEST_FIRST = ("created_at", "id")
NEWEST_FIRST = ("-created_at", "-id")

# Which posts of a journey a walk reads, from the cursor's post.
EVERY_POST, AFTER, BEFORE, OTHER_THAN = "every", "after", "before", "other than"


@dataclass(frozen=True)
class _Walk:
    """In each journey, the first ``size`` posts of the filtered queue in
    ``order`` among those ``where`` keeps (EVERY_POST, AFTER or BEFORE the
    cursor, OTHER_THAN its post): one walk down that journey's index."""

    where: str = EVERY_POST
    order: tuple[str, ...] = OLDEST_FIRST
    size: int = 1


def _walk_q(where: str, created_at, post_id) -> Q:
    if where == AFTER:
        return newer_than("created_at", created_at, post_id)
    if where == BEFORE:
        return older_than("created_at", created_at, post_id)
    if where == OTHER_THAN:
        return ~Q(pk=post_id)
    return Q()


# The journey a walk reads, as the walk's own query refers to it: the queue's
# journeys are joined LATERAL to the walk (SQL a queryset cannot say), and the
# walk is a queryset like any other, _queue_q and all, built with this reference.
_WALKED_JOURNEY = RawSQL('"walked_journey"."id"', ())


def _walk_sql(filters: QueueFilters, walk: _Walk, created_at, post_id) -> tuple[str, list]:
    where = _walk_q(walk.where, created_at, post_id)
    posts = (
        Post.objects.filter(Q(journey_id=_WALKED_JOURNEY) & _queue_q(filters) & where)
        .order_by(*walk.order)
        .values_list("created_at", "id")[: walk.size]
    )
    return posts.query.sql_with_params()


def _walked(
    user,
    filters: QueueFilters,
    *walks: _Walk,
    cursor: QueueCursor | None = None,
    limit: int | None = None,
) -> list[tuple[dt.datetime, uuid.UUID]]:
    """(created_at, id) of the posts the ``walks`` reach in every journey of
    the queue (at most their sizes' sum a journey), oldest first, the first
    ``limit`` of them. One query, planned in a fraction of a millisecond."""
    if not _is_teacher(user):
        return []
    return _WALKED.rows(
        walks=walks,
        limit=limit,
        created_at=cursor.created_at if cursor else None,
        post_id=cursor.id if cursor else None,
        **_filter_arguments(filters),
        **_academy_arguments(user),
    )


def _filter_arguments(filters: QueueFilters) -> dict:
    return {
        "state": filters.state,
        "journey_id": filters.journey,
        "week_id": filters.week,
        "mission_id": filters.mission,
        "student_id": filters.student,
    }


def _split_filters(arguments: dict) -> tuple[QueueFilters, dict]:
    """A compiled statement's arguments back into the queue's filters (see
    ``_filter_arguments``) and the academy's arguments (the rest)."""
    academy = dict(arguments)
    filters = QueueFilters(
        journey=academy.pop("journey_id"),
        week=academy.pop("week_id"),
        mission=academy.pop("mission_id"),
        student=academy.pop("student_id"),
        state=academy.pop("state"),
    )
    return filters, academy


def _queue_journeys(filters: QueueFilters, academy: dict) -> QuerySet[Journey]:
    journeys = _academy_journeys(**academy)
    return journeys.filter(pk=filters.journey) if filters.journey else journeys


def _walked_sql(*, walks, limit, created_at, post_id, **arguments) -> tuple[str, list]:
    filters, academy = _split_filters(arguments)
    journeys = _queue_journeys(filters, academy).order_by().values("id")
    journeys_sql, journeys_params = journeys.query.sql_with_params()
    parts, params = [], []
    for walk in walks:
        walk_sql, walk_params = _walk_sql(filters, walk, created_at, post_id)
        parts.append(
            f"SELECT walked.* FROM ({journeys_sql}) AS walked_journey"
            f" CROSS JOIN LATERAL ({walk_sql}) AS walked"
        )
        params += [*journeys_params, *walk_params]
    sql = " UNION ALL ".join(parts) + " ORDER BY 1, 2"  # created_at, id
    if limit is not None:
        sql += " LIMIT %s"
        params.append(limit)
    return sql, params


_FILTER_VALUES = ("journey_id", "week_id", "mission_id", "student_id")
_ACADEMY_VALUES = ("academy_id", "user_id", "organization_id")
# The queue's walks, compiled once per process and shape (core.statements).
_WALKED = SqlStatement(
    _walked_sql, values=("limit", "created_at", "post_id", *_FILTER_VALUES, *_ACADEMY_VALUES)
)


@dataclass
class QueueRow:
    """A row of the queue (templates/grading/queue.html), as plain values: a
    page of posts with their author, team, journey, week and mission as model
    instances took longer to build than its query took to run."""

    pk: uuid.UUID
    title: str
    created_at: dt.datetime
    updated_at: dt.datetime
    achievement_status: str
    score: int | None
    is_hidden: bool
    is_team_post: bool
    is_resubmission: bool
    author_name: str
    team_name: str
    journey_name: str
    week_name: str
    mission_name: str
    url: str = ""  # its grading page, set by the view


_ROW_COLUMNS = (
    "pk",
    "title",
    "created_at",
    "updated_at",
    "achievement_status",
    "score",
    "is_hidden",
    "is_team_submission",
    "team_id",
    "graded_at",
    "team__name",
    "journey__name",
    "mission_instance__journey_week__name",
    "mission_instance__mission__name",
    "user__first_name",
    "user__last_name",
    "user__email",
    "user__deleted_at",
)


class _Author:
    """What ``public_name`` reads of a profile, with Profile's own ``full_name``
    rule: building a Profile costs more than the rest of a row."""

    __slots__ = ("first_name", "last_name", "email", "deleted_at")
    full_name = Profile.full_name

    def __init__(self, first_name, last_name, email, deleted_at) -> None:
        self.first_name, self.last_name = first_name, last_name
        self.email, self.deleted_at = email, deleted_at


def _row(values: tuple) -> QueueRow:
    pk, title, created_at, updated_at, status, score, is_hidden, is_team_submission = values[:8]
    team_id, graded_at, team, journey, week, mission = values[8:14]
    author = _Author(*values[14:])
    return QueueRow(
        pk=pk,
        title=title,
        created_at=created_at,
        updated_at=updated_at,
        achievement_status=status,
        score=score,
        is_hidden=is_hidden,
        is_team_post=bool(is_team_submission and team_id),  # as Post.is_team_post
        is_resubmission=_is_resubmission(status, graded_at),
        author_name=public_name(author),
        team_name=team or "",
        journey_name=journey or "",
        week_name=week or "",
        mission_name=mission or "",
    )


def _rows(ids: list[uuid.UUID]) -> list[QueueRow]:
    """The rows of the posts ``ids``, in that order: one query by key."""
    if not ids:
        return []
    by_id = {values[0]: values for values in _QUEUE_ROWS.all(ids=ids)}
    return [_row(by_id[pk]) for pk in ids if pk in by_id]


_QUEUE_ROWS = Statement(
    lambda *, ids: Post.objects.filter(pk__in_array=ids).order_by().values_list(*_ROW_COLUMNS),
    values=("ids",),
)


@dataclass(frozen=True)
class QueuePage:
    posts: list[QueueRow]
    next_cursor: str | None
    is_first: bool


def queue_page(
    user, filters: QueueFilters, *, after: str | None = None, size: int = QUEUE_PAGE_SIZE
) -> QueuePage:
    """One page of the queue: ``size`` posts after the cursor ``after``
    (``BadCursor`` if it is not one of ours). Two queries: the page's keys, by
    walking each journey's index, then its rows by primary key (one query doing
    both joins six tables to the walk and takes longer to plan than both run)."""
    cursor = QueueCursor.decode(after) if after else None
    walk = _Walk(AFTER if cursor else EVERY_POST, size=size + 1)
    keys = _walked(user, filters, walk, cursor=cursor, limit=size + 1)
    next_cursor = None
    if len(keys) > size:
        keys = keys[:size]
        last_created_at, last_pk = keys[-1]
        next_cursor = QueueCursor(created_at=last_created_at, id=last_pk).encode()
    return QueuePage(
        posts=_rows([pk for _created_at, pk in keys]), next_cursor=next_cursor, is_first=not after
    )


# Counting stops here: past it the page says "more than 1000", as useful to a
# teacher as the exact number, and the count costs the same for any queue.
COUNT_LIMIT = 1000


@dataclass(frozen=True)
class QueueCount:
    """How many posts the filtered queue holds, counted up to ``limit`` + 1."""

    number: int
    limit: int

    @property
    def is_more(self) -> bool:
        """More than ``limit`` (how many more is not known)."""
        return self.number > self.limit


def queue_count(user, filters: QueueFilters) -> QueueCount:
    """One query, reading at most ``COUNT_LIMIT`` + 1 rows."""
    if not _is_teacher(user):
        return QueueCount(number=0, limit=COUNT_LIMIT)
    limit = COUNT_LIMIT
    rows = _QUEUE_COUNT.rows(limit=limit, **_filter_arguments(filters), **_academy_arguments(user))
    return QueueCount(number=rows[0][0], limit=limit)


def _queue_count_sql(*, limit, **arguments) -> tuple[str, tuple]:
    filters, academy = _split_filters(arguments)
    journeys = _queue_journeys(filters, academy)
    posts = Post.objects.filter(Q(journey__in=journeys) & _queue_q(filters))
    capped = posts.order_by().values("pk")[: limit + 1]
    sql, params = capped.query.sql_with_params()
    return f"SELECT COUNT(*) FROM ({sql}) AS capped", params


_QUEUE_COUNT = SqlStatement(_queue_count_sql, values=(*_FILTER_VALUES, *_ACADEMY_VALUES))


@dataclass(frozen=True)
class QueueNeighbours:
    """The ids of the posts just before and after one in the filtered queue."""

    previous: uuid.UUID | None
    next: uuid.UUID | None


def neighbours_in_queue(user, filters: QueueFilters, post: Post) -> QueueNeighbours:
    """The posts just before and after ``post`` in the filtered queue (``post``
    itself need not be in it any more: a graded post leaves the pending queue).
    One query: each journey's nearest post on either side, the nearest kept."""
    cursor = QueueCursor(created_at=post.created_at, id=post.pk)
    keys = _walked(
        user, filters, _Walk(BEFORE, NEWEST_FIRST), _Walk(AFTER, OLDEST_FIRST), cursor=cursor
    )
    here = (post.created_at, post.pk)
    older = [pk for created_at, pk in keys if (created_at, pk) < here]
    newer = [pk for created_at, pk in keys if (created_at, pk) > here]
    return QueueNeighbours(previous=older[-1] if older else None, next=newer[0] if newer else None)


def next_to_grade(user, filters: QueueFilters, post: Post) -> uuid.UUID | None:
    """Where "save and next" goes: the next post after ``post`` in the filtered
    queue, else (the end reached) the first one still in it that is not
    ``post``, so posts skipped earlier come round again. None when it is empty.
    One query: each journey's next post and first post."""
    cursor = QueueCursor(created_at=post.created_at, id=post.pk)
    keys = _walked(user, filters, _Walk(AFTER), _Walk(OTHER_THAN), cursor=cursor)
    here = (post.created_at, post.pk)
    following = [pk for created_at, pk in keys if (created_at, pk) > here]
    others = [pk for _created_at, pk in keys if pk != post.pk]
    return (following or others or [None])[0]


# --- the filter lists ---------------------------------------------------------------


@dataclass(frozen=True)
class FilterChoices:
    """(id, name) pairs of each filter's options."""

    journeys: list[tuple[uuid.UUID, str]]
    weeks: list[tuple[uuid.UUID, str]]  # the chosen journey's (none until one is chosen)
    missions: list[tuple[uuid.UUID, str]]
    students: list[tuple[uuid.UUID, str]]  # the chosen journey's


def filter_choices(user, filters: QueueFilters) -> FilterChoices:
    """The options of the queue's filters: the academy's journeys, and, once a
    journey is chosen, its weeks, its missions and its students. Missions
    without a journey: the academy's library. At most four queries."""
    journeys = _FILTER_JOURNEYS.all(**_academy_arguments(user)) if _is_teacher(user) else []
    weeks, students = [], []
    missions = Mission.objects.filter(organization_id=user.organization_id)
    journey_id = next((pk for pk, _name in journeys if pk == filters.journey), None)
    if journey_id is not None:
        weeks = list(
            JourneyWeek.objects.filter(journey_id=journey_id)
            .order_by("week_number", "name")
            .values_list("pk", "name")
        )
        missions = missions.filter(instances__journey_id=journey_id).distinct()
        people = Profile.objects.filter(
            journey_memberships__journey_id=journey_id, role=Role.USER
        ).order_by("last_name", "first_name", "pk")
        students = [(person.pk, public_name(person)) for person in people]
    return FilterChoices(
        journeys=journeys,
        weeks=weeks,
        missions=list(missions.order_by("name", "pk").values_list("pk", "name")),
        students=students,
    )


_FILTER_JOURNEYS = Statement(
    lambda **academy: (
        _academy_journeys(**academy).order_by("-date_start", "name").values_list("pk", "name")
    ),
    values=_ACADEMY_VALUES,
)
