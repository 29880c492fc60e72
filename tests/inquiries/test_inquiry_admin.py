"""Inquiries in Django admin: only platform operators see them; they move along
pending → processing → completed | cancelled, and export as a CSV Excel reads."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from inquiries.models import Inquiry, InquiryStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CHANGELIST = "/admin/inquiries/inquiry/"


def logged_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def operator(superuser) -> Client:
    return logged_in(superuser)


def an_inquiry(**fields) -> Inquiry:
    defaults = {"name": "Lee Sujin", "phone": "010-2345-6789", "automation_needs": "Attendance"}
    return Inquiry.objects.create(**{**defaults, **fields})


def change_url(inquiry: Inquiry) -> str:
    return reverse("admin:inquiries_inquiry_change", args=[inquiry.pk])


def run_action(client: Client, action: str, *inquiries: Inquiry):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [str(inquiry.pk) for inquiry in inquiries]},
        follow=True,
    )


def test_the_operator_filters_by_status(operator):
    waiting = an_inquiry(name="Waiting Kim")
    done = an_inquiry(name="Done Park", status=InquiryStatus.COMPLETED)

    content = operator.get(CHANGELIST, {"status__exact": "pending"}).content.decode()

    assert change_url(waiting) in content
    assert change_url(done) not in content


def test_the_change_page_shows_the_request_read_only_with_its_timestamps(operator):
    inquiry = an_inquiry()

    response = operator.get(change_url(inquiry))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="automation_needs"' not in content  # what the visitor wrote stays
    assert 'name="notes"' in content
    for label in ("Created at", "Status changed at", "Updated at", "Privacy consent given at"):
        assert label in content


def test_an_operator_moves_an_inquiry_on_and_keeps_notes(operator):
    inquiry = an_inquiry()

    response = operator.post(
        change_url(inquiry), {"status": "processing", "notes": "Called back, demo on Friday."}
    )

    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.PROCESSING
    assert inquiry.notes == "Called back, demo on Friday."
    assert inquiry.status_changed_at is not None


def test_the_change_page_offers_only_the_moves_the_workflow_allows(operator):
    inquiry = an_inquiry(status=InquiryStatus.COMPLETED)

    form = operator.get(change_url(inquiry)).context["adminform"].form
    assert [value for value, _label in form.fields["status"].choices] == [
        "processing",
        "completed",
    ]

    response = operator.post(change_url(inquiry), {"status": "pending", "notes": ""})

    assert response.status_code == 200  # the form comes back with the error
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.COMPLETED
    assert inquiry.status_changed_at is None


def test_status_actions_move_what_the_workflow_allows_and_say_what_they_skipped(operator):
    pending = an_inquiry(name="Pending")
    processing = an_inquiry(name="Processing", status=InquiryStatus.PROCESSING)
    cancelled = an_inquiry(name="Cancelled", status=InquiryStatus.CANCELLED)

    response = run_action(operator, "set_status_completed", pending, processing, cancelled)

    statuses = {row.name: row.status for row in Inquiry.objects.all()}
    assert statuses == {"Pending": "completed", "Processing": "completed", "Cancelled": "cancelled"}
    messages = [str(message) for message in response.context["messages"]]
    assert "2 inquiries set to “Completed”." in messages
    assert any("1 inquiry was left as it was" in message for message in messages)


def test_the_csv_export_opens_in_excel_with_korean_intact_and_formulas_neutralised(operator):
    an_inquiry(
        name="이수진",
        automation_needs='=HYPERLINK("https://evil.example","click")',
        current_tools="+82 tools",
        tool_issues="-1 problem",
        notes="@SUM(A1)",
    )
    an_inquiry(name="Plain Park", automation_needs="Weekly reports")

    response = run_action(operator, "export_inquiries_csv", *Inquiry.objects.all())

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="inquiries-')
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")  # the UTF-8 byte order mark Excel needs
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Received", "Status", "Name", "Phone"]
    korean = next(row for row in rows[1:] if row[2] == "이수진")
    assert korean[1] == "Pending"
    assert korean[4] == '\'=HYPERLINK("https://evil.example","click")'
    assert korean[5] == "'+82 tools"
    assert korean[6] == "'-1 problem"
    assert korean[7] == "'@SUM(A1)"
    plain = next(row for row in rows[1:] if row[2] == "Plain Park")
    assert plain[4] == "Weekly reports"


@pytest.mark.parametrize("person", ["admin_user", "teacher", "student"])
def test_nobody_but_an_operator_sees_inquiries(request, person):
    client = logged_in(request.getfixturevalue(person))
    inquiry = an_inquiry()

    for url in (CHANGELIST, change_url(inquiry)):
        response = client.get(url)
        # An academy admin is refused (403/404); others never pass the admin's door.
        assert response.status_code in (302, 403, 404), url
        assert "Lee Sujin" not in response.content.decode()
    export = run_action(client, "export_inquiries_csv", inquiry)
    assert b"Lee Sujin" not in export.content


def test_an_academy_admin_cannot_move_an_inquiry(admin_user):
    client = logged_in(admin_user)
    inquiry = an_inquiry()

    response = client.post(change_url(inquiry), {"status": "cancelled", "notes": "mine now"})

    assert response.status_code in (403, 404)
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.notes) == (InquiryStatus.PENDING, None)
