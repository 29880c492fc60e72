"""Reads of the home page, which shows a person's journeys, their newest
notifications and their newest posts: it reads across apps, so it sits with the
project's wiring, above them all. Each read is one query.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Profile
from community.models import AchievementStatus, Post, post_audience_arguments
from core.db import AnyOf, SubqueryCount
from core.statements import Statement
from journeys.models import Journey, JourneyWeek, UserJourney, audience_arguments
from missions.models import JourneyMissionInstance
from notifications.models import Notification
from teams.models import TeamMember

HOME_NOTIFICATION_COUNT = 5


HOME_POST_COUNT = 5


def _my_posts_q(person_id) -> Q:
    """Posts that count as the person's in any journey: their individual
    submissions and their teams' submissions (whoever of the team sent them).
    Like ``missions.selectors.own_posts_q`` but for every journey at once: the
    teams come from a subquery instead of one team id, read first (``AnyOf``),
    so both sides of the OR are index lookups (by author, by team) whatever the
    size of the journeys; as ``team_id IN (…)`` PostgreSQL filtered every post
    of the person's journeys instead."""
    my_teams = TeamMember.objects.filter(user_id=person_id).order_by().values("team_id")
    individual = Q(user_id=person_id) & (
        Q(is_team_submission=False) | Q(is_team_submission__isnull=True)
    )
    return individual | (Q(is_team_submission=True) & AnyOf(F("team_id"), Subquery(my_teams)))


def home_journeys(user: Profile, *, now: dt.datetime | None = None) -> list[Journey]:
    """The journeys on ``user``'s home page, each with ``member_count`` (enrolled
    people) and ``week_count``; for a student also ``released_count`` (instances
    opened so far) and ``achieved_count`` (of those, the ones they achieved).
    One query."""
    is_teacher = bool(user.is_teacher)
    return _HOME_JOURNEYS.all(
        **audience_arguments(user),
        is_teacher=is_teacher,
        person_id=None if is_teacher else user.pk,
        now=None if is_teacher else (now or timezone.now()),
    )


def _home_journeys(*, is_teacher, person_id, now, **audience) -> QuerySet[Journey]:
    journeys = (
        Journey.objects.visible_to_audience(**audience)
        .select_related("image_file")
        .annotate(
            member_count=SubqueryCount(UserJourney.objects.filter(journey_id=OuterRef("pk"))),
            week_count=SubqueryCount(JourneyWeek.objects.filter(journey_id=OuterRef("pk"))),
        )
        .order_by("-date_start", "name", "id")
    )
    if is_teacher:
        return journeys
    released = JourneyMissionInstance.objects.filter(
        journey_id=OuterRef("pk"), release_date__lte=now
    )
    # From the person's own posts (a few dozen, by index), not from every post
    # of each released mission; distinct instances, since an own post and a
    # team post may both count for one mission.
    achieved_instances = (
        Post.objects.filter(
            _my_posts_q(person_id),
            mission_instance__journey_id=OuterRef("pk"),
            mission_instance__release_date__lte=now,
            achievement_status=AchievementStatus.ACHIEVED,
        )
        .order_by()
        .values("mission_instance__journey_id")
        .annotate(count=Count("mission_instance_id", distinct=True))
        .values("count")
    )
    return journeys.annotate(
        released_count=SubqueryCount(released),
        achieved_count=Coalesce(Subquery(achieved_instances), 0),
    )


def home_notifications(user: Profile) -> list[Notification]:
    """The newest few notifications of ``user`` (read or not). One query."""
    return _HOME_NOTIFICATIONS.all(receiver_id=user.pk)


def home_posts(user: Profile) -> list[Post]:
    """The newest few posts of ``user`` (theirs and their teams' submissions)
    in journeys they can still open. One query."""
    return _HOME_POSTS.all(person_id=user.pk, **post_audience_arguments(user))


def _home_posts(*, person_id, **audience) -> QuerySet[Post]:
    posts = (
        Post.objects.visible_to_audience(**audience)
        .filter(_my_posts_q(person_id))
        .select_related("journey", "mission_instance__mission", "team")
        .only(*HOME_POST_FIELDS)
        .order_by("-created_at", "-id")
    )
    return posts[:HOME_POST_COUNT]


# The home page's statements, compiled once per process (core.statements):
# its two lists took about 3 ms each to build, for 0.4 ms of SQL.
_HOME_JOURNEYS = Statement(
    _home_journeys, values=("user_id", "organization_id", "person_id", "now")
)
_HOME_POSTS = Statement(_home_posts, values=("user_id", "organization_id", "person_id"))
_HOME_NOTIFICATIONS = Statement(
    lambda *, receiver_id: Notification.objects.filter(receiver_id=receiver_id).order_by(
        "-created_at", "-id"
    )[:HOME_NOTIFICATION_COUNT],
    values=("receiver_id",),
)


# What a post on the home page shows: five posts with every column of four
# tables (a mission's description, a post's text) cost more to load than to find.
HOME_POST_FIELDS = (
    "journey",
    "mission_instance",
    "team",
    "title",
    "is_team_submission",
    "is_hidden",
    "achievement_status",
    "created_at",
    "journey__name",
    "mission_instance__mission",
    "mission_instance__mission__name",
    "team__name",
)
