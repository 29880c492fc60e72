"""Writes that run on a clock (Celery beat, missions/tasks.py): telling
students that a mission opened, and reminding them a day before it closes.

Each notice reaches a person once: a ``MissionNotice`` row (unique per
instance, person and kind) is inserted with ON CONFLICT DO NOTHING, and only
the rows actually inserted are notified, in the same transaction. Running a
task twice, or two beat processes at once, therefore sends nothing twice; a
failed notification rolls its rows back and the next run tries again. A
rescheduled mission is not announced again to those who were told already.

The queries are set-based: a fixed number per mission instance whatever the
number of students (each notification itself is ``notification_send``'s work).
Each message is written in its receiver's language, with times on their clock.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Profile, Role
from core.moments import format_moment
from journeys.models import UserJourney
from missions.models import (
    JourneyMissionInstance,
    MissionNotice,
    NoticeKind,
)
from notifications.services import notifications_send
from notifications.types import NotificationDraft
from teams.models import TeamMember

# A mission that opened longer ago than this is not announced any more: a fresh
# deploy (or a beat that was down for days) must not flood students with old
# missions, and a student who enrols later hears only of missions that are
# still new. The plan tab shows every mission anyway.
NEW_MISSION_NOTICE_WINDOW = dt.timedelta(hours=24)


# Students who have not submitted are reminded once when less than this is left.
DEADLINE_REMINDER_WINDOW = dt.timedelta(hours=24)


# --- "a new mission is open" ------------------------------------------------


def new_mission_notices_send(*, now: dt.datetime | None = None) -> int:
    """Tell each enrolled student of a journey that one of its missions opened.

    Concerns instances open at ``now`` that opened at most
    ``NEW_MISSION_NOTICE_WINDOW`` ago; older ones are never announced (see the
    constant). A student enrolled after the others were told gets the notice
    on the next run, as long as the mission is still that new. Returns the
    number of students notified.
    """
    now = now or timezone.now()
    instances = (
        JourneyMissionInstance.objects.open_at(now)
        .filter(release_date__gte=now - NEW_MISSION_NOTICE_WINDOW, journey__isnull=False)
        .select_related("mission", "journey")
        .order_by("release_date", "id")
    )
    sent = 0
    for instance in instances:
        with transaction.atomic():
            receivers = _notices_insert(
                instance=instance,
                kind=NoticeKind.RELEASED,
                enrolments=_student_enrolments(instance.journey_id),
            )
            draft = new_mission_notification(instance)
            notifications_send(drafts=[(receiver, draft) for receiver in receivers])
            sent += len(receivers)
    return sent


def new_mission_notification(instance: JourneyMissionInstance) -> NotificationDraft:
    """What each student of the journey is told when ``instance`` opens."""
    return NotificationDraft(
        type="new_mission",
        message=format_lazy(
            _("New mission in {journey}: {mission}"),
            journey=instance.journey.name,
            mission=instance.mission.name,
        ),
        link=reverse("missions:plan", args=[instance.journey_id]),
        payload=_payload(instance),
    )


# --- "a mission closes within a day" ----------------------------------------


def deadline_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind each enrolled student who has not submitted an open instance that
    closes within ``DEADLINE_REMINDER_WINDOW``. "Submitted" is what the plan tab
    calls it (``missions.selectors.own_posts_q``): an own post, or for a team
    submission, a post of the student's team. Returns the number reminded."""
    now = now or timezone.now()
    instances = (
        JourneyMissionInstance.objects.open_at(now)
        .filter(expiry_date__lte=now + DEADLINE_REMINDER_WINDOW, journey__isnull=False)
        .select_related("mission", "journey")
        .order_by("expiry_date", "id")
    )
    sent = 0
    for instance in instances:
        with transaction.atomic():
            receivers = _notices_insert(
                instance=instance,
                kind=NoticeKind.DEADLINE,
                enrolments=_without_submission(
                    _student_enrolments(instance.journey_id), instance=instance
                ),
            )
            notifications_send(
                drafts=[
                    (receiver, deadline_notification(instance, receiver)) for receiver in receivers
                ]
            )
            sent += len(receivers)
    return sent


def deadline_notification(instance: JourneyMissionInstance, receiver: Profile) -> NotificationDraft:
    """What a student who has not submitted ``instance`` is told a day before it
    closes; the closing time on their own clock (this runs in a worker, in UTC)."""
    return NotificationDraft(
        type="deadline",
        message=format_lazy(
            _("{mission} in {journey} closes at {time}. Submit it before then!"),
            mission=instance.mission.name,
            journey=instance.journey.name,
            time=format_moment(instance.expiry_date, receiver),
        ),
        link=reverse("community:submit", args=[instance.journey_id, instance.pk]),
        payload=_payload(instance),
    )


# --- helpers ----------------------------------------------------------------


def _student_enrolments(journey_id) -> QuerySet[UserJourney]:
    """The journey's students who can be told anything: enrolled, student role,
    active, account not deleted."""
    return UserJourney.objects.filter(
        journey_id=journey_id,
        user__role=Role.USER,
        user__is_active=True,
        user__deleted_at__isnull=True,
    )


def _without_submission(
    enrolments: QuerySet[UserJourney], *, instance: JourneyMissionInstance
) -> QuerySet[UserJourney]:
    """Drop students who have submitted ``instance``: their own individual post,
    or a team submission of the team they are in (whoever of it submitted).
    The set-based twin of ``missions.selectors.own_posts_q``."""
    # Through the instance's posts (community sits above missions); one
    # filter() call, so both conditions are on the same post.
    own_post = JourneyMissionInstance.objects.filter(
        Q(posts__is_team_submission=False) | Q(posts__is_team_submission__isnull=True),
        pk=instance.pk,
        posts__user_id=OuterRef("user_id"),
    )
    team_post = TeamMember.objects.filter(
        user_id=OuterRef("user_id"),
        team__journey_id=instance.journey_id,
        team__posts__mission_instance=instance,
        team__posts__is_team_submission=True,
    )
    return enrolments.exclude(Exists(own_post)).exclude(Exists(team_post))


def _notices_insert(
    *, instance: JourneyMissionInstance, kind: NoticeKind, enrolments: QuerySet[UserJourney]
) -> list[Profile]:
    """Insert a ``kind`` notice of ``instance`` for each person in ``enrolments``
    who has none yet; return those people (the ones to notify now).

    One INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING: the unique
    constraint, not a read before the write, decides who is new, so concurrent
    runs cannot both notify someone. The ORM has no INSERT … SELECT and its
    ``bulk_create(ignore_conflicts=True)`` cannot tell which rows went in.
    """
    select_sql, select_params = enrolments.order_by().values("user_id").query.sql_with_params()
    table = MissionNotice._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (id, mission_instance_id, profile_id, kind, created_at)
            SELECT gen_random_uuid(), %s, candidate.user_id, %s, now()
            FROM ({select_sql}) AS candidate
            ON CONFLICT (mission_instance_id, profile_id, kind) DO NOTHING
            RETURNING profile_id
            """,
            [instance.pk, kind.value, *select_params],
        )
        new_ids = [row[0] for row in cursor.fetchall()]
    if not new_ids:
        return []
    return list(Profile.objects.filter(pk__in=new_ids).order_by("id"))


def _payload(instance: JourneyMissionInstance) -> dict:
    return {
        "journey_id": str(instance.journey_id),
        "mission_instance_id": str(instance.pk),
        "mission": instance.mission.name,
        "expiry_date": instance.expiry_date.isoformat() if instance.expiry_date else None,
    }
