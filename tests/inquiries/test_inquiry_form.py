"""The public inquiry form (/inquiry/): anyone may ask, the operators are mailed
through the queue after the commit, and bad input, robots and floods store nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inquiries import tasks
from inquiries.models import Inquiry, InquiryStatus
from notifications.models import EmailQueue
from tests.factories import ProfileFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

URL = "/inquiry/"


def answers(**changes) -> dict:
    data = {
        "name": "Lee Sujin",
        "phone": "01023456789",
        "automation_needs": "Attendance messages to parents, every day.",
        "current_tools": "KakaoTalk, Google Sheets",
        "tool_issues": "We check by hand who came.",
        "privacy_agreed": "on",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture(autouse=True)
def email_queue_backend(settings):
    # pytest-django swaps EMAIL_BACKEND for locmem in every test; ours writes email_queue.
    settings.EMAIL_BACKEND = "notifications.email_backend.QueueEmailBackend"


@pytest.fixture
def queued(monkeypatch) -> list[tuple]:
    """The operator-mail tasks queued (not run): what a worker would receive."""
    sent: list[tuple] = []
    monkeypatch.setattr(tasks.notify_operators_of_inquiry, "delay", lambda *a: sent.append(a))
    return sent


def test_the_form_renders_for_anyone(client):
    response = client.get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="automation_needs"' in content
    assert 'name="privacy_agreed"' in content
    # The honeypot is there for robots, labelled for screen-reader users.
    assert 'name="website"' in content
    assert "Leave this field empty" in content


def test_the_form_also_works_for_a_signed_in_person(client, student, queued):
    client.force_login(student)

    response = client.post(URL, answers())

    assert response.status_code == 302
    assert Inquiry.objects.count() == 1


def test_contact_redirects_permanently_to_the_form(client):
    response = client.get("/contact/")

    assert response.status_code == 301
    assert response["Location"] == reverse("inquiries:inquiry")


def test_an_inquiry_is_stored_and_the_operators_are_mailed_through_the_queue_after_commit(
    client, superuser, queued, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://lms.example.kr"
    second = ProfileFactory(is_superuser=True, email="second-operator@example.test")
    ProfileFactory(is_superuser=True, is_active=False, email="retired@example.test")
    ProfileFactory(email="not-an-operator@example.test")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, answers())

    assert response.status_code == 302
    assert response["Location"] == reverse("inquiries:thanks")
    inquiry = Inquiry.objects.get()
    assert inquiry.status == InquiryStatus.PENDING
    assert inquiry.phone == "010-2345-6789"  # normalised like sign-up
    assert inquiry.privacy_agreed_at is not None
    assert inquiry.current_tools == "KakaoTalk, Google Sheets"
    # The request only queued the task; no mail was written inside it.
    assert queued == [(str(inquiry.pk),)]
    assert not EmailQueue.objects.exists()

    # The worker's side: one queued e-mail per active operator.
    assert tasks.notify_operators_of_inquiry(*queued[0]) == 2
    mails = {mail.recipient_email: mail for mail in EmailQueue.objects.all()}
    assert set(mails) == {superuser.email, second.email}
    mail = mails[superuser.email]
    assert "Lee Sujin" in mail.subject
    assert "010-2345-6789" in mail.content
    assert "Attendance messages to parents" in mail.content
    admin_url = reverse("admin:inquiries_inquiry_change", args=[inquiry.pk])
    assert f"https://lms.example.kr{admin_url}" in mail.content
    assert mail.content_ref_id == inquiry.pk


def test_the_thank_you_page_thanks(client, queued):
    response = client.post(URL, answers(), follow=True)

    assert response.redirect_chain[-1][0] == reverse("inquiries:thanks")
    assert "Thank you!" in response.content.decode()


def test_the_request_costs_the_same_whatever_the_number_of_operators(client, queued, superuser):
    def queries_of_one_post(phone: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.post(URL, answers(phone=phone))
        assert response.status_code == 302
        return len(queries)

    with_one = queries_of_one_post("010-1111-2222")
    for number in range(6):
        ProfileFactory(is_superuser=True, email=f"operator{number}@example.test")
    with_seven = queries_of_one_post("010-3333-4444")

    assert with_seven == with_one


def test_a_mail_subject_stays_one_line_whatever_the_name(
    client, superuser, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, answers(name="Robot\r\nBcc: victim@example.test"))

    tasks.notify_operators_of_inquiry(*queued[0])
    mail = EmailQueue.objects.get()
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert mail.recipient_email == superuser.email


# --- bad input: a clear message, nothing stored, nothing sent ------------------------


def assert_refused(response, field: str, message: str, queued) -> None:
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors.get(field, []))
    assert message in response.content.decode()
    assert not Inquiry.objects.exists()
    assert queued == []


def test_missing_fields_are_each_named(client, queued):
    response = client.post(
        URL, answers(name="", phone="", automation_needs="", privacy_agreed=None)
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"name", "phone", "automation_needs", "privacy_agreed"}
    assert not Inquiry.objects.exists()
    assert queued == []


def test_a_name_of_blanks_is_missing(client, queued):
    response = client.post(URL, answers(name="   "))

    assert_refused(response, "name", "This field is required.", queued)


def test_a_phone_that_is_not_korean_is_refused(client, queued):
    response = client.post(URL, answers(phone="12345"))

    assert_refused(response, "phone", "Enter a Korean phone number", queued)


def test_a_10000_character_answer_is_refused(client, queued):
    response = client.post(URL, answers(automation_needs="a" * 10_000))

    assert_refused(
        response, "automation_needs", "Ensure this value has at most 2000 characters", queued
    )


def test_an_overlong_optional_answer_is_refused_too(client, queued):
    response = client.post(URL, answers(tool_issues="b" * 2001))

    assert_refused(response, "tool_issues", "at most 2000 characters", queued)


def test_no_consent_no_inquiry(client, queued):
    response = client.post(URL, answers(privacy_agreed=None))

    assert_refused(
        response, "privacy_agreed", "Please agree to the collection of your details.", queued
    )


def test_a_filled_honeypot_looks_like_success_but_stores_and_sends_nothing(
    client, superuser, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(URL, answers(website="https://spam.example"))

    assert response.status_code == 302
    assert response["Location"] == reverse("inquiries:thanks")
    assert not Inquiry.objects.exists()
    assert callbacks == []
    assert queued == []
    assert not EmailQueue.objects.exists()


def test_a_robot_gets_thanks_even_when_the_rest_is_nonsense(client, queued):
    response = client.post(URL, {"website": "x", "phone": "nope"})

    assert response.status_code == 302
    assert not Inquiry.objects.exists()


def test_the_sixth_inquiry_in_an_hour_from_one_address_is_refused(
    client, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(5):
            response = client.post(URL, answers(phone=f"010-1234-{number:04d}"))
            assert response.status_code == 302

        response = client.post(URL, answers(phone="010-9999-9999"))

    assert response.status_code == 429
    assert "Retry-After" in response
    assert Inquiry.objects.count() == 5
    assert len(queued) == 5


def test_a_form_sent_back_with_errors_does_not_spend_the_budget(client, queued):
    for _ in range(6):
        client.post(URL, answers(phone="nope"))

    response = client.post(URL, answers())

    assert response.status_code == 302
    assert Inquiry.objects.count() == 1
