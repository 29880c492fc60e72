"""The teachers' daily e-mail digest of new submissions. (The choice to get it
is a notification preference: ``notifications.selectors.digest_enabled`` and
``notifications.services.digest_preference_save``.)

A teacher (or admin) who switched on "Daily e-mail digest of new submissions"
(``NotificationPreference(notification_type="submission").daily_digest``) gets
one e-mail a day, at 08:00 on their own clock (Celery beat runs every hour,
``notifications.send_daily_digests``, in submissions.tasks), listing the submissions and
resubmissions of the last 24 hours in their academy's journeys. No e-mail when
there were none. It comes on top of the per-submission e-mails, which keep
following the person's "submission" e-mail choice.

What goes in: the teacher's own in-app "submission" notifications of the
period. Each submission and resubmission already leaves one for every teacher
of the journey's academy (``community.services._notify_teachers``), and it
records whether it was a resubmission, which the post itself does not. So the
digest lists exactly what the inbox shows, and nothing of another academy.

Once a day: a ``DigestDelivery`` row (unique per person, type and day) is
inserted first with ON CONFLICT DO NOTHING, and only the run that inserted it
builds and sends the e-mail, in the same transaction. A second run the same
day, or two beat processes at once, send nothing more; a failure rolls the row
back so the next run tries again.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Max, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile, Role
from accounts.selectors import public_name
from community.models import Post
from core.links import absolute_url
from core.moments import in_person_terms, local_date, local_moment
from notifications.models import DigestDelivery, Notification
from notifications.selectors import DIGEST_TYPE

# The period a digest covers at most: the day since the last one.
DIGEST_WINDOW = dt.timedelta(hours=24)
# Lines in one e-mail at most; the rest is counted ("and 12 more") and waits
# in the grading queue. Keeps a busy day's mail readable and small.
DIGEST_MAX_ITEMS = 100
# The hour of the morning, on each teacher's own clock, from which their digest goes.
DIGEST_HOUR = 8


@dataclass(frozen=True)
class DigestItem:
    journey: str
    mission: str
    student: str
    team: str | None  # a team submission's team
    title: str
    resubmitted: bool
    at: dt.datetime  # when (the notification's time), on the receiver's clock
    url: str


@dataclass(frozen=True)
class JourneyDigest:
    journey: str
    items: list[DigestItem]


# --- sending --------------------------------------------------------------------------


def digest_receivers() -> QuerySet[Profile]:
    """Teachers and admins with the digest on who can get an e-mail."""
    return (
        Profile.objects.filter(
            role__in=[Role.TEACHER, Role.ADMIN],
            is_active=True,
            deleted_at__isnull=True,
            organization__isnull=False,
            notification_preferences__notification_type=DIGEST_TYPE,
            notification_preferences__daily_digest=True,
        )
        .exclude(email="")
        .order_by("id")
    )


def daily_digests_send(*, now: dt.datetime | None = None, from_hour: int = DIGEST_HOUR) -> int:
    """Send today's digest to everyone who has it on, whose clock shows
    ``from_hour`` or later, and who has not had it today (their today); returns
    how many e-mails were queued. Beat runs it every hour, so each teacher gets
    it in their own morning; a run missed at 08:00 is made up at 09:00."""
    now = now or timezone.now()
    sent = 0
    for receiver in digest_receivers():
        if local_moment(now, receiver).hour >= from_hour:
            sent += digest_send(receiver=receiver, now=now)
    return sent


def digest_send(*, receiver: Profile, now: dt.datetime | None = None) -> bool:
    """``receiver``'s digest for today, if nobody sent it yet and there is
    something in it; True when an e-mail was queued."""
    now = now or timezone.now()
    with transaction.atomic():
        since = _period_start(receiver, now)
        if not _delivery_insert(receiver, period_end=now, day=digest_day(now, receiver)):
            return False
        journeys = digest_items(receiver=receiver, since=since, until=now)
        if not journeys:
            return False
        _email(receiver, journeys, since=since, until=now)
    return True


def digest_day(now: dt.datetime, receiver: Profile) -> dt.date:
    """The day a digest counts for, on the receiver's calendar: "once a day"
    is their day, wherever the worker runs."""
    return local_date(now, receiver)


def _period_start(receiver: Profile, now: dt.datetime) -> dt.datetime:
    """Where the last digest stopped, but at most a day back: nothing is listed
    twice, and a beat that was down for days does not send a week at once."""
    last_end = DigestDelivery.objects.filter(
        receiver=receiver, notification_type=DIGEST_TYPE, period_end__lt=now
    ).aggregate(last=Max("period_end"))["last"]
    start = now - DIGEST_WINDOW
    return max(start, last_end) if last_end else start


def _delivery_insert(receiver: Profile, *, period_end: dt.datetime, day: dt.date) -> bool:
    """Claim today's digest for ``receiver``: True when this call inserted the
    row (and so must send), False when it was there already."""
    table = DigestDelivery._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table}
                (id, receiver_id, notification_type, period_end, sent_on, created_at)
            VALUES (gen_random_uuid(), %s, %s, %s, %s, now())
            ON CONFLICT (receiver_id, notification_type, sent_on) DO NOTHING
            RETURNING id
            """,
            [receiver.pk, DIGEST_TYPE, period_end, day],
        )
        return cursor.fetchone() is not None


def digest_items(
    *, receiver: Profile, since: dt.datetime, until: dt.datetime
) -> list[JourneyDigest]:
    """The submissions and resubmissions ``receiver`` was notified of in
    [since, until), grouped by journey: one line per post, oldest first.
    Posts deleted since, or not of the receiver's academy, are left out. Two
    queries whatever the number of submissions."""
    events: dict[uuid.UUID, tuple[bool, dt.datetime]] = {}
    notifications = Notification.objects.filter(
        receiver=receiver, type=DIGEST_TYPE, created_at__gte=since, created_at__lt=until
    ).order_by("created_at", "id")
    for notification in notifications.values_list("notification_json", "created_at"):
        post_id, resubmitted = _event_of(notification[0])
        if post_id is not None:
            # One line per post: "resubmitted" if it was at any point of the
            # period, at the time of its latest event.
            earlier_resubmitted = events.get(post_id, (False, None))[0]
            events[post_id] = (resubmitted or earlier_resubmitted, notification[1])
    if not events:
        return []
    posts = Post.objects.filter(
        pk__in=list(events), journey__organization_id=receiver.organization_id
    ).select_related("journey", "mission_instance__mission", "user", "team")
    items_by_journey: dict[str, list[DigestItem]] = {}
    for post in sorted(posts, key=lambda post: (post.journey.name, events[post.pk][1])):
        resubmitted, at = events[post.pk]
        items_by_journey.setdefault(post.journey.name, []).append(
            DigestItem(
                journey=post.journey.name,
                mission=post.mission_instance.mission.name if post.mission_instance else "",
                student=public_name(post.user),
                team=post.team.name if post.is_team_post else None,
                title=post.title,
                resubmitted=resubmitted,
                at=local_moment(at, receiver),
                url=absolute_url(reverse("community:post_detail", args=[post.journey_id, post.pk])),
            )
        )
    return [JourneyDigest(journey=name, items=items) for name, items in items_by_journey.items()]


def _event_of(payload: str | None) -> tuple[uuid.UUID | None, bool]:
    """(post id, resubmitted?) from a "submission" notification's payload."""
    try:
        data = json.loads(payload or "{}")
        return uuid.UUID(str(data["post_id"])), bool(data.get("resubmitted"))
    except (ValueError, KeyError, TypeError):
        return None, False


def _email(
    receiver: Profile, journeys: list[JourneyDigest], *, since: dt.datetime, until: dt.datetime
) -> None:
    """Render the digest in the receiver's language and hand it to Django's mail
    system, whose backend writes it into ``email_queue`` (this transaction)."""
    count = sum(len(journey.items) for journey in journeys)
    shown, room = [], DIGEST_MAX_ITEMS
    for journey in journeys:
        if room > 0:
            shown.append(JourneyDigest(journey=journey.journey, items=journey.items[:room]))
            room -= len(shown[-1].items)
    context = {
        "receiver": receiver,
        "journeys": shown,
        "count": count,
        "more": count - min(count, DIGEST_MAX_ITEMS),
        "since": local_moment(since, receiver),
        "until": local_moment(until, receiver),
        "action_url": absolute_url(reverse("grading:queue")),
        "settings_url": absolute_url(reverse("notifications:preferences")),
        "site_url": settings.SITE_URL,
    }
    # The templates' |date shows times in the active zone: the receiver's, not
    # the worker's UTC.
    with in_person_terms(receiver):
        subject = render_to_string("notifications/email/digest.subject.txt", context).strip()
        text = render_to_string("notifications/email/digest.txt", context)
        html = render_to_string("notifications/email/digest.html", context)
    mail = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[receiver.mailbox],
    )
    mail.attach_alternative(html, "text/html")
    mail.send()
