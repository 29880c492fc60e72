"""Reads for the home page, the invite link and the plan tab.

Every function here runs a fixed number of queries, whatever the number of
journeys, weeks, instances, posts or notifications (counts are subqueries,
never one query per row).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Profile, Role
from accounts.profile_services import public_name
from community.models import AchievementStatus, Post
from core.db import SubqueryCount
from journeys.models import Journey, JourneyWeek, UserJourney
from missions.models import JourneyMissionInstance
from missions.selectors import Progress, instances_with_progress, my_team_id
from notifications.models import Notification
from points.models import TeamPoint, UserPoint
from teams.models import Team, TeamMember

HOME_NOTIFICATION_COUNT = 5
HOME_POST_COUNT = 5

# An invite token is a short random string (core.db.new_random_token); a
# longer one cannot be ours, so it is refused without asking the database.
INVITE_TOKEN_MAX_LENGTH = 100


def _my_posts_q(profile: Profile) -> Q:
    """Posts that count as ``profile``'s in any journey: their individual
    submissions and their teams' submissions (whoever of the team sent them).
    Like ``missions.selectors.own_posts_q`` but for every journey at once: the
    teams come from a subquery instead of one team id."""
    my_teams = TeamMember.objects.filter(user=profile).values("team_id")
    individual = Q(user=profile) & (
        Q(is_team_submission=False) | Q(is_team_submission__isnull=True)
    )
    return individual | Q(is_team_submission=True, team_id__in=my_teams)


# --- home ---------------------------------------------------------------------------


def home_journeys(user: Profile, *, now: dt.datetime | None = None) -> QuerySet[Journey]:
    """The journeys on ``user``'s home page, each with ``member_count`` (enrolled
    people) and ``week_count``; for a student also ``released_count`` (instances
    opened so far) and ``achieved_count`` (of those, the ones they achieved).
    One query."""
    now = now or timezone.now()
    journeys = (
        Journey.objects.visible_to(user)
        .select_related("image_file")
        .annotate(
            member_count=SubqueryCount(UserJourney.objects.filter(journey_id=OuterRef("pk"))),
            week_count=SubqueryCount(JourneyWeek.objects.filter(journey_id=OuterRef("pk"))),
        )
        .order_by("-date_start", "name", "id")
    )
    if user.is_teacher:
        return journeys
    released = JourneyMissionInstance.objects.filter(
        journey_id=OuterRef("pk"), release_date__lte=now
    )
    my_achieved_post = Post.objects.filter(
        _my_posts_q(user),
        mission_instance_id=OuterRef("pk"),
        achievement_status=AchievementStatus.ACHIEVED,
    )
    return journeys.annotate(
        released_count=SubqueryCount(released),
        achieved_count=SubqueryCount(released.filter(Exists(my_achieved_post))),
    )


def home_notifications(user: Profile) -> list[Notification]:
    """The newest few notifications of ``user`` (read or not). One query."""
    mine = Notification.objects.filter(receiver=user).order_by("-created_at", "-id")
    return list(mine[:HOME_NOTIFICATION_COUNT])


def home_posts(user: Profile) -> list[Post]:
    """The newest few posts of ``user`` (theirs and their teams' submissions)
    in journeys they can still open. One query."""
    posts = (
        Post.objects.visible_to(user)
        .filter(_my_posts_q(user))
        .select_related("journey", "mission_instance__mission", "team")
        .order_by("-created_at", "-id")
    )
    return list(posts[:HOME_POST_COUNT])


# --- invite links ---------------------------------------------------------------------


def journey_by_invite_token(token: str) -> Journey | None:
    """The journey whose current invite link carries ``token``, or None (an
    unknown token, or one replaced by a newer link)."""
    if not token or len(token) > INVITE_TOKEN_MAX_LENGTH:
        return None
    return (
        Journey.objects.select_related("image_file", "organization")
        .filter(invite_token=token)
        .first()
    )


def is_enrolled(*, user: Profile, journey: Journey) -> bool:
    return UserJourney.objects.filter(user=user, journey=journey).exists()


def can_manage_journey(user, journey: Journey) -> bool:
    """Teachers and admins of the journey's organization, and the platform
    operator: they see the invite link and may replace it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or user.has_role_at_least(Role.TEACHER, journey.organization)


# --- the ?week= filter of the dashboard and submissions tabs -------------------------------


def week_from_query(raw: str | None, weeks: list[JourneyWeek]) -> tuple[JourneyWeek | None, str]:
    """The week named by ``?week=``, or None for all weeks. A value that is not
    one of this journey's weeks gives a message and all weeks: it is a filter,
    not an error page."""
    if not raw:
        return None, ""
    try:
        wanted = uuid.UUID(raw)
    except ValueError:
        wanted = None
    for week in weeks:
        if week.pk == wanted:
            return week, ""
    return None, _("That week is not part of this journey; showing all weeks.")


# --- plan -----------------------------------------------------------------------------


@dataclass
class PlanWeek:
    week: JourneyWeek
    instances: list[JourneyMissionInstance] = field(default_factory=list)


@dataclass(frozen=True)
class Plan:
    weeks: list[PlanWeek]
    # For students: my team in the journey (None when I have none); for teachers unused.
    team_id: object | None
    # Students see their own status on each mission; teachers do not.
    personal: bool
    now: dt.datetime

    @property
    def instances(self) -> Iterable[JourneyMissionInstance]:
        for plan_week in self.weeks:
            yield from plan_week.instances

    @property
    def released_count(self) -> int:
        return sum(1 for instance in self.instances if instance.has_opened(self.now))

    @property
    def achieved_count(self) -> int:
        """Missions I achieved (students only)."""
        return sum(
            1
            for instance in self.instances
            if getattr(instance, "my_progress", None) == Progress.ACHIEVED
        )


def plan_for(*, journey: Journey, user: Profile) -> Plan:
    """The journey's weeks in ``week_number`` order with their instances in
    release order. A student's instances carry ``my_post_id``,
    ``my_post_status`` and ``my_progress`` (``missions.selectors``); a
    teacher's plan is ``missions.selectors.managed_plan``. Three queries at most."""
    if user.is_teacher:
        from missions.selectors import managed_plan  # it imports this module

        return managed_plan(journey=journey)
    team_id = my_team_id(profile=user, journey_id=journey.pk)
    instances = instances_with_progress(journey=journey, profile=user, team_id=team_id)
    weeks = {
        week.pk: PlanWeek(week)
        for week in JourneyWeek.objects.filter(journey=journey).order_by(
            "week_number", "created_at", "id"
        )
    }
    now = timezone.now()
    for instance in instances:
        _mark_student_actions(instance, team_id=team_id, now=now)
        # An instance's week belongs to its journey; setdefault guards bad data.
        weeks.setdefault(instance.journey_week_id, PlanWeek(instance.journey_week))
        weeks[instance.journey_week_id].instances.append(instance)
    return Plan(weeks=list(weeks.values()), team_id=team_id, personal=True, now=now)


def _mark_student_actions(
    instance: JourneyMissionInstance, *, team_id: object | None, now: dt.datetime
) -> None:
    """What the student can do with ``instance`` now, as flags for the template:
    ``can_submit`` (open, nothing sent yet, a team when the mission needs one),
    ``can_resubmit`` (open and graded "not achieved") and ``needs_team`` (a
    team mission, still to come or open, and the student has no team)."""
    is_open = instance.is_open(now)
    team_missing = instance.is_team_mission and team_id is None
    instance.needs_team = team_missing and not instance.has_closed(now)
    instance.can_submit = is_open and instance.my_post_id is None and not team_missing
    instance.can_resubmit = is_open and instance.my_progress == Progress.NOT_ACHIEVED


# --- managing a journey (teachers) ---------------------------------------------------------

MEMBER_CANDIDATE_LIMIT = 100


@dataclass(frozen=True)
class DeleteSummary:
    """What deleting a journey takes with it, for the confirmation page."""

    weeks: int
    instances: int
    posts: int
    user_points: int
    team_points: int
    teams: int
    members: int


def journey_delete_summary(journey: Journey) -> DeleteSummary:
    """Counts of everything deleting ``journey`` removes. One query."""
    in_journey = {"journey_id": OuterRef("pk")}
    counted = {
        "weeks": JourneyWeek.objects.filter(**in_journey),
        "instances": JourneyMissionInstance.objects.filter(**in_journey),
        "posts": Post.objects.filter(**in_journey),
        "user_points": UserPoint.objects.filter(mission_instance__journey_id=OuterRef("pk")),
        "team_points": TeamPoint.objects.filter(team__journey_id=OuterRef("pk")),
        "teams": Team.objects.filter(**in_journey),
        "members": UserJourney.objects.filter(**in_journey),
    }
    # Prefixed: some names ("weeks", "teams") are the journey's relations.
    row = (
        Journey.objects.filter(pk=journey.pk)
        .annotate(**{f"count_{name}": SubqueryCount(rows) for name, rows in counted.items()})
        .values(*(f"count_{name}" for name in counted))
        .get()
    )
    return DeleteSummary(**{name: row[f"count_{name}"] for name in counted})


@dataclass(frozen=True)
class MemberRow:
    enrolment: UserJourney
    name: str
    team_name: str | None

    @property
    def profile(self) -> Profile:
        return self.enrolment.user


def journey_members(journey: Journey) -> list[MemberRow]:
    """Everyone enrolled in ``journey`` (teachers first, then students by name),
    with the name to show and their team in this journey. One query."""
    team_name = TeamMember.objects.filter(
        user_id=OuterRef("user_id"), team__journey_id=journey.pk
    ).values("team__name")[:1]
    enrolments = (
        UserJourney.objects.filter(journey=journey)
        .select_related("user__profile_image_file")
        .annotate(
            team_name=Subquery(team_name),
            role_order=Case(When(user__role=Role.USER, then=Value(1)), default=Value(0)),
        )
        .order_by("role_order", "user__last_name", "user__first_name", "user__email", "id")
    )
    return [
        MemberRow(enrolment=row, name=public_name(row.user), team_name=row.team_name)
        for row in enrolments
    ]


def member_candidates(journey: Journey) -> QuerySet[Profile]:
    """People who may be added to ``journey``: the active people of its
    organization who are not enrolled yet. The add form validates against it."""
    enrolled = UserJourney.objects.filter(journey_id=journey.pk, user_id=OuterRef("pk"))
    return (
        Profile.objects.filter(
            organization_id=journey.organization_id,
            is_active=True,
            deleted_at__isnull=True,
        )
        .exclude(Exists(enrolled))
        .order_by("last_name", "first_name", "email", "id")
    )


def member_candidates_matching(
    journey: Journey, search: str = "", *, limit: int = MEMBER_CANDIDATE_LIMIT
) -> tuple[list[Profile], bool]:
    """The first ``limit`` candidates whose name or e-mail contains ``search``,
    and whether there are more (then the page asks to narrow the search). One query."""
    candidates = member_candidates(journey)
    for word in search.split():
        candidates = candidates.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    rows = list(candidates[: limit + 1])
    return rows[:limit], len(rows) > limit


def email_receivers(journey: Journey, *, sender: Profile) -> QuerySet[Profile]:
    """Who gets an e-mail to all members: everyone enrolled with an active
    account and an address, except the sender."""
    return (
        Profile.objects.filter(
            journey_memberships__journey=journey, is_active=True, deleted_at__isnull=True
        )
        .exclude(pk=sender.pk)
        .exclude(email="")
        .order_by("email")
    )
