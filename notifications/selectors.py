"""Reads of the notifications app: the inbox, paged by key; the unread badge;
which channels (e-mail, push) a person wants for each type."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from accounts.models import Profile
from core.keyset import BadCursor, cursor_decode, cursor_encode, older_than
from notifications.models import Notification, NotificationPreference
from notifications.types import NOTIFICATION_TYPES

# The notification type the teachers' daily digest gathers (submissions.digest).
DIGEST_TYPE = "submission"

INBOX_PAGE_SIZE = 20


@dataclass(frozen=True)
class InboxCursor:
    """Where a page ended: unread ones come first, then read ones, each newest first."""

    unread: bool
    created_at: dt.datetime
    id: uuid.UUID

    def encode(self) -> str:
        phase = "u" if self.unread else "r"
        return cursor_encode(phase, created_at=self.created_at, id=self.id)

    @classmethod
    def decode(cls, raw: str) -> InboxCursor:
        (phase,), created_at, pk = cursor_decode(raw, leading=1)
        if phase not in ("u", "r"):
            raise BadCursor(raw)
        return cls(unread=phase == "u", created_at=created_at, id=pk)


@dataclass(frozen=True)
class InboxPage:
    notifications: list[Notification]
    next_cursor: str | None


def _newest_first(queryset: QuerySet, cursor: InboxCursor | None) -> QuerySet:
    if cursor is not None:
        queryset = queryset.filter(older_than("created_at", cursor.created_at, cursor.id))
    return queryset.order_by("-created_at", "-id")


def inbox_page(receiver: Profile, after: str | None = None) -> InboxPage:
    """One page of ``receiver``'s inbox: at most two indexed queries, whatever
    the inbox holds (the unread part, then the read part if room is left)."""
    cursor = InboxCursor.decode(after) if after else None
    mine = Notification.objects.filter(receiver=receiver)
    rows: list[Notification] = []
    if cursor is None or cursor.unread:
        unread = _newest_first(mine.filter(read_at__isnull=True), cursor)
        rows = list(unread[: INBOX_PAGE_SIZE + 1])
        cursor = None  # the read part starts from its beginning
    if len(rows) <= INBOX_PAGE_SIZE:
        room = INBOX_PAGE_SIZE + 1 - len(rows)
        read = _newest_first(mine.filter(read_at__isnull=False), cursor)
        rows += list(read[:room])
    has_more = len(rows) > INBOX_PAGE_SIZE
    rows = rows[:INBOX_PAGE_SIZE]
    next_cursor = None
    if has_more:
        last = rows[-1]
        next_cursor = InboxCursor(last.read_at is None, last.created_at, last.id).encode()
    return InboxPage(notifications=rows, next_cursor=next_cursor)


# The navigation badge says "99+" past this: a teacher of a big class may have
# thousands unread, and counting them all on every page would cost as much.
UNREAD_BADGE_LIMIT = 99


# Every page's badge: written out, because building this count with the ORM
# cost more than PostgreSQL takes to answer it.
_UNREAD_SQL = f"""
SELECT count(*) FROM (
    SELECT 1 FROM {Notification._meta.db_table}
    WHERE receiver_id = %s AND read_at IS NULL LIMIT %s
) AS unread
"""


def unread_count(receiver: Profile, *, limit: int | None = None) -> int:
    """How many notifications ``receiver`` has not read: one count over the
    partial unread index, reading at most ``limit`` + 1 rows when given."""
    if limit is None:
        return Notification.objects.filter(receiver=receiver, read_at__isnull=True).count()
    with connection.cursor() as cursor:
        cursor.execute(_UNREAD_SQL, [receiver.pk, limit + 1])
        return cursor.fetchone()[0]


def digest_enabled(user: Profile) -> bool:
    """Has ``user`` chosen the daily digest of new submissions?"""
    return NotificationPreference.objects.filter(
        user=user, notification_type=DIGEST_TYPE, daily_digest=True
    ).exists()


# --- channels -----------------------------------------------------------------


@dataclass(frozen=True)
class Channels:
    email: bool
    push: bool


def _defaults() -> dict[str, Channels]:
    return {
        key: Channels(email=kind.email_default, push=kind.push_default)
        for key, kind in NOTIFICATION_TYPES.items()
    }


def preferences_of(user: Profile) -> dict[str, Channels]:
    """Every type's channels for ``user``: stored choices over the defaults, one query."""
    return preferences_of_many([user.pk])[user.pk]


def preferences_of_many(user_ids: Iterable) -> dict:
    """``preferences_of`` for many people at once (a fan-out to a class): one
    query whatever their number. Keyed by user id."""
    ids = list(dict.fromkeys(user_ids))
    choices = {user_id: _defaults() for user_id in ids}
    rows = NotificationPreference.objects.filter(user_id__in=ids).values_list(
        "user_id", "notification_type", "email", "push"
    )
    for user_id, key, email, push in rows:
        if key in NOTIFICATION_TYPES:
            choices[user_id][key] = Channels(email=email, push=push)
    return choices
