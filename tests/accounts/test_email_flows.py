"""allauth's e-mail flows end to end: the mail goes through email_queue and a
real SMTP server, and the link in the received message is what we follow."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore

from accounts.models import Profile, Role
from notifications.email_delivery import email_queue_drain
from tests.factories import TEST_PASSWORD, ProfileFactory
from tests.notifications.smtp_server import smtp_delivery_fixture, smtp_server_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

PASSWORD = "Kettle-Orbit-93!"
NEW_PASSWORD = "Lantern-Quilt-58?"
CONFIRM_LINK = re.compile(r"https?://[^\s\"<>]+/accounts/confirm-email/[^\s\"<>]+")
RESET_LINK = re.compile(r"https?://[^\s\"<>]+/accounts/password/reset/key/[^\s\"<>]+")


@pytest.fixture(autouse=True)
def complete_profiles(student, teacher):
    # A profile without a phone is sent to finish it first (ProfileCompletionMiddleware).
    for person in (student, teacher):
        person.phone = "010-1234-5678"
        person.save(update_fields=["phone"])


@pytest.fixture(autouse=True)
def queue_backend(settings):
    settings.LANGUAGE_CODE = "en"
    settings.EMAIL_BACKEND = "notifications.email_backend.QueueEmailBackend"
    settings.ACCOUNT_RATE_LIMITS = False


def deliver_and_find(smtp_delivery, pattern: re.Pattern, *, recipient: str) -> str:
    """Drain the queue, read the newest mail to ``recipient`` from the SMTP
    server, and return the path of the link in it matching ``pattern``."""
    assert email_queue_drain().sent >= 1
    received = [mail for mail in smtp_delivery.wait_for(1) if recipient in mail.rcpt_tos]
    assert received, [mail.rcpt_tos for mail in smtp_delivery.received]
    match = pattern.search(received[-1].part("text/plain"))
    assert match, received[-1].part("text/plain")
    return urlsplit(match.group(0)).path


def log_in(client, email: str, password: str):
    return client.post("/accounts/login/", {"login": email, "password": password})


def logged_in_as(client) -> str | None:
    return client.session.get("_auth_user_id")


# --- sign-up and verification -----------------------------------------------------


def test_sign_up_verify_through_the_mailed_link_then_log_in(client, organization, smtp_delivery):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "Verify.Me@Example.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "last_name": "Kim",
            "first_name": "Minji",
            "phone": "01012345678",
            "organization": str(organization.pk),
            "privacy_agreed": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert logged_in_as(client) is None
    person = Profile.objects.get(email="verify.me@example.test")

    link = deliver_and_find(smtp_delivery, CONFIRM_LINK, recipient="verify.me@example.test")

    # Before confirming, a log-in is sent to allauth's "verify your e-mail" page.
    other = client_class()
    response = log_in(other, "verify.me@example.test", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert logged_in_as(other) is None

    page = client.get(link)
    assert page.status_code == 200
    assert b"verify.me@example.test" in page.content
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=person).verified is True

    fresh = client_class()
    response = log_in(fresh, "VERIFY.ME@example.test", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] != "/accounts/confirm-email/"
    assert logged_in_as(fresh) == str(person.pk)
    assert fresh.get("/accounts/password/change/").status_code == 200


def client_class():
    from django.test import Client

    return Client()


# --- password reset ------------------------------------------------------------------


def test_a_reset_link_from_the_mail_sets_a_new_password(client, smtp_delivery):
    person = ProfileFactory(email="forgetful@example.test", role=Role.USER, phone="02-123-4567")

    response = client.post("/accounts/password/reset/", {"email": "Forgetful@example.test"})
    assert response.status_code == 302
    link = deliver_and_find(smtp_delivery, RESET_LINK, recipient="forgetful@example.test")

    response = client.get(link)
    # allauth moves the key out of the address (into the session) first.
    assert response.status_code == 302
    set_password_url = response["Location"]
    assert client.get(set_password_url).status_code == 200
    response = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)

    # The link is spent.
    assert b"Bad Token" in client.get(link, follow=True).content or (
        client.get(link).status_code in (200, 302)
    )
    old = client_class()
    log_in(old, person.email, TEST_PASSWORD)
    assert logged_in_as(old) is None
    new = client_class()
    log_in(new, person.email, NEW_PASSWORD)
    assert logged_in_as(new) == str(person.pk)


# --- sessions ----------------------------------------------------------------------


def test_the_session_key_changes_on_log_in(client, student):
    before = client.session.session_key  # the test client makes an anonymous session
    assert before

    log_in(client, student.email, TEST_PASSWORD)

    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert logged_in_as(client) == str(student.pk)
    assert after != before
    assert not SessionStore().exists(before)


def test_a_password_change_keeps_this_session_and_ends_the_others(student):
    here, elsewhere = client_class(), client_class()
    log_in(here, student.email, TEST_PASSWORD)
    log_in(elsewhere, student.email, TEST_PASSWORD)
    assert elsewhere.get("/accounts/password/change/").status_code == 200

    response = here.post(
        "/accounts/password/change/",
        {"oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    student.refresh_from_db()
    assert student.check_password(NEW_PASSWORD)
    assert here.get("/accounts/password/change/").status_code == 200
    response = elsewhere.get("/accounts/password/change/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_wrong_current_password_changes_nothing(client, student):
    log_in(client, student.email, TEST_PASSWORD)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "not-my-password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "oldpassword" in response.context["form"].errors
    student.refresh_from_db()
    assert student.check_password(TEST_PASSWORD)


# --- e-mail change -------------------------------------------------------------------


def test_an_address_change_is_verified_by_mail_then_becomes_primary(client, student, smtp_delivery):
    log_in(client, student.email, TEST_PASSWORD)

    response = client.post(
        "/accounts/email/", {"action_add": "", "email": "Minji.New@Example.test"}
    )
    assert response.status_code == 302
    added = EmailAddress.objects.get(user=student, email="minji.new@example.test")
    assert added.verified is False
    student.refresh_from_db()
    assert student.email == "student@example.test"  # unchanged until verified

    link = deliver_and_find(smtp_delivery, CONFIRM_LINK, recipient="minji.new@example.test")
    assert client.post(link).status_code == 302

    added.refresh_from_db()
    if not added.primary:
        client.post("/accounts/email/", {"action_primary": "", "email": added.email})
        added.refresh_from_db()
    assert added.verified and added.primary
    student.refresh_from_db()
    assert student.email == "minji.new@example.test"
    fresh = client_class()
    log_in(fresh, "minji.new@example.test", TEST_PASSWORD)
    assert logged_in_as(fresh) == str(student.pk)


@pytest.mark.parametrize("address", ["teacher@example.test", "TEACHER@Example.Test"])
def test_an_address_of_another_person_is_refused(
    settings, client, student, teacher, address, smtp_delivery
):
    # Needs ACCOUNT_FORMS["add_email"] = "accounts.forms.AddEmailForm" in settings.
    settings.ACCOUNT_FORMS = {**settings.ACCOUNT_FORMS, "add_email": "accounts.forms.AddEmailForm"}
    log_in(client, student.email, TEST_PASSWORD)

    response = client.post("/accounts/email/", {"action_add": "", "email": address})

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "A user is already registered with this email address."
    ]
    assert not EmailAddress.objects.filter(user=student, email__iexact=address).exists()
    student.refresh_from_db()
    assert student.email == "student@example.test"
    email_queue_drain()
    assert smtp_delivery.received == []  # the address's owner is not bothered
