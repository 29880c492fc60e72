"""Notifying many people at a fixed cost: the request writes every in-app row in
one INSERT and queues one fan-out; a worker decides, renders and queues each
receiver's e-mail and push (``notifications.fan_out``). Nothing here stubs the
notification service: the writes are measured as they run."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from community.services import post_submit
from grading.services import post_grade
from missions.models import AchievementStatus
from notifications import fan_out_tasks
from notifications.fan_out import notifications_fan_out, notifications_pending
from notifications.models import EmailQueue, Notification, NotificationPreference
from notifications.services import notifications_send
from notifications.types import NotificationDraft
from tests.factories import (
    JourneyFactory,
    JourneyWeekFactory,
    MissionInstanceFactory,
    ProfileFactory,
    TeamFactory,
    TeamMemberFactory,
    UserJourneyFactory,
)


@pytest.fixture(autouse=True)
def queue_backend(settings):
    # pytest-django swaps EMAIL_BACKEND for locmem in every test; ours writes email_queue.
    settings.EMAIL_BACKEND = "notifications.email_backend.QueueEmailBackend"


def draft(kind: str = "grading") -> NotificationDraft:
    return NotificationDraft(type=kind, message="Graded!", link="/home/", payload={})


def people(organization, count: int, role: str = Role.USER) -> list:
    return [ProfileFactory(organization=organization, role=role) for _ in range(count)]


def queries_of(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def test_many_receivers_cost_the_same_as_one(organization, fan_out):
    """The request's part: one INSERT for every row and the fan-out queued on commit."""
    one, many = people(organization, 1), people(organization, 40)
    with fan_out() as callbacks:
        few_queries = queries_of(lambda: notifications_send(drafts=[(p, draft()) for p in one]))
        many_queries = queries_of(lambda: notifications_send(drafts=[(p, draft()) for p in many]))
    assert few_queries == many_queries
    fan_outs = [c for c in callbacks if "fan_out_on_commit" in c.__qualname__]
    assert len(fan_outs) == 2  # one per write, whatever the number of receivers
    assert Notification.objects.count() == 41
    assert EmailQueue.objects.count() == 41  # grading mails are on by default


def test_the_worker_reads_preferences_once_and_writes_mail_in_one_insert(organization):
    def fan_out_of(count: int) -> int:
        rows = notifications_send(drafts=[(p, draft()) for p in people(organization, count)])
        return queries_of(
            lambda: notifications_fan_out(notification_ids=[str(row.pk) for row in rows])
        )

    assert fan_out_of(2) == fan_out_of(30)


def test_each_receivers_channel_choice_is_followed(organization, fan_out):
    quiet, default = people(organization, 2)
    NotificationPreference.objects.create(
        user=quiet, notification_type="grading", email=False, push=False
    )
    with fan_out():
        notifications_send(drafts=[(quiet, draft()), (default, draft())])
    assert list(EmailQueue.objects.values_list("recipient_email", flat=True)) == [default.email]


def test_a_row_is_fanned_out_once_even_when_the_task_runs_twice(organization):
    [row] = notifications_send(drafts=[(people(organization, 1)[0], draft())])
    assert notifications_fan_out(notification_ids=[str(row.pk)]) == 1
    assert notifications_fan_out(notification_ids=[str(row.pk)]) == 0
    assert EmailQueue.objects.count() == 1
    row.refresh_from_db()
    assert row.fanned_out_at is not None


def test_in_app_only_rows_are_born_done_and_queue_no_worker(organization, teacher, fan_out):
    with fan_out() as callbacks:
        [like] = notifications_send(drafts=[(people(organization, 1)[0], draft("like"))])
    assert like.fanned_out_at is not None
    assert callbacks == []


def test_the_sweep_takes_rows_a_lost_task_left_behind(organization):
    receiver = people(organization, 1)[0]
    now = timezone.now()
    lost, fresh, stale = notifications_send(drafts=[(receiver, draft())] * 3)
    Notification.objects.filter(pk=lost.pk).update(created_at=now - dt.timedelta(minutes=5))
    Notification.objects.filter(pk=stale.pk).update(created_at=now - dt.timedelta(days=2))
    # A fresh row still waits for its own task; a two-day-old one is not news any more.
    assert notifications_pending(now=now) == [str(lost.pk)]
    assert fan_out_tasks.fan_out_pending.apply().get() == 1
    assert EmailQueue.objects.get().content_ref_id == lost.pk
    assert notifications_pending(now=now) == []


def test_an_unreachable_broker_leaves_the_rows_for_the_sweep(
    organization, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broker_down(ids):
        raise ConnectionError("broker down")

    monkeypatch.setattr(fan_out_tasks.fan_out_notifications, "delay", broker_down)
    with (
        caplog.at_level(logging.WARNING, logger="notifications.fan_out_tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        [row] = notifications_send(drafts=[(people(organization, 1)[0], draft())])
    assert "beat will send it" in caplog.text
    row.refresh_from_db()
    assert row.fanned_out_at is None  # still pending: beat's sweep takes it
    assert not EmailQueue.objects.exists()


# --- the writes that notify many -----------------------------------------------------------


@pytest.fixture
def instance(organization):
    journey = JourneyFactory(organization=organization)
    return MissionInstanceFactory(journey_week=JourneyWeekFactory(journey=journey))


@pytest.mark.parametrize("teachers", [1, 11])
def test_submitting_costs_the_same_for_one_teacher_or_eleven(
    instance, organization, teachers, django_assert_num_queries, fan_out
):
    people(organization, teachers, role=Role.TEACHER)
    author = UserJourneyFactory(journey=instance.journey).user
    with fan_out(), django_assert_num_queries(SUBMIT_QUERIES):
        post_submit(author=author, instance=instance, title="My essay")
    assert Notification.objects.filter(type="submission").count() == teachers


# Measured with one teacher; the test above proves it stays so with eleven.
SUBMIT_QUERIES = 12


@pytest.mark.parametrize("members", [2, 8])
def test_grading_a_team_post_costs_the_same_for_any_team_size(
    instance, organization, teacher, members, django_assert_num_queries
):
    instance.mission.mission_type = "team"
    instance.mission.save()
    team = TeamFactory(journey=instance.journey)
    enrolled = [UserJourneyFactory(journey=instance.journey).user for _ in range(members)]
    for person in enrolled:
        TeamMemberFactory(team=team, user=person)
    post = post_submit(author=enrolled[0], instance=instance, title="Our pitch")
    with django_assert_num_queries(GRADE_TEAM_QUERIES):
        post_grade(
            post=post, grader=teacher, achievement_status=AchievementStatus.ACHIEVED, score=10
        )
    assert Notification.objects.filter(type="grading").count() == members


GRADE_TEAM_QUERIES = 12


@pytest.mark.parametrize("mentioned", [1, 12])
def test_commenting_costs_the_same_for_one_mention_or_twelve(
    instance, organization, mentioned, django_assert_num_queries, fan_out
):
    from community.services import comment_create

    author, post_author = (UserJourneyFactory(journey=instance.journey).user for _ in range(2))
    post = post_submit(author=post_author, instance=instance, title="My essay")
    named = [
        UserJourneyFactory(
            journey=instance.journey, user__first_name=f"Name{number}", user__last_name="Kim"
        ).user
        for number in range(mentioned)
    ]
    text = " ".join(f"@{person.full_name}" for person in named) + " nice work"
    with fan_out(), django_assert_num_queries(COMMENT_QUERIES):
        comment_create(post=post, author=author, content=text)
    assert Notification.objects.filter(type="mention").count() == mentioned
    assert Notification.objects.filter(type="comment", receiver=post_author).count() == 1


# Measured with one mention; the test above proves it stays so with twelve.
COMMENT_QUERIES = 8
