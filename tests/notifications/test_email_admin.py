"""The e-mail queue in Django admin: status filter, search, read-only rows, "Retry now"."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from notifications.models import EmailQueue, EmailStatus

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:notifications_emailqueue_changelist")


def change_url(row: EmailQueue) -> str:
    return reverse("admin:notifications_emailqueue_change", args=[row.pk])


@pytest.fixture
def operator(superuser) -> Client:
    # English pages, so the texts below stay right once they are translated.
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(superuser)
    return client


@pytest.fixture
def rows() -> dict[str, EmailQueue]:
    now = timezone.now()

    def row(status: str, **fields) -> EmailQueue:
        return EmailQueue.objects.create(
            recipient_email=f"{status}@example.test",
            recipient_name=f"{status.title()} Person",
            subject=f"The {status} one",
            content="Body",
            **fields,
        )

    return {
        "pending": row("pending"),
        "sent": row("sent", processed=True, processed_at=now, status_code=250),
        "failed": row(
            "failed",
            processed=True,
            processed_at=now,
            failed_at=now,
            status_code=550,
            retry_count=1,
            error_message="SMTPRecipientsRefused: 550 5.1.1 No such user here",
        ),
    }


@pytest.mark.parametrize("status", ["pending", "sent", "failed"])
def test_the_status_filter_shows_only_those_rows(operator, rows, status):
    response = operator.get(CHANGELIST, {"status": status})

    assert response.status_code == 200
    shown = {row.pk for row in response.context["cl"].result_list}
    assert shown == {rows[status].pk}
    content = response.content.decode()
    assert change_url(rows[status]) in content
    with translation.override("en"):
        assert f'<td class="field-status">{EmailStatus(status).label}</td>' in content


def test_search_finds_by_recipient_address_and_name(operator, rows):
    by_address = operator.get(CHANGELIST, {"q": "failed@example.test"})
    by_name = operator.get(CHANGELIST, {"q": "Sent Person"})

    assert [row.pk for row in by_address.context["cl"].result_list] == [rows["failed"].pk]
    assert [row.pk for row in by_name.context["cl"].result_list] == [rows["sent"].pk]


def test_retry_now_puts_a_failed_row_back_in_the_queue(operator, rows):
    failed = rows["failed"]

    response = operator.post(
        CHANGELIST,
        {"action": "retry_now", "_selected_action": [failed.pk, rows["sent"].pk]},
        follow=True,
    )

    assert response.status_code == 200
    failed.refresh_from_db()
    assert failed.status == EmailStatus.PENDING
    assert (failed.retry_count, failed.failed_at) == (0, None)
    assert failed.next_attempt_at <= timezone.now()
    rows["sent"].refresh_from_db()
    assert rows["sent"].status == EmailStatus.SENT
    shown = [str(message) for message in response.context["messages"]]
    assert "1 e-mail will be sent again shortly." in shown[0]
    assert "1 e-mail was left alone" in shown[1]


def test_rows_are_read_only_and_cannot_be_added(operator, rows):
    failed = rows["failed"]

    page = operator.get(change_url(failed))
    assert page.status_code == 200
    content = page.content.decode()
    assert "No such user here" in content
    assert 'name="_save"' not in content
    assert 'name="subject"' not in content

    operator.post(change_url(failed), {"subject": "Forged", "processed": "on"})
    failed.refresh_from_db()
    assert failed.subject == "The failed one"

    add_url = reverse("admin:notifications_emailqueue_add")
    assert operator.get(add_url).status_code == 403


def test_organization_admins_do_not_see_the_queue(admin_user, rows):
    client = Client()
    client.force_login(admin_user)

    assert client.get(CHANGELIST).status_code == 403
    # A platform table's row answers like a missing one (SuperuserOnlyAdmin).
    assert client.get(change_url(rows["failed"])).status_code == 404
    client.post(CHANGELIST, {"action": "retry_now", "_selected_action": [rows["failed"].pk]})
    rows["failed"].refresh_from_db()
    assert rows["failed"].status == EmailStatus.FAILED
