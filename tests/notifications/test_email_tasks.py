"""The drain task: a full batch queues the next one, so a backlog empties at once."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail import send_mail

from notifications.email_tasks import drain_email_queue
from notifications.models import EmailQueue
from sqeeze.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_celery():
    # Eager: .delay() runs the task right here, so the chain can be watched.
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = False


def test_a_full_batch_queues_another_drain(settings, eager_celery):
    settings.EMAIL_BACKEND = "notifications.email_backend.QueueEmailBackend"
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_QUEUE_BATCH_SIZE = 2
    for n in range(5):
        send_mail(f"Mail {n}", "Body", None, [f"person{n}@example.test"])

    counts = drain_email_queue()

    # This run sent one batch; the drains it queued sent the rest.
    assert counts == {"sent": 2, "retried": 0, "failed": 0}
    assert EmailQueue.objects.pending().count() == 0
    assert sorted(message.subject for message in mail.outbox) == [f"Mail {n}" for n in range(5)]
