"""Threat: guessing passwords through the log-in form.

One lock-out policy, django-axes: ``AXES_FAILURE_LIMIT`` failed log-ins for one
account from one client address lock that pair for ``AXES_COOLOFF_HOURS``;
while locked, even the right password is refused. allauth's own log-in limits
are off, so no second, differently-tuned mechanism answers first. OWASP ASVS
5.0 requirements: V6.1.1 / V6.3.1 (controls against credential stuffing and
brute force, documented and configured as documented), V4.1.3 (client address
from proxy headers only when the proxy is ours), V16.3.1 (lock-outs recorded).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import Client

pytestmark = pytest.mark.usefixtures("english")

LOGIN = "/accounts/login/"
ADDRESS = "203.0.113.50"


def attempt(email: str, password: str, address: str = ADDRESS, **headers):
    client = Client()
    response = client.post(
        LOGIN, {"login": email, "password": password}, REMOTE_ADDR=address, **headers
    )
    return response, "_auth_user_id" in client.session


def test_the_documented_numbers_are_the_settings():
    """ASVS 5.0 V6.1.1: README states the policy the code applies."""
    readme = (Path(django_settings.BASE_DIR) / "README.md").read_text()
    row = re.search(r"\| `AXES_FAILURE_LIMIT` \| `(\d+)` \|", readme)
    assert row and int(row.group(1)) == django_settings.AXES_FAILURE_LIMIT
    hours = re.search(r"\| `AXES_COOLOFF_HOURS` \| `([\d.]+)` \|", readme)
    assert hours and float(hours.group(1)) == float(django_settings.AXES_COOLOFF_TIME)
    # The one policy: allauth's log-in limits are off.
    from allauth.account import app_settings

    assert not app_settings.RATE_LIMITS.get("login_failed")
    assert not app_settings.RATE_LIMITS.get("login")


def test_failures_below_the_limit_never_block_the_right_password(student, password):
    """ASVS 5.0 V6.3.1: nothing but axes counts (allauth alone would refuse
    after five failures in five minutes)."""
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        response, logged_in = attempt(student.email, "wrong-password")
        assert response.status_code == 200 and not logged_in
    response, logged_in = attempt(student.email, password)
    assert response.status_code == 302 and logged_in


def test_at_the_limit_even_the_right_password_is_refused_until_unlocked(
    student, password, admin_user
):
    """ASVS 5.0 V6.3.1, V16.3.1: locked means locked; an admin can unlock."""
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        attempt(student.email, "wrong-password")
    response, logged_in = attempt(student.email, password)
    assert response.status_code == 429 and not logged_in
    assert int(response["Retry-After"]) == round(django_settings.AXES_COOLOFF_TIME * 3600)
    assert "even the right password is refused" in response.content.decode()
    assert AccessAttempt.objects.filter(username=student.email).exists()

    admin = Client()
    admin.force_login(admin_user)
    unlocked = admin.post(
        "/admin/accounts/profile/",
        {"action": "unlock_login", "_selected_action": [str(student.pk)]},
    )
    assert unlocked.status_code == 302
    response, logged_in = attempt(student.email, password)
    assert response.status_code == 302 and logged_in


def test_a_forged_forwarded_header_neither_resets_nor_moves_the_count(student, password):
    """ASVS 5.0 V4.1.3: without a trusted proxy, X-Forwarded-For is ignored."""
    for number in range(django_settings.AXES_FAILURE_LIMIT):
        attempt(student.email, "wrong-password", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ADDRESS}
    response, _ = attempt(student.email, password, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_client_address_is_the_proxys_entry(student, password, settings):
    """ASVS 5.0 V4.1.3: behind our proxy, each client has its own count, and
    what a client writes into the header's left part is ignored."""
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(django_settings.AXES_FAILURE_LIMIT):
        attempt(
            student.email,
            "wrong-password",
            address="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 198.51.100.30",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.30"}
    locked, _ = attempt(
        student.email, password, address="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.30"
    )
    assert locked.status_code == 429
    elsewhere, logged_in = attempt(
        student.email, password, address="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.31"
    )
    assert elsewhere.status_code == 302 and logged_in
