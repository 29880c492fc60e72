"""The demo's notifications (and e-mails) are what the app would have sent.

For each kind the demo writes, a test takes a demo row, undoes what the demo
did, replays the event through the real service at the demo's moment (``now=``)
and compares what the service sent with what the demo wrote: receivers, type,
message, link and payload, keys and values (a replayed post or comment has a
new id, mapped back to the demo's before comparing). So a change to a service's
message, link, payload or receivers that the demo does not share fails here;
the demo's old hand-written grading payload (``achievement_status``,
``journey_id`` instead of ``status``, ``regraded``) would have.

The demo is seeded once for this module, inside a transaction rolled back at
the end; each test runs in its own savepoint (the ``db`` fixture).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import Profile
from community.models import AchievementStatus, Comment, Like, Post
from community.services import comment_create, like_set, post_submit
from grading.services import post_grade, post_hide
from missions.models import JourneyMissionInstance, MissionNotice, MissionReminder, MissionStatus
from missions.notices import new_mission_notices_send
from notifications.models import EmailQueue, Notification
from sqeeze.demo import demo_email, demo_uuid, seed_demo
from sqeeze.demo.data import (
    DEMO_STUDENT,
    JOURNEYS,
    MISSIONS,
    QUEUED_EMAILS,
    REMINDERS,
    SCRIPTED_COMMENTS,
    TEACHER,
)
from submissions.services import mission_reminder_send

# Every kind the demo writes has a replay below; a new kind needs one.
REPLAYED_KINDS = {
    "grading",
    "submission",
    "comment",
    "mention",
    "like",
    "new_mission",
    "deadline",
    "moderation",
}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[None]:
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        transaction.atomic(),
    ):
        seed_demo(now=timezone.now())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db, settings) -> None:
    """The seeded demo, with this test's changes rolled back afterwards."""
    # pytest-django swaps EMAIL_BACKEND for locmem in every test; ours writes email_queue.
    settings.EMAIL_BACKEND = "notifications.email_backend.QueueEmailBackend"


# --- comparing ---------------------------------------------------------------------------


def said(notification: Notification, renamed: dict[str, str] | None = None) -> tuple:
    """What a notification says to whom; ids in ``renamed`` replaced (new → demo)."""
    link, payload = notification.link or "", notification.notification_json or "{}"
    for new, old in (renamed or {}).items():
        link, payload = link.replace(new, old), payload.replace(new, old)
    return (
        notification.receiver.email,
        notification.type,
        notification.message,
        link,
        json.loads(payload),
    )


def sent_by_app(replay: Callable[[], object]) -> list[Notification]:
    """The notifications ``replay`` (a real service call) sends."""
    before = set(Notification.objects.values_list("pk", flat=True))
    replay()
    return list(Notification.objects.exclude(pk__in=before).select_related("receiver"))


def demo_rows(**filters) -> list[Notification]:
    return list(Notification.objects.filter(**filters).select_related("receiver"))


def about(obj) -> dict:
    """Notifications whose payload names ``obj`` (a post or a comment)."""
    return {"notification_json__contains": str(obj.pk)}


def assert_same(demo: list[Notification], app: list[Notification], renamed=None) -> None:
    assert demo, "the demo wrote none of these"
    expected = sorted((said(row) for row in demo), key=repr)
    assert sorted((said(row, renamed) for row in app), key=repr) == expected


def person(email: str) -> Profile:
    return Profile.objects.get(email=email)


def demo_post(journey: str, mission: str, author: str) -> Post:
    instance = instance_of(journey, mission)
    week = instance.journey_week.week_number
    return Post.objects.select_related("mission_instance__mission", "journey", "team", "user").get(
        pk=demo_uuid("post", f"{journey}/{week}/{mission}", author)
    )


def instance_of(journey: str, mission: str) -> JourneyMissionInstance:

    journey_name = next(spec.name for spec in JOURNEYS if spec.key == journey)
    mission_name = next(spec.name for spec in MISSIONS if spec.key == mission)
    return JourneyMissionInstance.objects.select_related("journey_week", "journey", "mission").get(
        journey__name=journey_name, mission__name=mission_name
    )


# --- the kinds -----------------------------------------------------------------------------


def test_the_demo_writes_only_kinds_replayed_here(demo):
    assert set(Notification.objects.values_list("type", flat=True)) == REPLAYED_KINDS


@pytest.mark.parametrize(
    ("journey", "mission", "author"),
    [
        ("ai-automation", "intro", DEMO_STUDENT.email),  # achieved, with feedback
        ("ai-automation", "sheet-automation", DEMO_STUDENT.email),  # achieved, 25 of 30
        ("data-literacy", "data-story", DEMO_STUDENT.email),  # not achieved, still open
        ("ai-automation", "team-idea", DEMO_STUDENT.email),  # a team's, achieved
        ("ai-automation", "team-idea", demo_email("liam.nguyen")),  # a team's, not achieved
        ("ai-automation", "intro", demo_email("jiho.kang")),  # not achieved, closed, hidden
    ],
)
def test_grading_is_what_post_grade_sends(demo, journey, mission, author):
    post = demo_post(journey, mission, author)
    grader, graded_at = post.graded_by, post.graded_at
    feedback = Comment.objects.filter(post=post, user=grader, created_at=graded_at).first()
    # Everything the demo says happened at the grading: the grade and, with
    # feedback, no "comment" notification (the grade tells the author).
    written = demo_rows(created_at=graded_at, **about(post))
    if feedback is not None:
        written += demo_rows(**about(feedback))
    status, score = post.achievement_status, post.score
    Post.objects.filter(pk=post.pk).update(
        achievement_status=AchievementStatus.PENDING, score=None, graded_at=None, graded_by=None
    )
    sent = sent_by_app(
        lambda: post_grade(
            post=post,
            grader=grader,
            achievement_status=status,
            score=score,
            feedback=feedback.content if feedback else "",
            now=graded_at,
        )
    )
    assert_same(written, sent)
    assert {row.type for row in written} == {"grading"}


def test_submissions_are_what_post_submit_sends(demo):
    for journey, mission, author in (
        ("ai-automation", "data-story", DEMO_STUDENT.email),  # the student's own, waiting
        ("data-literacy", "team-idea", demo_email("sua.han")),  # a team's, waiting
    ):
        post = demo_post(journey, mission, author)
        written = demo_rows(type="submission", **about(post))
        Post.objects.filter(pk=post.pk).delete()
        replayed: list[Post] = []
        sent = sent_by_app(
            lambda post=post, replayed=replayed: replayed.append(
                post_submit(
                    author=post.user,
                    instance=post.mission_instance,
                    title=post.title,
                    content=post.content,
                    now=post.created_at,
                )
            )
        )
        assert_same(written, sent, renamed={str(replayed[0].pk): str(post.pk)})


def test_comments_and_mentions_are_what_comment_create_sends(demo):
    scripted = SCRIPTED_COMMENTS[0]
    mention = Comment.objects.select_related("post", "user").get(
        user__email=scripted.writer, content=scripted.content
    )
    peer = (
        Comment.objects.filter(user__role="user")
        .exclude(pk=mention.pk)
        .select_related("post", "user")
        .order_by("id")
        .first()
    )
    kinds = set()
    for comment in (mention, peer):
        written = demo_rows(**about(comment))
        kinds |= {row.type for row in written}
        Comment.objects.filter(pk=comment.pk).delete()
        replayed: list[Comment] = []
        sent = sent_by_app(
            lambda comment=comment, replayed=replayed: replayed.append(
                comment_create(post=comment.post, author=comment.user, content=comment.content)
            )
        )
        assert_same(written, sent, renamed={str(replayed[0].pk): str(comment.pk)})
    assert kinds == {"comment", "mention"}


def test_likes_are_what_like_set_sends_grouped(demo):
    notification = (
        Notification.objects.filter(type="like", notification_json__contains='"likes": 3')
        .select_related("receiver")
        .first()
    )
    post = Post.objects.get(pk=json.loads(notification.notification_json)["post_id"])
    likes = list(Like.objects.filter(post=post).select_related("user").order_by("created_at"))
    Like.objects.filter(post=post).delete()
    notification.delete()  # else the first replayed like would rewrite it
    sent = sent_by_app(lambda: [like_set(post=post, user=like.user, liked=True) for like in likes])
    assert_same([notification], sent)


def test_new_mission_notices_are_what_the_beat_sends(demo):
    instance = instance_of("ai-automation", "team-pitch")
    assert instance.status == MissionStatus.IN_PROGRESS
    written = demo_rows(type="new_mission", notification_json__contains=str(instance.pk))
    assert MissionNotice.objects.filter(mission_instance=instance).count() == len(written)
    MissionNotice.objects.filter(mission_instance=instance).delete()
    sent = sent_by_app(
        lambda: new_mission_notices_send(now=instance.release_date + dt.timedelta(minutes=1))
    )
    assert_same(written, sent)


def test_the_reminder_and_its_email_are_what_mission_reminder_send_sends(demo, fan_out):
    spec = REMINDERS[0]
    instance = instance_of(spec.journey, spec.mission)
    student, teacher = person(spec.student), person(spec.teacher)
    (written,) = demo_rows(type="deadline", receiver=student)
    demo_email_row = EmailQueue.objects.get(content_ref_id=written.pk)
    reminded = MissionReminder.objects.get(mission_instance=instance, profile=student)
    assert reminded.sent_by == teacher
    reminded.delete()
    with fan_out():  # the app's e-mail is rendered by the fan-out, after the commit
        sent = sent_by_app(
            lambda: mission_reminder_send(
                instance=instance, student=student, sent_by=teacher, now=written.created_at
            )
        )
    assert_same([written], sent)
    (app_email_row,) = EmailQueue.objects.filter(content_ref_id=sent[0].pk)
    assert email_said(demo_email_row) == email_said(app_email_row)


def test_the_hidden_post_is_told_what_post_hide_tells(demo):
    post = Post.objects.select_related("user", "journey").get(is_hidden=True)
    written = demo_rows(type="moderation", **about(post))
    teacher = person(TEACHER.email)
    sent = sent_by_app(lambda: post_hide(post=post, by=teacher, reason=post.hidden_reason))
    assert_same(written, sent)


# --- e-mails -------------------------------------------------------------------------------


def email_said(row: EmailQueue) -> tuple:
    return (
        row.recipient_email,
        row.recipient_name,
        row.subject,
        row.content,
        row.html_content,
        row.from_email,
    )


def test_the_grading_emails_are_what_post_grade_queues(demo, fan_out):
    graded = [spec for spec in QUEUED_EMAILS if spec.kind == "grading"]
    assert graded
    for spec in graded:
        post = demo_post(spec.journey, spec.mission, spec.receiver)
        notification = Notification.objects.get(
            type="grading", receiver__email=spec.receiver, **about(post)
        )
        demo_row = EmailQueue.objects.get(content_ref_id=notification.pk)
        status, score, grader, graded_at = (
            post.achievement_status,
            post.score,
            post.graded_by,
            post.graded_at,
        )
        Post.objects.filter(pk=post.pk).update(achievement_status=AchievementStatus.PENDING)
        with fan_out():
            (sent,) = [
                row
                for row in sent_by_app(
                    lambda post=post, status=status, score=score, grader=grader, at=graded_at: (
                        post_grade(
                            post=post, grader=grader, achievement_status=status, score=score, now=at
                        )
                    )
                )
                if row.receiver.email == spec.receiver
            ]
        assert email_said(demo_row) == email_said(EmailQueue.objects.get(content_ref_id=sent.pk))


def test_each_demo_email_is_the_email_of_a_demo_notification(demo):
    rows = EmailQueue.objects.all()
    assert rows.count() == len(QUEUED_EMAILS)
    for row in rows:
        notification = Notification.objects.get(pk=row.content_ref_id)
        assert notification.receiver.email == row.recipient_email
        assert row.created_at == notification.created_at
    assert rows.filter(processed=True, status_code=250).exists()
    assert rows.filter(processed=False, retry_count=0).exists()
    retrying = rows.get(processed=False, retry_count__gt=0)
    assert retrying.next_attempt_at > timezone.now() - dt.timedelta(minutes=1)
