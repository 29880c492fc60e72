"""Web push delivery against a real (local) push service that decrypts every
message and verifies its VAPID signature (tests/notifications/push_endpoint.py)."""

from __future__ import annotations

import socket
import uuid
from unittest import mock

import pytest
from django.conf import settings
from django.utils import translation

from notifications.models import Subscription
from notifications.push_delivery import (
    PUSH_MAX_RETRIES,
    PushOutcome,
    push_deliver,
    push_retry_delay,
)
from notifications.push_services import push_queue, push_subscription_save
from notifications.push_tasks import send_push
from notifications.services import notification_send
from notifications.types import NOTIFICATION_TYPES
from tests.factories import NotificationFactory, ProfileFactory
from tests.notifications.push_endpoint import (  # noqa: F401 - fixtures
    push_service_fixture,
    vapid_fixture,
)

pytestmark = pytest.mark.django_db


def subscribe(user, browser) -> Subscription:
    return push_subscription_save(
        user=user, subscription_json=browser.subscription, user_agent="Mozilla/5.0 Chrome/130.0"
    )


def label(key: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(NOTIFICATION_TYPES[key].label)


@pytest.fixture
def eager_celery():
    """``delay`` runs the task here and now, as a worker would (the real-worker test
    lives elsewhere)."""
    conf = send_push.app.conf
    before = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = before


def test_a_sent_notification_arrives_decrypted_with_a_valid_vapid_signature(
    vapid, push_service, student, django_capture_on_commit_callbacks, eager_celery
):
    browser = push_service.browser()
    subscribe(student, browser)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notification_send(
            receiver=student,
            type="comment",
            message="지수 님이 댓글을 남겼어요: Nice work!",
            link="/journeys/1/posts/2/",
        )

    # When the transaction commits the fan-out runs (the worker's part), and it
    # queues one push task when its own transaction commits.
    assert len(callbacks) == 2
    assert push_service.errors == []
    [message] = push_service.received_by(browser)
    assert message.status == 201
    assert message.payload == {
        "title": label("comment"),
        "body": "지수 님이 댓글을 남겼어요: Nice work!",
        "url": "https://sqeeze.example/journeys/1/posts/2/",
        "icon": "https://sqeeze.example/static/icons/sqeeze-192.png",
        "tag": str(notification.pk),
    }
    assert message.vapid_key == vapid["public"]
    assert message.claims["aud"] == push_service.origin
    assert message.claims["sub"] == "mailto:push-test@sqeeze.test"
    assert int(message.headers["ttl"]) > 0


def test_without_a_link_the_push_opens_the_inbox(vapid, push_service, student):
    browser = push_service.browser()
    subscribe(student, browser)
    notification = NotificationFactory(receiver=student, type="grading", link=None)

    result = send_push.apply(args=[str(notification.pk)])

    assert result.get() == {"sent": 1, "gone": 0, "dropped": 0, "retry": 0, "skipped": 0}
    [message] = push_service.received_by(browser)
    assert message.payload["url"] == "https://sqeeze.example/notifications/"
    assert message.payload["title"] == label("grading")
    assert push_service.errors == []


def test_every_browser_of_the_receiver_gets_it_and_nobody_else(vapid, push_service, student):
    laptop, phone, strangers = (push_service.browser() for _ in range(3))
    subscribe(student, laptop)
    subscribe(student, phone)
    subscribe(ProfileFactory(organization=student.organization), strangers)
    notification = NotificationFactory(receiver=student)

    send_push.apply(args=[str(notification.pk)])

    assert len(push_service.received_by(laptop)) == 1
    assert len(push_service.received_by(phone)) == 1
    assert push_service.received_by(strangers) == []
    assert push_service.errors == []


@pytest.mark.parametrize("status", [410, 404])
def test_a_browser_the_push_service_forgot_is_deleted(vapid, push_service, student, status):
    browser = push_service.browser()
    subscription = subscribe(student, browser)
    push_service.answer(browser, status)
    notification = NotificationFactory(receiver=student)

    result = push_deliver(subscription_id=subscription.pk, notification_id=notification.pk)

    assert result.outcome is PushOutcome.GONE
    assert result.status == status
    assert not Subscription.objects.filter(pk=subscription.pk).exists()
    assert push_service.errors == []


def test_the_task_deletes_a_gone_browser_and_keeps_the_others(vapid, push_service, student):
    gone, kept = push_service.browser(), push_service.browser()
    gone_row, kept_row = subscribe(student, gone), subscribe(student, kept)
    push_service.answer(gone, 410)
    notification = NotificationFactory(receiver=student)

    counts = send_push.apply(args=[str(notification.pk)]).get()

    assert counts["sent"] == 1 and counts["gone"] == 1
    assert list(Subscription.objects.filter(user=student)) == [kept_row]
    assert not Subscription.objects.filter(pk=gone_row.pk).exists()


@pytest.mark.parametrize(("status", "retry_after"), [(429, 120), (500, None), (503, None)])
def test_a_busy_or_failing_push_service_means_retry_later_and_the_browser_stays(
    vapid, push_service, student, status, retry_after
):
    browser = push_service.browser()
    subscription = subscribe(student, browser)
    push_service.answer(browser, status)
    notification = NotificationFactory(receiver=student)

    result = push_deliver(subscription_id=subscription.pk, notification_id=notification.pk)

    assert result.outcome is PushOutcome.RETRY
    assert result.status == status
    assert result.retry_after == retry_after
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_no_answer_at_all_means_retry_later(vapid, student):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}/push/nobody-home"
    from tests.notifications.push_endpoint import PushEndpoint

    service = PushEndpoint()
    try:
        browser = service.browser()
    finally:
        service.close()
    subscription = push_subscription_save(
        user=student,
        subscription_json={**browser.subscription, "endpoint": endpoint},
        user_agent="",
    )
    notification = NotificationFactory(receiver=student)

    result = push_deliver(subscription_id=subscription.pk, notification_id=notification.pk)

    assert result.outcome is PushOutcome.RETRY
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_the_task_retries_only_the_browser_that_failed(vapid, push_service, student):
    fine, flaky = push_service.browser(), push_service.browser()
    subscribe(student, fine)
    subscribe(student, flaky)
    push_service.answer(flaky, 500, 429)  # two failures, then 201
    notification = NotificationFactory(receiver=student)

    with mock.patch.object(send_push, "retry", wraps=send_push.retry) as retry:
        result = send_push.apply(args=[str(notification.pk)])

    assert result.successful()
    assert [item.status for item in push_service.received_by(fine)] == [201]
    assert [item.status for item in push_service.received_by(flaky)] == [500, 429, 201]
    flaky_id = str(Subscription.objects.get(endpoint=flaky.endpoint).pk)
    assert [call.kwargs["kwargs"] for call in retry.call_args_list] == [
        {"subscription_ids": [flaky_id]},
        {"subscription_ids": [flaky_id]},
    ]
    # Backoff: 30 s first; the second honours the push service's Retry-After of 120 s.
    assert [call.kwargs["countdown"] for call in retry.call_args_list] == [30, 120]
    assert push_service.errors == []


def test_the_task_gives_up_after_the_last_retry_and_keeps_the_browser(vapid, push_service, student):
    browser = push_service.browser()
    subscription = subscribe(student, browser)
    push_service.answer(browser, *[503] * (PUSH_MAX_RETRIES + 3))
    notification = NotificationFactory(receiver=student)

    result = send_push.apply(args=[str(notification.pk)])

    assert result.successful()
    assert result.get()["retry"] == 1
    assert len(push_service.received_by(browser)) == 1 + PUSH_MAX_RETRIES
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_retry_delays_grow_and_respect_retry_after_up_to_an_hour():
    assert [push_retry_delay(retries=n) for n in range(6)] == [30, 60, 120, 240, 480, 960]
    assert push_retry_delay(retries=0, retry_after=300) == 300
    assert push_retry_delay(retries=20) == 3600
    assert push_retry_delay(retries=0, retry_after=10**6) == 3600


@pytest.mark.parametrize("status", [400, 401, 403, 413])
def test_other_refusals_drop_the_message_but_keep_the_browser(vapid, push_service, student, status):
    browser = push_service.browser()
    subscription = subscribe(student, browser)
    push_service.answer(browser, status)
    notification = NotificationFactory(receiver=student)

    result = push_deliver(subscription_id=subscription.pk, notification_id=notification.pk)

    assert result.outcome is PushOutcome.DROPPED
    assert Subscription.objects.filter(pk=subscription.pk).exists()


@pytest.mark.parametrize("status", [301, 307, 308])
def test_a_redirect_is_never_followed(vapid, push_service, student, status):
    browser = push_service.browser()
    subscription = subscribe(student, browser)
    push_service.answer(browser, status)
    notification = NotificationFactory(receiver=student)

    result = push_deliver(subscription_id=subscription.pk, notification_id=notification.pk)

    assert result.outcome is PushOutcome.DROPPED
    assert len(push_service.received) == 1  # nothing went to /elsewhere
    assert push_service.errors == []


def test_a_vanished_notification_sends_nothing(vapid, push_service, student):
    browser = push_service.browser()
    subscription = subscribe(student, browser)
    notification = NotificationFactory(receiver=student)
    notification_id = str(notification.pk)
    notification.delete()

    counts = send_push.apply(args=[notification_id]).get()
    result = push_deliver(subscription_id=subscription.pk, notification_id=notification_id)

    assert counts == {"sent": 0, "gone": 0, "dropped": 0, "retry": 0, "skipped": 0}
    assert result.outcome is PushOutcome.SKIPPED
    assert push_service.received == []
    assert send_push.apply(args=[str(uuid.uuid4())]).get()["sent"] == 0


def test_a_subscription_the_ssrf_rule_now_refuses_is_deleted_unsent(
    vapid, push_service, student, settings
):
    browser = push_service.browser()
    subscription = subscribe(student, browser)
    settings.WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS = False  # as in production
    notification = NotificationFactory(receiver=student)

    result = push_deliver(subscription_id=subscription.pk, notification_id=notification.pk)

    assert result.outcome is PushOutcome.GONE
    assert push_service.received == []
    assert not Subscription.objects.filter(pk=subscription.pk).exists()


def test_nothing_is_sent_when_push_is_switched_off(vapid, push_service, student, settings):
    browser = push_service.browser()
    subscription = subscribe(student, browser)
    settings.VAPID_PRIVATE_KEY = ""
    notification = NotificationFactory(receiver=student)

    result = push_deliver(subscription_id=subscription.pk, notification_id=notification.pk)

    assert result.outcome is PushOutcome.SKIPPED
    assert push_service.received == []


# --- push_queue: what the notification service calls ---------------------------------


def test_push_queue_queues_the_task_on_commit(
    vapid, push_service, student, django_capture_on_commit_callbacks
):
    subscribe(student, push_service.browser())
    notification = NotificationFactory(receiver=student)

    with (
        mock.patch.object(send_push, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        push_queue([notification])
        assert delay.call_count == 0  # not before the transaction commits

    assert len(callbacks) == 1
    delay.assert_called_once_with(str(notification.pk))
    assert send_push.name == "notifications.send_push"


def test_push_queue_queues_nothing_when_push_is_not_configured(
    settings, push_service, student, django_capture_on_commit_callbacks
):
    settings.WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS = True
    subscribe(student, push_service.browser())
    settings.VAPID_PUBLIC_KEY = ""
    settings.VAPID_PRIVATE_KEY = ""
    notification = NotificationFactory(receiver=student)

    with django_capture_on_commit_callbacks() as callbacks:
        push_queue([notification])

    assert callbacks == []


def test_push_queue_queues_nothing_for_someone_without_a_browser(
    vapid, student, teacher, push_service, django_capture_on_commit_callbacks
):
    subscribe(teacher, push_service.browser())  # someone else's browser does not count
    notification = NotificationFactory(receiver=student)

    with django_capture_on_commit_callbacks() as callbacks:
        push_queue([notification])

    assert callbacks == []
