"""Reads of the grading dashboard: the queue of submissions a teacher grades,
its filters, and a post's neighbours in it ("save and next", j / k).

The queue is every mission submission of the teacher's academy, oldest first,
paged by key on (created_at, id): the pending ones read the partial index
``posts_grading_queue_idx``. A page costs the same number of queries whatever
the number of posts (one for the rows, one for the count, one per filter list).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, fields, replace
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q, QuerySet, TextChoices
from django.utils.translation import gettext_lazy as _

from accounts.models import Profile, Role
from accounts.selectors import public_name
from community.models import AchievementStatus, Post
from core.keyset import cursor_decode, cursor_encode
from journeys.models import Journey, JourneyWeek
from missions.models import Mission
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


def moderatable_posts(user) -> QuerySet[Post]:
    """Posts ``user`` may hide, show again or delete: any post of the journeys
    of their academy. None for a student (every grading URL is then a 404)."""
    if not _is_teacher(user):
        return Post.objects.none()
    return Post.objects.visible_to(user).filter(journey__organization_id=user.organization_id)


def gradable_posts(user) -> QuerySet[Post]:
    """Submissions ``user`` may grade: the mission posts among ``moderatable_posts``."""
    return moderatable_posts(user).filter(mission_instance__isnull=False)


# --- the queue ----------------------------------------------------------------------


def _student_q(student_id: uuid.UUID) -> Q:
    """The student's own submissions and their teams' ones."""
    in_team = TeamMember.objects.filter(team_id=OuterRef("team_id"), user_id=student_id)
    return Q(user_id=student_id) | (Q(is_team_submission=True) & Exists(in_team))


def queue_posts(user, filters: QueueFilters) -> QuerySet[Post]:
    """The filtered queue, oldest first, with what a row shows. No page cut."""
    posts = gradable_posts(user)
    if filters.state != QueueState.ALL:
        posts = posts.filter(achievement_status=filters.state)
    if filters.journey:
        posts = posts.filter(journey_id=filters.journey)
    if filters.week:
        posts = posts.filter(mission_instance__journey_week_id=filters.week)
    if filters.mission:
        posts = posts.filter(mission_instance__mission_id=filters.mission)
    if filters.student:
        posts = posts.filter(_student_q(filters.student))
    return posts.select_related(
        "user", "team", "journey", "mission_instance__mission", "mission_instance__journey_week"
    ).order_by("created_at", "id")


def _after(cursor: QueueCursor) -> Q:
    return Q(created_at__gt=cursor.created_at) | Q(created_at=cursor.created_at, id__gt=cursor.id)


def _before(cursor: QueueCursor) -> Q:
    return Q(created_at__lt=cursor.created_at) | Q(created_at=cursor.created_at, id__lt=cursor.id)


def decorate(post: Post) -> Post:
    """What a queue row or the grading page shows besides the model's fields."""
    post.author_name = public_name(post.user)
    # post_update sends a resubmission back to pending and keeps graded_at.
    post.is_resubmission = (
        post.achievement_status == AchievementStatus.PENDING and post.graded_at is not None
    )
    return post


@dataclass(frozen=True)
class QueuePage:
    posts: list[Post]
    next_cursor: str | None
    is_first: bool


def queue_page(
    user, filters: QueueFilters, *, after: str | None = None, size: int = QUEUE_PAGE_SIZE
) -> QueuePage:
    """One page of the queue: ``size`` posts after the cursor ``after``
    (``BadCursor`` if it is not one of ours). One query."""
    posts = queue_posts(user, filters)
    if after:
        posts = posts.filter(_after(QueueCursor.decode(after)))
    rows = [decorate(post) for post in posts[: size + 1]]
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = QueueCursor(created_at=last.created_at, id=last.pk).encode()
    return QueuePage(posts=rows, next_cursor=next_cursor, is_first=not after)


def queue_count(user, filters: QueueFilters) -> int:
    return queue_posts(user, filters).order_by().count()


@dataclass(frozen=True)
class QueueNeighbours:
    previous: Post | None
    next: Post | None


def neighbours_in_queue(user, filters: QueueFilters, post: Post) -> QueueNeighbours:
    """The posts just before and after ``post`` in the filtered queue (``post``
    itself need not be in it any more: a graded post leaves the pending queue).
    One query."""
    cursor = QueueCursor(created_at=post.created_at, id=post.pk)
    # Plain columns only: a UNION of two queries cannot carry select_related joins.
    posts = queue_posts(user, filters).select_related(None).exclude(pk=post.pk)
    posts = posts.only("id", "created_at")
    older = posts.filter(_before(cursor)).order_by("-created_at", "-id")[:1]
    newer = posts.filter(_after(cursor)).order_by("created_at", "id")[:1]
    rows = list(older.union(newer, all=True))
    here = (post.created_at, post.pk)
    return QueueNeighbours(
        previous=next((row for row in rows if (row.created_at, row.pk) < here), None),
        next=next((row for row in rows if (row.created_at, row.pk) > here), None),
    )


def next_to_grade(user, filters: QueueFilters, post: Post) -> Post | None:
    """Where "save and next" goes: the next post after ``post`` in the filtered
    queue, else (the end reached) the first one still in it that is not
    ``post``, so posts skipped earlier come round again. None when it is empty."""
    posts = queue_posts(user, filters).select_related(None).exclude(pk=post.pk).only("id")
    cursor = QueueCursor(created_at=post.created_at, id=post.pk)
    following = posts.filter(_after(cursor)).first()
    return following or posts.first()


# --- the filter lists ---------------------------------------------------------------


@dataclass(frozen=True)
class FilterChoices:
    journeys: list[Journey]
    weeks: list[JourneyWeek]  # the chosen journey's (none until one is chosen)
    missions: list[Mission]
    students: list  # (id, name) of the chosen journey's students


def filter_choices(user, filters: QueueFilters) -> FilterChoices:
    """The options of the queue's filters: the academy's journeys, and, once a
    journey is chosen, its weeks, its missions and its students. Missions
    without a journey: the academy's library. At most four queries."""
    journeys = list(
        Journey.objects.filter(organization_id=user.organization_id).order_by("-date_start", "name")
    )
    weeks, students = [], []
    missions = Mission.objects.filter(organization_id=user.organization_id)
    journey = next((row for row in journeys if row.pk == filters.journey), None)
    if journey is not None:
        weeks = list(JourneyWeek.objects.filter(journey=journey).order_by("week_number", "name"))
        missions = missions.filter(instances__journey=journey).distinct()
        people = Profile.objects.filter(
            journey_memberships__journey=journey, role=Role.USER
        ).order_by("last_name", "first_name", "pk")
        students = [(person.pk, public_name(person)) for person in people]
    return FilterChoices(
        journeys=journeys,
        weeks=weeks,
        missions=list(missions.order_by("name", "pk")),
        students=students,
    )
