"""Log-in lock-out (django-axes) through allauth's log-in page."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt

from accounts.lockout import lockout_clear

LOGIN_URL = "/accounts/login/"
LIMIT = 3


@pytest.fixture(autouse=True)
def axes_settings(settings):
    settings.LANGUAGE_CODE = "en"
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_USERNAME_CALLABLE = "accounts.lockout.axes_username"
    settings.AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
    # allauth's own log-in rate limit would answer first; this file tests axes.
    settings.ACCOUNT_RATE_LIMITS = False


def attempt(client, email: str, password: str, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": "203.0.113.7"}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(LOGIN_URL, {"login": email, "password": password}, **extra)


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_until_locked(client, email: str) -> None:
    for _ in range(LIMIT):
        response = attempt(client, email, "wrong-password")
        assert not is_logged_in(client)
    assert response.status_code in (200, 429)


def test_the_right_password_is_refused_once_locked_out(client, student, password):
    fail_until_locked(client, student.email)

    response = attempt(client, student.email, password)
    assert response.status_code == 429
    assert not is_logged_in(client)
    page = response.content.decode()
    assert "Too many failed log-ins" in page
    assert "Reset your password" in page


def test_failures_below_the_limit_do_not_lock(client, student, password):
    for _ in range(LIMIT - 1):
        assert attempt(client, student.email, "wrong-password").status_code == 200
    response = attempt(client, student.email, password)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_a_forged_x_forwarded_for_neither_resets_nor_bypasses_the_counter(
    client, student, password
):
    for number in range(LIMIT):
        attempt(client, student.email, "wrong-password", forwarded_for=f"198.51.100.{number}")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"

    response = attempt(client, student.email, password, forwarded_for="192.0.2.99")
    assert response.status_code == 429
    assert not is_logged_in(client)


def test_changing_the_case_of_the_address_does_not_reset_the_counter(client, student, password):
    for variant in ("Student@example.test", "STUDENT@example.test", "student@EXAMPLE.test"):
        attempt(client, variant, "wrong-password")
    assert attempt(client, student.email, password).status_code == 429


def test_the_lock_is_per_account_and_address(client, student, teacher, password):
    fail_until_locked(client, student.email)
    assert attempt(client, teacher.email, password).status_code == 302
    assert is_logged_in(client)


def test_a_successful_log_in_resets_the_count(client, student, password):
    for _ in range(LIMIT - 1):
        attempt(client, student.email, "wrong-password")
    assert attempt(client, student.email, password).status_code == 302
    client.post("/accounts/logout/")

    for _ in range(LIMIT - 1):
        attempt(client, student.email, "wrong-password")
    assert attempt(client, student.email, password).status_code == 302
    assert is_logged_in(client)


def test_lockout_clear_unlocks_the_account(client, student, password):
    fail_until_locked(client, student.email)
    assert attempt(client, student.email, password).status_code == 429

    assert lockout_clear(email="  Student@Example.TEST ") >= 1
    assert attempt(client, student.email, password).status_code == 302
    assert is_logged_in(client)


def test_lockout_clear_of_an_unlocked_account_removes_nothing(db, student):
    assert lockout_clear(email=student.email) == 0


def test_lockout_clear_needs_an_address(db):
    with pytest.raises(ValueError, match="e-mail"):
        lockout_clear(email="  ")
