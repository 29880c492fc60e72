"""Writes of the teachers' Submissions tab: reminding students who have not
submitted an open mission.

A reminder is a "deadline" notification ("Your teacher reminds you …") with a
link to the submit page. Each student gets at most one per mission and day: a
``MissionReminder`` row (unique per instance, student and day) is inserted
with ON CONFLICT DO NOTHING and only the students whose row actually went in
are notified, in the same transaction. Two teachers pressing "Remind" at the
same moment therefore send one notification, and a failed notification rolls
its row back so the button can be pressed again.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Profile
from accounts.profile_services import public_name
from core.errors import ServiceError
from journeys.models import UserJourney
from missions.models import JourneyMissionInstance, MissionReminder
from notifications.services import notification_send
from submissions.selectors import reminder_candidates, reminder_day


class ReminderRefused(ServiceError):
    """A reminder that makes no sense (mission not open, already submitted);
    ``message`` is fit to show the teacher."""


def mission_reminder_send(
    *,
    instance: JourneyMissionInstance,
    student: Profile,
    sent_by: Profile,
    now: dt.datetime | None = None,
) -> bool:
    """Remind ``student`` (an enrolled student of the instance's journey: the
    caller checks) to submit ``instance``. Returns False when they were already
    reminded of it today, True when a notification went out. Raises
    ``ReminderRefused`` when the mission is not open or the student (or their
    team) has submitted it."""
    now = now or timezone.now()
    _check_open(instance, now)
    if not student.is_active:
        raise ReminderRefused(
            _("%(name)s's account is deactivated, so they cannot be reminded.")
            % {"name": public_name(student)}
        )
    candidates = reminder_candidates(instance).filter(user_id=student.pk)
    with transaction.atomic():
        if not candidates.exists():
            raise ReminderRefused(
                _("%(name)s has already submitted this mission, so there is nothing to remind.")
                % {"name": public_name(student)}
            )
        return bool(_remind(instance, candidates, sent_by=sent_by, now=now))


def mission_reminders_send_all(
    *, instance: JourneyMissionInstance, sent_by: Profile, now: dt.datetime | None = None
) -> int:
    """Remind every enrolled student who has not submitted ``instance`` and was
    not reminded of it today; returns how many were reminded now."""
    now = now or timezone.now()
    _check_open(instance, now)
    with transaction.atomic():
        return len(_remind(instance, reminder_candidates(instance), sent_by=sent_by, now=now))


def _check_open(instance: JourneyMissionInstance, now: dt.datetime) -> None:
    if instance.has_closed(now):
        raise ReminderRefused(
            _("This mission has closed; students can no longer submit it, so nobody was reminded.")
        )
    if not instance.is_open(now):
        raise ReminderRefused(_("This mission is not open yet, so nobody was reminded."))


def _remind(
    instance: JourneyMissionInstance,
    candidates: QuerySet[UserJourney],
    *,
    sent_by: Profile,
    now: dt.datetime,
) -> list[Profile]:
    """Insert today's reminder rows for ``candidates`` and notify the people
    whose row is new. Must run inside the caller's transaction."""
    receivers = _reminders_insert(instance, candidates, sent_by=sent_by, day=reminder_day(now))
    if not receivers:
        return []
    journey = instance.journey
    message = format_lazy(
        gettext_lazy(
            "Your teacher reminds you: {mission} in {journey} closes at {time}. "
            "Submit it before then!"
        ),
        mission=instance.mission.name,
        journey=journey.name,
        time=_user_facing_time(instance.expiry_date),
    )
    link = reverse("community:submit", args=[instance.journey_id, instance.pk])
    for receiver in receivers:
        notification_send(
            receiver=receiver,
            type="deadline",
            message=message,
            link=link,
            actor=sent_by,
            payload={
                "journey_id": str(instance.journey_id),
                "mission_instance_id": str(instance.pk),
                "mission": instance.mission.name,
                "reminded_by": str(sent_by.pk),
            },
        )
    return receivers


def _reminders_insert(
    instance: JourneyMissionInstance,
    candidates: QuerySet[UserJourney],
    *,
    sent_by: Profile,
    day: dt.date,
) -> list[Profile]:
    """One INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING: the unique key,
    not a read before the write, decides who is reminded now. (The ORM has no
    INSERT … SELECT, and ``bulk_create(ignore_conflicts=True)`` cannot tell
    which rows went in.)"""
    select_sql, select_params = candidates.order_by().values("user_id").query.sql_with_params()
    table = MissionReminder._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table}
                (id, mission_instance_id, profile_id, sent_by_id, sent_on, created_at)
            SELECT gen_random_uuid(), %s, candidate.user_id, %s, %s, now()
            FROM ({select_sql}) AS candidate
            ON CONFLICT (mission_instance_id, profile_id, sent_on) DO NOTHING
            RETURNING profile_id
            """,
            [instance.pk, sent_by.pk, day, *select_params],
        )
        new_ids = [row[0] for row in cursor.fetchall()]
    if not new_ids:
        return []
    return list(Profile.objects.filter(pk__in=new_ids).order_by("last_name", "first_name", "id"))


def _user_facing_time(moment: dt.datetime) -> str:
    """``moment`` on the clock students read (profiles have no zone of their own yet)."""
    zone = zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIMEZONE)
    return dateformat.format(timezone.localtime(moment, zone), "Y.m.d H:i")
