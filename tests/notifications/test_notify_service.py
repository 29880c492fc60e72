"""notification_send: one in-app row always, e-mail and push per preference."""

import json

import pytest
from django.db import transaction
from django.utils.translation import gettext_lazy

from notifications.models import EmailQueue, Notification, NotificationPreference
from notifications.services import notification_send


def send(receiver, **overrides):
    arguments = {"receiver": receiver, "type": "grading", "message": "Graded!", "link": "/home/"}
    return notification_send(**(arguments | overrides))


def test_it_writes_an_inbox_row_with_its_payload(student, teacher):
    notification = send(student, actor=teacher, payload={"score": 9})
    row = Notification.objects.get()
    assert row == notification
    assert (row.receiver, row.type, row.message, row.link) == (
        student,
        "grading",
        "Graded!",
        "/home/",
    )
    assert json.loads(row.notification_json) == {"score": 9}
    assert row.read_at is None


def test_nobody_is_notified_of_their_own_action(student):
    assert send(student, actor=student) is None
    assert not Notification.objects.exists()


def test_deactivated_people_are_not_notified(student):
    student.is_active = False
    assert send(student) is None
    assert not Notification.objects.exists()


def test_an_unknown_type_is_refused(student):
    with pytest.raises(ValueError, match="Unknown notification type"):
        send(student, type="party")
    assert not Notification.objects.exists()


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_a_link_off_the_site_is_refused(student, link):
    with pytest.raises(ValueError, match="path on this site"):
        send(student, link=link)
    assert not Notification.objects.exists()


def test_the_message_is_written_in_the_receivers_language(student, settings):
    settings.LANGUAGE_CODE = "ko"
    send(student, message=gettext_lazy("Log in"))
    assert Notification.objects.get().message == "로그인"


def test_the_email_follows_the_type_default(student, mailoutbox, fan_out):
    with fan_out():
        send(student, type="grading")  # e-mail on by default
        send(student, type="comment")  # e-mail off by default
    [mail] = mailoutbox
    assert student.email in mail.to[0]
    assert "Graded!" in mail.body
    html, mime = mail.alternatives[0]
    assert mime == "text/html" and "Graded!" in html
    assert "http://" in mail.body and "/home/" in mail.body  # an absolute link back


def test_a_person_who_turned_email_off_gets_none(student, mailoutbox, fan_out):
    NotificationPreference.objects.create(
        user=student, notification_type="grading", email=False, push=False
    )
    with fan_out():
        send(student)
    assert mailoutbox == []
    assert Notification.objects.get().fanned_out_at is not None  # the worker did decide
    assert Notification.objects.count() == 1  # in-app is always on


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_notifies_nobody(student, settings):
    settings.EMAIL_BACKEND = "notifications.email_backend.QueueEmailBackend"
    with pytest.raises(RuntimeError), transaction.atomic():
        send(student)
        raise RuntimeError("the grading failed after all")
    assert not Notification.objects.exists()
    assert not EmailQueue.objects.exists()


def test_the_email_goes_through_the_queue(student, settings, fan_out):
    settings.EMAIL_BACKEND = "notifications.email_backend.QueueEmailBackend"
    with fan_out():
        notification = send(student)
    row = EmailQueue.objects.get()
    assert row.recipient_email == student.email
    assert row.content_ref_id == notification.pk
    assert "Graded!" in row.content and "Graded!" in row.html_content
