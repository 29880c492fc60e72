"""Reads about scheduled missions: as one student sees them, and as the
teachers who manage the library and the plan see them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Max,
    Q,
    QuerySet,
    TextChoices,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Profile
from core.statements import Statement
from journeys.models import Journey, JourneyWeek
from journeys.selectors import journey_weeks
from missions.models import AchievementStatus, JourneyMissionInstance, Mission, MissionQuestion
from teams.models import TeamMember


class Progress(TextChoices):
    """A student's progress on one instance, from their (or their team's) post
    (DESIGN.md: none → not started, pending → submitted, …). Shown only for
    missions open or closed, where "none" reads "Not submitted": "Not started"
    would say the mission has not begun, beside "Closed"."""

    NOT_STARTED = "not_started", _("Not submitted")
    SUBMITTED = "submitted", _("Submitted")
    ACHIEVED = "achieved", _("Achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")


def my_team_id(*, profile, journey_id) -> object | None:
    """The id of ``profile``'s team in the journey, or None (one team per journey)."""
    return _MY_TEAM.first(person_id=profile.pk, journey_id=journey_id)


def _my_team(*, person_id, journey_id) -> QuerySet:
    # Ordered by key alone: the model's ordering (team, then the team's journey
    # and name) would join and sort two more tables to pick among one row.
    return (
        TeamMember.objects.filter(user_id=person_id, team__journey_id=journey_id)
        .order_by("pk")
        .values_list("team_id", flat=True)[:1]
    )


def own_posts_q(*, profile, team_id, through: str = "") -> Q:
    """Posts that count as mine: my individual submissions, and my team's
    submissions for team missions (whoever of the team submitted them).
    ``through`` is the path to the posts when filtering another model
    (``"posts__"`` from a mission instance)."""

    def on_post(**conditions) -> Q:
        return Q(**{through + name: value for name, value in conditions.items()})

    mine = on_post(user=profile) & (
        on_post(is_team_submission=False) | on_post(is_team_submission__isnull=True)
    )
    if team_id is None:
        return mine
    return mine | on_post(team_id=team_id, is_team_submission=True)


def progress_of(post_status: str | None, *, has_post: bool) -> Progress:
    """What my post's achievement status (None while waiting) says of my progress."""
    if not has_post:
        return Progress.NOT_STARTED
    if post_status == AchievementStatus.ACHIEVED:
        return Progress.ACHIEVED
    if post_status == AchievementStatus.NOT_ACHIEVED:
        return Progress.NOT_ACHIEVED
    return Progress.SUBMITTED


def my_posts_by_instance(*, journey, profile, team_id) -> dict[object, tuple[object, str | None]]:
    """For each instance of the journey I have a post for (``own_posts_q``):
    the newest such post's id and achievement status. One query over my own
    and my team's posts, joined from the instances (posts belong to community,
    which sits above missions); a subquery per instance cost more to build
    than to run."""
    mine = _MY_POSTS_BY_INSTANCE.all(journey_id=journey.pk, person_id=profile.pk, team_id=team_id)
    # Oldest first, so the newest post of an instance is the one kept.
    return {instance_id: (post_id, status) for instance_id, post_id, status in mine}


def _my_posts_by_instance(*, journey_id, person_id, team_id) -> QuerySet:
    return (
        JourneyMissionInstance.objects.filter(journey_id=journey_id)
        .filter(own_posts_q(profile=person_id, team_id=team_id, through="posts__"))
        .order_by("posts__created_at", "posts__id")
        .values_list("pk", "posts__id", "posts__achievement_status")
    )


def _plan_instances(*, journey_id) -> QuerySet:
    return (
        JourneyMissionInstance.objects.filter(journey_id=journey_id)
        .select_related("mission")
        .only(*PLAN_INSTANCE_FIELDS)
        .order_by("journey_week__week_number", "release_date", "id")
    )


# What a student's plan shows of an instance and its mission: every column of
# three tables for thirty-two missions cost more to load than to query. (The
# week comes from the plan's own list of weeks.)
PLAN_INSTANCE_FIELDS = (
    "journey_id",
    "journey_week_id",
    "release_date",
    "expiry_date",
    "status",
    "mission__name",
    "mission__mission_type",
    "mission__points",
    "mission__description",
)


def instances_with_progress(*, journey, profile, team_id=None) -> list[JourneyMissionInstance]:
    """The journey's instances in plan order, each with ``my_post_id``,
    ``my_post_status`` (achievement status or None) and ``my_progress``
    (a ``Progress`` value). Two queries whatever the number of instances, three
    without ``team_id`` (from ``my_team_id``)."""
    if team_id is None:
        team_id = my_team_id(profile=profile, journey_id=journey.pk)
    mine = my_posts_by_instance(journey=journey, profile=profile, team_id=team_id)
    instances = _PLAN_INSTANCES.all(journey_id=journey.pk)
    for instance in instances:
        post_id, status = mine.get(instance.pk, (None, None))
        instance.my_post_id = post_id
        instance.my_post_status = status
        instance.my_progress = progress_of(status, has_post=post_id is not None)
    return instances


# A student's plan and dashboard read these at every request: compiled once
# per process (core.statements).
_MY_TEAM = Statement(_my_team, values=("person_id", "journey_id"))
_MY_POSTS_BY_INSTANCE = Statement(
    _my_posts_by_instance, values=("journey_id", "person_id", "team_id")
)
_PLAN_INSTANCES = Statement(_plan_instances, values=("journey_id",))


# --- teachers: the library ---------------------------------------------------------------


def library_missions(*, organization_id) -> QuerySet[Mission]:
    """The organization's mission templates by name, each with
    ``scheduled_count`` (how many times it is scheduled in any journey).
    One query."""
    return (
        Mission.objects.filter(organization_id=organization_id)
        .annotate(scheduled_count=Count("instances"))
        .order_by("name", "id")
    )


def schedulable_missions(*, organization_id) -> QuerySet[Mission]:
    """What the schedule form offers: the organization's templates by name."""
    return Mission.objects.filter(organization_id=organization_id).order_by("name", "id")


# --- teachers: the plan ------------------------------------------------------------------

# The plan's order of weeks; ``week_number`` may be NULL in imported data
# (PostgreSQL puts NULLs last), the creation time breaks ties.
WEEK_ORDER = ("week_number", "created_at", "id")


def window_outside_journey(
    journey: Journey, release_date: dt.datetime | None, expiry_date: dt.datetime | None
) -> bool:
    """Does the window open before the journey starts or close after it ends,
    on the viewer's calendar? A warning, not an error: a teacher may mean it
    (a preparation task, a late retrospective). Closing at midnight right after
    the last day counts as the last day."""
    starts, ends = journey.date_start, journey.date_end
    if release_date and starts and timezone.localtime(release_date).date() < starts:
        return True
    if expiry_date and ends:
        last_open_moment = expiry_date - dt.timedelta(microseconds=1)
        return timezone.localtime(last_open_moment).date() > ends
    return False


def managed_plan(*, journey: Journey) -> Plan:
    """The plan tab as the journey's teachers see it: the same ``Plan`` as
    ``plan_for`` (weeks in order with their instances), the
    instances carrying ``submission_count`` and ``outside_journey`` for the
    teacher's controls. Two queries, like the teacher's ``plan_for``."""
    instances = (
        JourneyMissionInstance.objects.filter(journey=journey)
        .select_related("mission", "journey_week")
        .annotate(submission_count=Count("posts"))
        .order_by("journey_week__week_number", "release_date", "id")
    )
    weeks = {
        week.pk: PlanWeek(week)
        for week in JourneyWeek.objects.filter(journey=journey).order_by(*WEEK_ORDER)
    }
    for instance in instances:
        instance.outside_journey = window_outside_journey(
            journey, instance.release_date, instance.expiry_date
        )
        weeks.setdefault(instance.journey_week_id, PlanWeek(instance.journey_week))
        weeks[instance.journey_week_id].instances.append(instance)
    return Plan(weeks=list(weeks.values()), team_id=None, personal=False, now=timezone.now())


def next_week_number(journey: Journey) -> int:
    """The number a week added now gets: one after the last."""
    last = JourneyWeek.objects.filter(journey=journey).aggregate(last=Max("week_number"))["last"]
    return (last or 0) + 1


# A suggested window: a week-long mission opens at the start of the school day
# and closes just before midnight, on the teacher's calendar.
SUGGESTED_OPENING = dt.time(9, 0)
SUGGESTED_CLOSING = dt.time(23, 59)


def suggested_window(
    *, journey: Journey, week: JourneyWeek, now: dt.datetime | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """Dates to prefill the schedule form with: the window of the week's latest
    mission (missions of one week usually share it); else the week's place in
    the journey (week n starts 7·(n-1) days after the journey, 09:00, and
    closes six days later at 23:59, not after the journey's last day); else the
    next whole hour, for a week."""
    latest = (
        JourneyMissionInstance.objects.filter(
            journey_week=week, release_date__isnull=False, expiry_date__isnull=False
        )
        .order_by("-release_date", "-id")
        .first()
    )
    if latest is not None:
        return latest.release_date, latest.expiry_date
    zone = timezone.get_current_timezone()
    if journey.date_start and week.week_number:
        first_day = journey.date_start + dt.timedelta(days=7 * (week.week_number - 1))
        last_day = first_day + dt.timedelta(days=6)
        if journey.date_end and first_day <= journey.date_end < last_day:
            last_day = journey.date_end
        return (
            dt.datetime.combine(first_day, SUGGESTED_OPENING, tzinfo=zone),
            dt.datetime.combine(last_day, SUGGESTED_CLOSING, tzinfo=zone),
        )
    next_hour = timezone.localtime(now or timezone.now(), zone).replace(
        minute=0, second=0, microsecond=0
    ) + dt.timedelta(hours=1)
    return next_hour, next_hour + dt.timedelta(days=7)


# --- the plan tab ------------------------------------------------------------


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
    ``my_post_status`` and ``my_progress`` (``instances_with_progress``); a
    teacher's plan is ``managed_plan``. Four queries at most."""
    if user.is_teacher:
        return managed_plan(journey=journey)
    team_id = my_team_id(profile=user, journey_id=journey.pk)
    instances = instances_with_progress(journey=journey, profile=user, team_id=team_id)
    weeks = {week.pk: PlanWeek(week) for week in journey_weeks(journey)}
    now = timezone.now()
    for instance in instances:
        _mark_student_actions(instance, team_id=team_id, now=now)
        if instance.journey_week_id not in weeks:
            # An instance's week belongs to its journey: this only guards bad data.
            weeks[instance.journey_week_id] = PlanWeek(instance.journey_week)
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


def questions_of(mission: Mission) -> list[MissionQuestion]:
    """A mission's questions in order (at most missions.questions.MAX_QUESTIONS)."""
    return list(MissionQuestion.objects.filter(mission_id=mission.pk).order_by("position"))
