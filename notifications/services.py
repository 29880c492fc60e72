"""Writes of the notifications app: sending a notification, reading, preferences.

Every message a person gets starts at ``notification_send``: an in-app row
always, an e-mail (through ``email_queue``) and a push when the person wants
them for that type. It all happens in the caller's transaction, so a
rolled-back change notifies nobody.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise

from accounts.models import Profile
from core.links import absolute_url
from notifications.models import Notification, NotificationPreference
from notifications.types import NOTIFICATION_TYPES, NotificationType, notification_type

MESSAGE_MAX_LENGTH = 500


@dataclass(frozen=True)
class Channels:
    email: bool
    push: bool


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
    kind = notification_type(type)
    if actor is not None and actor.pk == receiver.pk:
        return None
    if not receiver.is_active:
        return None
    _check_link(link)
    with translation.override(language_of(receiver)):
        text = str(message)[:MESSAGE_MAX_LENGTH]
    with transaction.atomic():
        notification = Notification.objects.create(
            receiver=receiver,
            type=kind.key,
            message=text,
            link=link or None,
            notification_json=json.dumps(payload or {}, ensure_ascii=False, default=str),
        )
        channels = channels_for(receiver, kind)
        if channels.email and receiver.email:
            _email_queue(notification, kind)
        if channels.push:
            # Imported here: push delivery imports this module (for language_of).
            from notifications.push_services import push_queue

            push_queue(notification)
    return notification


def _check_link(link: str) -> None:
    # Opening a notification redirects to its link: only paths of this site,
    # never another host ("//evil.example" is a host too).
    if link and (not link.startswith("/") or link.startswith("//")):
        raise ValueError(f"A notification link must be a path on this site, not {link!r}.")


def language_of(profile: Profile) -> str:
    """The language to write to someone in (profiles have no language yet)."""
    return settings.LANGUAGE_CODE


def channels_for(profile: Profile, kind: NotificationType) -> Channels:
    if kind.in_app_only:
        return Channels(email=False, push=False)
    return preferences_of(profile)[kind.key]


def _email_queue(notification: Notification, kind: NotificationType) -> None:
    """Render the type's e-mail in the receiver's language and hand it to Django's
    mail system, whose backend writes it into ``email_queue``."""
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
    with translation.override(language_of(receiver)):
        subject = render_to_string(f"{template}.subject.txt", context).strip()
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    mail = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # a subject is one line
        body=text,
        to=[_address(receiver)],
        headers={"X-Sqeeze-Ref": str(notification.pk)},
    )
    mail.attach_alternative(html, "text/html")
    mail.send()


def _address(profile: Profile) -> str:
    from email.utils import formataddr

    return formataddr((profile.full_name, profile.email)) if profile.full_name else profile.email


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


def preferences_of(user: Profile) -> dict[str, Channels]:
    """Every type's channels for ``user``: stored choices over the defaults, one query."""
    stored = {
        row.notification_type: Channels(email=row.email, push=row.push)
        for row in NotificationPreference.objects.filter(user=user)
    }
    return {
        key: stored.get(key, Channels(email=kind.email_default, push=kind.push_default))
        for key, kind in NOTIFICATION_TYPES.items()
    }


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
        with translation.override(language_of(receiver)):
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
