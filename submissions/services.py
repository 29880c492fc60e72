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

from django.db import connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Profile
from accounts.selectors import public_name
from core.errors import ServiceError
from core.moments import format_moment
from journeys.models import UserJourney
from missions.models import JourneyMissionInstance, MissionReminder
from notifications.services import notifications_send
from notifications.types import NotificationDraft
from submissions.selectors import reminder_candidates
from submissions.totals import reminder_day


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
    receivers = _reminders_insert(instance, candidates, sent_by=sent_by, now=now)
    if not receivers:
        return []
    drafts = [
        (receiver, reminder_notification(instance, receiver=receiver, sent_by=sent_by))
        for receiver in receivers
    ]
    notifications_send(drafts=drafts, actor=sent_by)
    return receivers


def reminder_notification(
    instance: JourneyMissionInstance, *, receiver: Profile, sent_by: Profile
) -> NotificationDraft:
    """What ``receiver`` is told when ``sent_by`` reminds them to submit ``instance``."""
    return NotificationDraft(
        type="deadline",
        message=format_lazy(
            gettext_lazy(
                "Your teacher reminds you: {mission} in {journey} closes at {time}. "
                "Submit it before then!"
            ),
            mission=instance.mission.name,
            journey=instance.journey.name,
            # The deadline on the student's clock, not the teacher's.
            time=format_moment(instance.expiry_date, receiver),
        ),
        link=reverse("community:submit", args=[instance.journey_id, instance.pk]),
        payload={
            "journey_id": str(instance.journey_id),
            "mission_instance_id": str(instance.pk),
            "mission": instance.mission.name,
            "reminded_by": str(sent_by.pk),
        },
    )


def _reminders_insert(
    instance: JourneyMissionInstance,
    candidates: QuerySet[UserJourney],
    *,
    sent_by: Profile,
    now: dt.datetime,
) -> list[Profile]:
    """One INSERT … ON CONFLICT DO NOTHING RETURNING: the unique key, not a read
    before the write, decides who is reminded now (``bulk_create(
    ignore_conflicts=True)`` cannot tell which rows went in). Each row counts
    for the student's own day (``reminder_day``), so the candidates' zones are
    read first, in one query."""
    students = Profile.objects.filter(pk__in=candidates.order_by().values("user_id")).only(
        "id", "timezone"
    )
    days = {student.pk: reminder_day(now, student) for student in students}
    if not days:
        return []
    table = MissionReminder._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table}
                (id, mission_instance_id, profile_id, sent_by_id, sent_on, created_at)
            SELECT gen_random_uuid(), %s, candidate.user_id, %s, candidate.day, now()
            FROM unnest(%s::uuid[], %s::date[]) AS candidate (user_id, day)
            ON CONFLICT (mission_instance_id, profile_id, sent_on) DO NOTHING
            RETURNING profile_id
            """,
            [instance.pk, sent_by.pk, list(days), list(days.values())],
        )
        new_ids = [row[0] for row in cursor.fetchall()]
    if not new_ids:
        return []
    return list(Profile.objects.filter(pk__in=new_ids).order_by("last_name", "first_name", "id"))
