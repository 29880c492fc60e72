"""notification_send_grouped: one unread notification per type and link, rewritten
and moved to the top instead of a new row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import EmailQueue, Notification
from notifications.services import notification_send_grouped
from tests.factories import NotificationFactory


def send(receiver, message, link="/journeys/x/posts/1/", **extra):
    return notification_send_grouped(
        receiver=receiver, type="like", message=message, link=link, **extra
    )


def test_the_first_one_is_a_new_row(student):
    row = send(student, "Minji liked your post.")
    assert Notification.objects.get() == row
    assert row.message == "Minji liked your post."


def test_an_unread_one_is_rewritten_and_moved_to_the_top(student):
    first = send(student, "Minji liked your post.")
    Notification.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - dt.timedelta(days=2)
    )
    newer = NotificationFactory(receiver=student, type="comment")
    again = send(student, "Jiho and 1 other liked your post.", payload={"likes": 2})
    assert again.pk == first.pk
    assert Notification.objects.count() == 2
    top = Notification.objects.filter(receiver=student).order_by("-created_at").first()
    assert top.pk == first.pk and top.pk != newer.pk
    assert top.message == "Jiho and 1 other liked your post."
    assert '"likes": 2' in top.notification_json


def test_a_read_one_starts_a_new_group(student):
    first = send(student, "Minji liked your post.")
    Notification.objects.filter(pk=first.pk).update(read_at=timezone.now())
    second = send(student, "Jiho liked your post.")
    assert second.pk != first.pk
    assert Notification.objects.count() == 2


def test_groups_are_per_link_and_type(student):
    send(student, "a", link="/journeys/x/posts/1/")
    send(student, "b", link="/journeys/x/posts/2/")
    notification_send_grouped(
        receiver=student, type="comment", message="c", link="/journeys/x/posts/1/"
    )
    assert Notification.objects.count() == 3


def test_no_one_is_notified_of_their_own_action(student):
    assert send(student, "me", actor=student) is None
    assert not Notification.objects.exists()


def test_a_link_is_required_and_must_be_on_this_site(student):
    with pytest.raises(ValueError):
        send(student, "x", link="")
    with pytest.raises(ValueError):
        send(student, "x", link="https://evil.example/")
    assert not Notification.objects.exists()


def test_likes_send_no_email(student):
    send(student, "a")
    send(student, "b")
    assert not EmailQueue.objects.exists()
