"""Threat: floods of anonymous writes (accounts, mails, sessions) from one client.

Sign-up, password reset, verification mails and invite links are open to
anyone; each client address has a budget per period (``settings.RATE_LIMITS``),
counted in Redis so that every process shares it. OWASP ASVS 5.0
requirements: V2.4.1 (anti-automation controls against excessive calls that
would exhaust resources or flood mail), V6.3.1 / V6.1.1 (the account-creation
side of credential attacks), V4.1.3 (headers such as X-Forwarded-For are
trusted only from our own proxies), V16.5.1 (a clear, generic error).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import connection
from django.test import Client

from accounts.models import Profile
from core.ratelimit import parse_rate, rate_limit_hit
from journeys.models import Journey
from tests.factories import ProfileFactory

PASSWORD = "a-long-and-unusual-passphrase-7"
ADDRESS = "203.0.113.9"


def signup_data(organization, number: int, **extra) -> dict:
    return {
        "email": f"flood{number}@example.test",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "last_name": "Kim",
        "first_name": "Bora",
        "phone": "010-1234-5678",
        "organization": str(organization.pk),
        "privacy_agreed": "on",
        **extra,
    }


def sign_up(client, organization, number: int, address: str = ADDRESS, **headers):
    return client.post(
        "/accounts/signup/", signup_data(organization, number), REMOTE_ADDR=address, **headers
    )


@pytest.fixture
def signups_per_hour(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": "5/h"}
    return 5


# --- sign-up --------------------------------------------------------------------------


def test_the_sixth_sign_up_in_an_hour_is_refused_and_creates_nothing(
    client, organization, signups_per_hour, mailoutbox
):
    """ASVS 5.0 V2.4.1: at most five accounts per client address and hour."""
    for number in range(signups_per_hour):
        assert sign_up(Client(), organization, number).status_code == 302
    assert len(mailoutbox) == signups_per_hour

    response = sign_up(Client(), organization, 99)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Profile.objects.count() == signups_per_hour
    assert len(mailoutbox) == signups_per_hour
    # The page speaks the person's language: Korean by default ...
    assert "요청이 너무 많아요" in response.content.decode()
    # ... English when the browser asks for it.
    english = sign_up(Client(), organization, 100, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 429
    assert "Too many attempts" in english.content.decode()
    assert "student import" in english.content.decode()  # the way for a whole class


def test_another_address_has_its_own_budget(client, organization, signups_per_hour):
    """ASVS 5.0 V2.4.1: the budget is per client, not one for the whole site."""
    for number in range(signups_per_hour):
        sign_up(Client(), organization, number)
    assert sign_up(Client(), organization, 50, address="198.51.100.20").status_code == 302


def test_a_form_with_errors_does_not_spend_the_budget(client, organization, signups_per_hour):
    """ASVS 5.0 V2.4.1: a person fixing typos is not locked out by them."""
    for _ in range(signups_per_hour * 2):
        bad = Client().post(
            "/accounts/signup/",
            signup_data(organization, 0, phone="not a phone"),
            REMOTE_ADDR=ADDRESS,
        )
        assert bad.status_code == 200
    assert sign_up(Client(), organization, 1).status_code == 302


def test_a_forged_x_forwarded_for_buys_no_new_budget(client, organization, signups_per_hour):
    """ASVS 5.0 V4.1.3: without a trusted proxy the header is ignored."""
    for number in range(signups_per_hour + 3):
        response = sign_up(Client(), organization, number, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    assert response.status_code == 429
    assert Profile.objects.count() == signups_per_hour


def test_behind_a_trusted_proxy_only_the_proxys_entry_counts(
    client, organization, signups_per_hour, settings
):
    """ASVS 5.0 V4.1.3: with one proxy, the last X-Forwarded-For entry is the
    client; what the client wrote to its left changes nothing."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for number in range(signups_per_hour + 2):
        response = sign_up(
            Client(),
            organization,
            number,
            address=proxy,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 198.51.100.7",
        )
    assert response.status_code == 429
    other_client = sign_up(
        Client(), organization, 60, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.8"
    )
    assert other_client.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_parallel_sign_ups_cannot_squeeze_past_the_limit(signups_per_hour):
    """ASVS 5.0 V2.4.1: the count is taken atomically before the work."""
    from tests.factories import OrganizationFactory

    organization = OrganizationFactory()
    statuses: list[int] = []
    barrier = threading.Barrier(12)

    def attempt(number: int) -> None:
        barrier.wait()
        try:
            statuses.append(sign_up(Client(), organization, number).status_code)
        finally:
            connection.close()  # each thread's own; left open, it outlives the test

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses).count(302) == signups_per_hour
    assert statuses.count(429) == 12 - signups_per_hour
    assert Profile.objects.count() == signups_per_hour


def test_the_budget_is_shared_with_other_processes(client, organization, signups_per_hour):
    """ASVS 5.0 V2.4.1: another process (a second web worker) spends the same
    Redis budget: a separate Python process uses it up, and this one is refused."""
    script = (
        "import django; django.setup()\n"
        "from core.ratelimit import rate_limit_hit\n"
        f"print(sum(rate_limit_hit(scope='signup', client='{ADDRESS}').allowed for _ in range(9)))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sqeeze.settings",
        "REDIS_URL": settings.REDIS_URL,
        # The other process never touches the database; point it nowhere.
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
        "DEBUG": "true",
        "SQEEZE_ENV_FILE": "/dev/null",
        "RATE_LIMIT_SIGNUP": "5/h",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=Path(settings.BASE_DIR),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == str(signups_per_hour)
    assert sign_up(client, organization, 1).status_code == 429
    assert not Profile.objects.exists()


# --- password reset and verification mails ------------------------------------------------


def test_the_sixth_password_reset_in_an_hour_is_refused(db, settings, mailoutbox):
    """ASVS 5.0 V2.4.1: reset mails cannot be used to flood inboxes."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": "5/h"}
    addresses = [ProfileFactory().email for _ in range(6)]
    for email in addresses[:5]:
        response = Client().post("/accounts/password/reset/", {"email": email}, REMOTE_ADDR=ADDRESS)
        assert response.status_code == 302
    assert len(mailoutbox) == 5
    refused = Client().post(
        "/accounts/password/reset/",
        {"email": addresses[5]},
        REMOTE_ADDR=ADDRESS,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert "student import" not in refused.content.decode()
    assert len(mailoutbox) == 5


def test_verification_mails_sent_again_have_a_budget(
    db, organization, settings, password, mailoutbox
):
    """ASVS 5.0 V2.4.1: logging in with unverified addresses re-sends their
    verification mail, at most five times an hour from one address."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verification_email": "5/h"}
    people = [ProfileFactory(organization=organization, verified_email=False) for _ in range(6)]
    for person in people:
        EmailAddress.objects.create(user=person, email=person.email, primary=True, verified=False)
    answers = []
    for person in people:
        before = len(mailoutbox)
        response = Client().post(
            "/accounts/login/",
            {"login": person.email, "password": password},
            REMOTE_ADDR=ADDRESS,
        )
        answers.append((response.status_code, len(mailoutbox) - before))
    assert answers[:5] == [(302, 1)] * 5, answers
    assert answers[5] == (429, 0)


# --- invite links -----------------------------------------------------------------------


def test_anonymous_invite_link_visits_have_a_budget(client, teacher, settings):
    """ASVS 5.0 V2.4.1: each anonymous visit writes a session; guessing tokens
    or flooding sessions is cut off. Logged-in members are not counted."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "join": "3/h"}
    journey = Journey.objects.create(name="Flood", organization=teacher.organization)
    journey.refresh_from_db()
    url = f"/journeys/join/{journey.invite_token}/"
    guesses = [f"/journeys/join/{uuid.uuid4().hex}/" for _ in range(2)]
    assert [Client().get(u, REMOTE_ADDR=ADDRESS).status_code for u in [url, *guesses]] == [
        302,
        404,
        404,
    ]
    assert Client().get(url, REMOTE_ADDR=ADDRESS).status_code == 429

    member = Client()
    member.force_login(teacher)
    assert member.get(url, REMOTE_ADDR=ADDRESS).status_code == 302


def test_a_link_preview_crawler_spends_no_invite_budget(client, teacher, settings):
    """ASVS 5.0 V2.4.1: a preview writes nothing (no session), so KakaoTalk's
    scrapers sharing addresses do not use up an academy's budget."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "join": "2/h"}
    journey = Journey.objects.create(name="Shared", organization=teacher.organization)
    journey.refresh_from_db()
    url = f"/journeys/join/{journey.invite_token}/"
    crawler = {"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": "facebookexternalhit/1.1"}
    for _ in range(5):
        assert Client().get(url, **crawler).status_code == 200
    assert Client().get(url, REMOTE_ADDR=ADDRESS).status_code == 302


# --- the limiter itself -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "5", "5/x", "a/h", "-1/h", "5/0h"])
def test_a_malformed_rate_is_refused(text):
    with pytest.raises(ValueError, match="rate"):
        parse_rate(text)


@pytest.mark.parametrize(("text", "limit", "seconds"), [("5/h", 5, 3600), ("20/15m", 20, 900)])
def test_rates_are_read(text, limit, seconds):
    rate = parse_rate(text)
    assert (rate.limit, rate.seconds) == (limit, seconds)


def test_the_window_slides_and_refused_hits_are_not_counted(settings):
    """ASVS 5.0 V2.4.1: the previous hour still weighs; refusals do not extend it."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": "4/h"}
    start = 1_000 * 3600.0  # the start of an hour
    hits = [rate_limit_hit(scope="signup", client="x", now=start + 60) for _ in range(6)]
    assert [hit.allowed for hit in hits] == [True] * 4 + [False] * 2
    # A quarter into the next hour, 3 of the 4 still weigh: one more fits.
    later = start + 3600 + 900
    assert rate_limit_hit(scope="signup", client="x", now=later).allowed
    refused = rate_limit_hit(scope="signup", client="x", now=later)
    assert not refused.allowed
    assert 0 < refused.retry_after <= 3600
