"""E-mail and push for new notifications, decided and rendered by a worker.

A write that notifies many people (a mission opening for a class of 1,260, a
teacher reminding everyone who has not submitted) must cost the same in the
request whatever their number: ``notifications_send`` inserts the in-app rows
in one statement and queues ``notifications.fan_out`` after the commit. Here,
in the worker, each batch of rows is claimed (``fanned_out_at`` set under a row
lock, so a row is handled once even when a task is delivered twice), the
receivers' channel choices are read in one query, every e-mail is rendered in
its receiver's language and zone and written to the e-mail queue in one
INSERT, and the pushes are queued for the receivers with a subscribed browser.

A lost task message loses nothing: beat sweeps rows left unclaimed for a few
minutes (``notifications.fan_out_pending``). Rows older than a day are left
alone: news that late is not worth an e-mail.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core.links import absolute_url
from core.moments import in_person_terms
from notifications.models import Notification
from notifications.push_services import push_queue
from notifications.selectors import preferences_of_many
from notifications.types import NotificationType, notification_type

logger = logging.getLogger(__name__)

# Rows claimed and rendered per transaction: short transactions, bounded memory.
FAN_OUT_BATCH = 200
# The sweep takes rows no task has claimed for this long, and no older than a day.
SWEEP_AFTER = dt.timedelta(minutes=2)
SWEEP_WINDOW = dt.timedelta(days=1)
SWEEP_LIMIT = 5000


def notifications_fan_out(*, notification_ids: Sequence[str]) -> int:
    """Send the e-mails and queue the pushes of these notifications, in batches;
    returns how many rows this call claimed (rows handled already are skipped)."""
    ids = list(notification_ids)
    claimed = 0
    for start in range(0, len(ids), FAN_OUT_BATCH):
        claimed += _fan_out_batch(ids[start : start + FAN_OUT_BATCH])
    return claimed


def _fan_out_batch(ids: list[str]) -> int:
    with transaction.atomic():
        rows = list(
            Notification.objects.filter(pk__in=ids, fanned_out_at__isnull=True)
            .select_related("receiver")
            .select_for_update(of=("self",), skip_locked=True)
        )
        if not rows:
            return 0
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
            fanned_out_at=timezone.now()
        )
        channels = preferences_of_many(row.receiver_id for row in rows)
        mails: list[EmailMultiAlternatives] = []
        pushes: list[Notification] = []
        for row in rows:
            kind = notification_type(row.type)
            if kind.in_app_only or not row.receiver.is_active:
                continue
            wanted = channels[row.receiver_id][kind.key]
            if wanted.email and row.receiver.email:
                mails.append(notification_email(row, kind))
            if wanted.push:
                pushes.append(row)
        if mails:
            # The queue backend writes every row in one INSERT, in this transaction.
            get_connection().send_messages(mails)
        push_queue(pushes)
    return len(rows)


def notifications_pending(*, now: dt.datetime | None = None) -> list[str]:
    """Rows a task should have fanned out by now but has not (a lost message,
    a broker that was down when the write committed)."""
    now = now or timezone.now()
    pending = Notification.objects.filter(
        fanned_out_at__isnull=True,
        created_at__lt=now - SWEEP_AFTER,
        created_at__gte=now - SWEEP_WINDOW,
    ).order_by("created_at")
    return [str(pk) for pk in pending.values_list("pk", flat=True)[:SWEEP_LIMIT]]


def notification_email(
    notification: Notification, kind: NotificationType
) -> EmailMultiAlternatives:
    """The e-mail of a saved ``notification``: the type's templates rendered in
    the receiver's language and zone (templates' ``|date`` included)."""
    receiver = notification.receiver
    context = {
        "receiver": receiver,
        "notification": notification,
        "kind": kind,
        "action_url": absolute_url(notification.link or "/notifications/"),
        "settings_url": absolute_url("/notifications/settings/"),
        "site_url": settings.SITE_URL,
    }
    template = f"notifications/email/{kind.key}"
    with in_person_terms(receiver):
        subject = render_to_string(f"{template}.subject.txt", context).strip()
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    mail = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # a subject is one line
        body=text,
        to=[receiver.mailbox],
        headers={"X-Sqeeze-Ref": str(notification.pk)},
    )
    mail.attach_alternative(html, "text/html")
    return mail
