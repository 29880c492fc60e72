"""Writes of the notifications app: sending a notification, reading, preferences.

Every message a person gets starts at ``notification_send`` (one receiver) or
``notifications_send`` (many, at the same cost): an in-app row always, written
in the caller's transaction; an e-mail (through ``email_queue``) and a push
when the person wants them for that type, decided and rendered by a worker
once the transaction commits (``notifications.fan_out``). A rolled-back change
notifies nobody.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise

from accounts.models import Profile
from core import tenancy
from core.moments import in_person_terms
from notifications.fan_out_tasks import fan_out_on_commit
from notifications.models import Notification, NotificationPreference
from notifications.selectors import DIGEST_TYPE, Channels
from notifications.types import NOTIFICATION_TYPES, NotificationDraft, notification_type

MESSAGE_MAX_LENGTH = 500


def notification_send(
    *,
    receiver: Profile,
    type: str,
    message: str | Promise,
    link: str = "",
    actor: Profile | None = None,
    payload: dict[str, Any] | None = None,
) -> Notification | None:
    """Notify ``receiver``; returns the row, or None when nobody is notified.

    ``message`` may be a lazy translation: it is rendered in the receiver's
    language. ``link`` is a path on this site ("/journeys/…"), which opening
    the notification follows. Nobody is notified of their own action
    (``actor``), and deactivated people are not notified at all.
    """
    draft = NotificationDraft(type=type, message=message, link=link, payload=payload or {})
    sent = notifications_send(drafts=[(receiver, draft)], actor=actor)
    return sent[0] if sent else None


def notifications_send(
    *,
    drafts: Iterable[tuple[Profile, NotificationDraft]],
    actor: Profile | None = None,
) -> list[Notification]:
    """Notify many people at a fixed cost: one INSERT for every in-app row,
    whatever their number; their e-mails and pushes are decided and rendered
    by a worker after the commit (``notifications.fan_out``). Each message is
    written in its receiver's language and zone. Returns the rows written
    (nobody is notified of their own action, deactivated people not at all)."""
    rows = [
        row
        for receiver, draft in drafts
        if (row := notification_compose(receiver=receiver, actor=actor, **draft.send_kwargs()))
        is not None
    ]
    if not rows:
        return []
    now = timezone.now()
    for row in rows:
        if notification_type(row.type).in_app_only:
            row.fanned_out_at = now  # nothing to send but the in-app row
    # Written as the academy's work: the actor may not read another person's
    # notification back (the INSERT returns the rows it wrote; core.tenancy).
    with transaction.atomic(), tenancy.as_academy():
        Notification.objects.bulk_create(rows)
        fan_out_on_commit([str(row.pk) for row in rows if row.fanned_out_at is None])
    return rows


def notification_compose(
    *,
    receiver: Profile,
    type: str,
    message: str | Promise,
    link: str = "",
    actor: Profile | None = None,
    payload: dict[str, Any] | None = None,
) -> Notification | None:
    """The in-app row ``notification_send`` inserts for ``receiver``, unsaved:
    its type, its message rendered for the receiver, link and payload. None when
    nobody is notified (their own action, a deactivated account). The demo
    (``sqeeze.demo``) writes its past notifications from these rows."""
    kind = notification_type(type)
    if actor is not None and actor.pk == receiver.pk:
        return None
    if not receiver.is_active:
        return None
    _check_link(link)
    # Rendered for the receiver, not the sender, also in a worker (no active
    # language or zone there): a lazy message's dates and words are theirs.
    with in_person_terms(receiver):
        text = str(message)[:MESSAGE_MAX_LENGTH]
    return Notification(
        receiver=receiver,
        type=kind.key,
        message=text,
        link=link or None,
        notification_json=json.dumps(payload or {}, ensure_ascii=False, default=str),
    )


def _check_link(link: str) -> None:
    # Opening a notification redirects to its link: only paths of this site,
    # never another host ("//evil.example" is a host too).
    if link and (not link.startswith("/") or link.startswith("//")):
        raise ValueError(f"A notification link must be a path on this site, not {link!r}.")


def notification_read(*, notification: Notification) -> Notification:
    """Mark one notification read (once: the first reading time stays)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_read_all(*, receiver: Profile) -> int:
    """Mark all of a person's unread notifications read; returns how many."""
    return Notification.objects.filter(receiver=receiver, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preferences_save(*, user: Profile, choices: dict[str, Channels]) -> None:
    """Store the person's channel choice for each type in ``choices``."""
    unknown = set(choices) - set(NOTIFICATION_TYPES)
    if unknown:
        raise ValueError(f"Unknown notification types: {sorted(unknown)}")
    with transaction.atomic():
        for key, channels in choices.items():
            NotificationPreference.objects.update_or_create(
                user=user,
                notification_type=key,
                defaults={"email": channels.email, "push": channels.push},
            )


def notification_send_grouped(
    *,
    receiver: Profile,
    type: str,
    message: str | Promise,
    link: str,
    actor: Profile | None = None,
    payload: dict[str, Any] | None = None,
) -> Notification | None:
    """Like ``notification_send``, but one unread notification per ``type`` and
    ``link``: when ``receiver`` already has one, its message and payload are
    rewritten ("Minji and 2 others liked your post") and it moves to the top of
    the inbox (``created_at`` is now) instead of a new row being added. A read
    one is left alone and a new row starts the next group.

    No new e-mail or push goes out for a rewrite: grouping is for busy, low-stakes
    types (likes, which are in-app only anyway).
    """
    kind = notification_type(type)
    if actor is not None and actor.pk == receiver.pk:
        return None
    if not receiver.is_active:
        return None
    if not link:
        raise ValueError("A grouped notification needs the link it is grouped by.")
    _check_link(link)
    with transaction.atomic():
        # Two likes at the same moment must not both find "no group yet" and
        # both insert: serialise per receiver, type and link for this transaction.
        _lock_group(receiver, kind.key, link)
        existing = (
            Notification.objects.select_for_update()
            .filter(receiver=receiver, type=kind.key, link=link, read_at__isnull=True)
            .order_by("-created_at", "-id")
            .first()
        )
        if existing is None:
            return notification_send(
                receiver=receiver,
                type=kind.key,
                message=message,
                link=link,
                actor=actor,
                payload=payload,
            )
        with in_person_terms(receiver):
            existing.message = str(message)[:MESSAGE_MAX_LENGTH]
        existing.notification_json = json.dumps(payload or {}, ensure_ascii=False, default=str)
        existing.created_at = timezone.now()
        existing.save(update_fields=["message", "notification_json", "created_at"])
    return existing


def _lock_group(receiver: Profile, type: str, link: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"notification-group:{receiver.pk}:{type}:{link}"],
        )


def digest_preference_save(*, user: Profile, enabled: bool) -> None:
    """Switch ``user``'s daily digest on or off. Only teachers and admins have
    one. A new preference row starts from the type's default channels, so
    choosing the digest does not also switch on one e-mail per submission."""
    if enabled and not user.is_teacher:
        raise ValueError("Only teachers and admins can receive the submissions digest.")
    kind = NOTIFICATION_TYPES[DIGEST_TYPE]
    with transaction.atomic():
        NotificationPreference.objects.update_or_create(
            user=user,
            notification_type=DIGEST_TYPE,
            defaults={"daily_digest": enabled},
            create_defaults={
                "daily_digest": enabled,
                "email": kind.email_default,
                "push": kind.push_default,
            },
        )
