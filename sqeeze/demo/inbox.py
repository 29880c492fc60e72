"""The demo's notifications and queued e-mails, each made by the code the app
sends it with.

A notification's type, message, link and payload come from the service's own
message builder (``grading_notification``, ``submission_notification`` …), its
receivers from the service's own rule (``grading_receivers``,
``journey_teachers``, ``comment_notices``), and the row from
``notifications.services.notification_compose``, the first half of
``notification_send``. What the demo does not take from ``notification_send``
is its second half, the insert: it stamps "now", draws a new id and queues an
e-mail and a push, and the demo needs the past, a row it finds again on a
rerun, and no mail for last week's news. So it upserts the composed row by a
uuid5 key, dated when it happened. The same goes for the e-mails: rendered by
``notification_email`` and turned into ``email_queue`` rows by the queue
backend's ``queue_rows_for``, then given a delivery state.

``tests/demo/test_demo_notifications.py`` replays each kind through the real
service and compares.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from accounts.models import Profile
from community.mentions import MentionIndex, mention_index_for
from community.models import Comment, Post
from community.notices import comment_notices, like_notification, submission_notification
from community.services import journey_teachers
from grading.services import grading_notification, grading_receivers, hidden_notification
from missions.models import MissionNotice, MissionReminder, MissionStatus, NoticeKind
from missions.notices import new_mission_notification
from notifications.email_backend import queue_rows_for
from notifications.email_delivery import retry_delay
from notifications.fan_out import notification_email
from notifications.models import EmailQueue, Notification
from notifications.services import notification_compose
from notifications.types import NotificationDraft, notification_type
from sqeeze.demo.builder import DemoBuilder, Slot
from sqeeze.demo.data import QUEUED_EMAILS, REMINDERS
from sqeeze.demo.specs import EmailState, demo_uuid
from submissions.services import reminder_notification
from submissions.totals import reminder_day

# Older than this counts as read: every inbox has read and unread items.
READ_AFTER = dt.timedelta(days=2)


def notify(
    demo: DemoBuilder,
    *,
    key: tuple[object, ...],
    receiver: Profile,
    draft: NotificationDraft,
    created_at: dt.datetime,
    actor: Profile | None = None,
    is_read: bool | None = None,
    slot: Slot | None = None,
) -> Notification | None:
    """Write the notification ``notification_send`` would write for ``draft``,
    as sent at ``created_at``; None when the app would notify nobody."""
    composed = notification_compose(receiver=receiver, actor=actor, **draft.send_kwargs())
    if composed is None:
        return None
    if is_read is None:
        is_read = created_at < demo.now - READ_AFTER
    read_at = demo.not_after_now(created_at + dt.timedelta(hours=1)) if is_read else None
    notification = demo.upsert(
        Notification,
        {
            "receiver": receiver,
            "type": composed.type,
            "message": composed.message,
            "link": composed.link,
            "notification_json": composed.notification_json,
            "created_at": created_at,
            "read_at": read_at,
            # The past is not mailed again: the demo's few e-mails are its own rows.
            "fanned_out_at": created_at,
        },
        id=demo_uuid("notification", *key, receiver.email),
    )
    if slot is not None:
        demo.inbox[(receiver.email, composed.type, slot.key)] = notification
    return notification


# --- posts: submitted, graded, hidden, commented, liked --------------------------------------


def notify_submission(demo: DemoBuilder, slot: Slot, post: Post, *, graded: bool) -> None:
    draft = submission_notification(post, actor=post.user, resubmitted=False)
    for teacher in teachers_of(demo, slot):
        notify(
            demo,
            key=("submission", post.pk),
            receiver=teacher,
            draft=draft,
            actor=post.user,
            created_at=post.created_at,
            # A graded submission has been opened; a waiting one may not have been yet.
            is_read=True if graded else None,
        )


def teachers_of(demo: DemoBuilder, slot: Slot) -> list[Profile]:
    """``journey_teachers``, asked once per academy."""
    key = ("teachers", slot.journey.organization_id)
    if key not in demo.cache:
        demo.cache[key] = list(journey_teachers(slot.journey))
    return demo.cache[key]


def notify_grading(
    demo: DemoBuilder, slot: Slot, post: Post, *, grader: Profile, graded_at: dt.datetime
) -> None:
    for receiver in grading_receivers(post):
        notify(
            demo,
            key=("grading", post.pk),
            receiver=receiver,
            draft=grading_notification(post, receiver=receiver, regraded=False, now=graded_at),
            actor=grader,
            created_at=graded_at,
            slot=slot,
        )


def notify_hidden(demo: DemoBuilder, post: Post, *, by: Profile, hidden_at: dt.datetime) -> None:
    notify(
        demo,
        key=("moderation", post.pk),
        receiver=post.user,
        draft=hidden_notification(post, reason=post.hidden_reason or ""),
        actor=by,
        created_at=hidden_at,
    )


def notify_comment(demo: DemoBuilder, comment: Comment, *, notify_author: bool) -> None:
    """Whom ``comment_create`` would notify of ``comment``, and with what."""
    notices = comment_notices(
        comment,
        mentioned=mention_index(demo, comment.post).mentioned(comment.content),
        skip={comment.user_id},
        notify_author=notify_author,
    )
    for receiver, draft in notices:
        notify(
            demo,
            key=(draft.type, comment.pk),
            receiver=receiver,
            draft=draft,
            actor=comment.user,
            created_at=comment.created_at,
        )


def mention_index(demo: DemoBuilder, post: Post) -> MentionIndex:
    """``community.mentions.mention_index_for``, asked once per journey."""
    key = ("mentions", post.journey_id)
    if key not in demo.cache:
        demo.cache[key] = mention_index_for(post.journey_id)
    return demo.cache[key]


def notify_likes(demo: DemoBuilder, post: Post, likes: list[tuple[Profile, dt.datetime]]) -> None:
    """The author's one like notification of ``post``: ``like_set`` rewrites the
    unread one at each like, so after the last like it names the last liker and
    counts the others."""
    if not likes:
        return
    liker, liked_at = max(likes, key=lambda like: like[1])
    notify(
        demo,
        key=("like", post.pk),
        receiver=post.user,
        draft=like_notification(post, liker=liker, others=len(likes) - 1),
        actor=liker,
        created_at=liked_at,
    )


# --- missions: opened, and a teacher's reminder ----------------------------------------------


def seed_new_mission_notices(demo: DemoBuilder, slot: Slot) -> None:
    """What ``new_mission_notices_send`` told the students when the mission opened,
    with the ``mission_notices`` rows that keep it from telling them again. Only
    for missions open now: an inbox full of last month's news is not realistic."""
    if slot.instance.status != MissionStatus.IN_PROGRESS:
        return
    draft = new_mission_notification(slot.instance)
    for email in slot.journey_spec.students:
        student = demo.people[email]
        notify(
            demo,
            key=("new_mission", slot.instance.pk),
            receiver=student,
            draft=draft,
            created_at=slot.instance.release_date,
            # Whoever already submitted has clearly seen it.
            is_read=email in demo.submitted.get(slot.key, set()),
            slot=slot,
        )
        demo.upsert(
            MissionNotice,
            {"created_at": slot.instance.release_date},
            mission_instance=slot.instance,
            profile=student,
            kind=NoticeKind.RELEASED,
        )


def seed_reminders(demo: DemoBuilder) -> None:
    """What ``mission_reminder_send`` sends, with its ``mission_reminders`` row."""
    for spec in REMINDERS:
        slot = demo.slot(spec.journey, spec.mission)
        student, teacher = demo.people[spec.student], demo.people[spec.teacher]
        sent_at = demo.now - dt.timedelta(minutes=spec.minutes_ago)
        notify(
            demo,
            key=("reminder", slot.instance.pk),
            receiver=student,
            draft=reminder_notification(slot.instance, receiver=student, sent_by=teacher),
            actor=teacher,
            created_at=sent_at,
            slot=slot,
        )
        row_id = demo_uuid("reminder", slot.instance.pk, student.email)
        day = reminder_day(sent_at, student)
        # One reminder a day (the unique key): a real one pressed today makes way.
        MissionReminder.objects.filter(
            mission_instance=slot.instance, profile=student, sent_on=day
        ).filter(~Q(pk=row_id)).delete()
        demo.upsert(
            MissionReminder,
            {
                "mission_instance": slot.instance,
                "profile": student,
                "sent_by": teacher,
                "sent_on": day,
                "created_at": sent_at,
            },
            id=row_id,
        )


# --- e-mails ---------------------------------------------------------------------------------

_COPIED = (
    "recipient_name",
    "subject",
    "content",
    "html_content",
    "from_email",
    "headers",
)


def seed_queued_emails(demo: DemoBuilder) -> None:
    """The e-mails of some of the demo's notifications, as the queue backend
    stores them, each in one delivery state."""
    for spec in QUEUED_EMAILS:
        slot = demo.slot(spec.journey, spec.mission)
        notification = demo.inbox[(spec.receiver, spec.kind, slot.key)]
        mail = notification_email(notification, notification_type(spec.kind))
        (row,) = queue_rows_for(mail)
        queued_at = notification.created_at
        demo.upsert(
            EmailQueue,
            {
                **{name: getattr(row, name) for name in _COPIED},
                "created_at": queued_at,
                **delivery_state(demo, spec.state, spec.failed_attempts, queued_at),
            },
            recipient_email=row.recipient_email,
            content_ref_id=row.content_ref_id,
        )


def delivery_state(
    demo: DemoBuilder, state: str, failed_attempts: int, queued_at: dt.datetime
) -> dict[str, object]:
    """The columns ``notifications.email_delivery`` leaves after ``state``."""
    waiting = {
        "processed": False,
        "processed_at": None,
        "failed_at": None,
        "status_code": None,
        "response": None,
        "error_message": None,
        "retry_count": 0,
        "next_attempt_at": queued_at,
    }
    if state == EmailState.SENT:
        sent_at = demo.not_after_now(queued_at + dt.timedelta(minutes=1))
        return waiting | {
            "processed": True,
            "processed_at": sent_at,
            "status_code": 250,
            "response": "2.0.0 Ok: queued",
            "next_attempt_at": sent_at,
        }
    if state == EmailState.RETRYING:
        # The last attempt failed a minute ago; the backoff decides the next one.
        failed_at = demo.now - dt.timedelta(minutes=1)
        return waiting | {
            "status_code": 451,
            "response": "4.3.0 Temporary server error, try again later",
            "error_message": "SMTPDataError: 451 4.3.0 Temporary server error, try again later",
            "retry_count": failed_attempts,
            "next_attempt_at": failed_at + retry_delay(failed_attempts),
        }
    return waiting
