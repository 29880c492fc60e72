"""Role access codes: which codes work, and their uses counted under a lock."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid

import pytest
from django.db import close_old_connections, connection, transaction
from django.test import Client
from django.utils import timezone

from accounts.models import Profile, Role, RoleAccessCode
from accounts.services import AccessCodeError, access_code_redeem, access_code_validate
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def make_code(organization, **fields) -> RoleAccessCode:
    fields.setdefault("role", Role.TEACHER)
    fields.setdefault("expiry_date", timezone.now() + dt.timedelta(days=7))
    return RoleAccessCode.objects.create(code=uuid.uuid4(), organization=organization, **fields)


def reason(excinfo) -> str:
    return excinfo.value.code


def test_a_valid_code_is_redeemed_once_per_call(organization):
    code = make_code(organization, max_uses=2)

    redeemed = access_code_redeem(code=str(code.code), organization=organization)

    assert redeemed.pk == code.pk
    assert redeemed.role == Role.TEACHER
    assert redeemed.use_count == 1
    code.refresh_from_db()
    assert code.use_count == 1


def test_a_code_without_expiry_or_limit_keeps_working(organization):
    code = make_code(organization, expiry_date=None, max_uses=None)

    for _ in range(3):
        access_code_redeem(code=code.code, organization=organization)

    code.refresh_from_db()
    assert code.use_count == 3


@pytest.mark.parametrize("expiry", [None, dt.timedelta(days=30), -dt.timedelta(days=1)])
def test_a_code_without_an_academy_is_refused_like_an_unknown_one(organization, expiry):
    """ASVS 5.0 V8.2.1: a role is granted only within the academy that issued the code."""
    expiry_date = timezone.now() + expiry if expiry is not None else None
    code = make_code(None, role=Role.ADMIN, expiry_date=expiry_date)
    unknown = str(uuid.uuid4())

    for check in (access_code_validate, access_code_redeem):
        with pytest.raises(AccessCodeError) as orphan:
            check(code=code.code, organization=organization)
        with pytest.raises(AccessCodeError) as missing:
            check(code=unknown, organization=organization)
        assert reason(orphan) == reason(missing) == "invalid"
        assert orphan.value.messages == missing.value.messages
    code.refresh_from_db()
    assert code.use_count == 0


@pytest.mark.parametrize("text", ["", "not-a-code", "1234", "' OR 1=1 --", str(uuid.uuid4())])
def test_a_malformed_or_unknown_code_is_not_valid(organization, text):
    with pytest.raises(AccessCodeError) as excinfo:
        access_code_validate(code=text, organization=organization)
    assert reason(excinfo) == "invalid"
    with pytest.raises(AccessCodeError):
        access_code_redeem(code=text, organization=organization)


def test_an_expired_code_is_refused_and_not_counted(organization):
    code = make_code(organization, expiry_date=timezone.now() - dt.timedelta(minutes=1))

    with pytest.raises(AccessCodeError) as excinfo:
        access_code_redeem(code=code.code, organization=organization)

    assert reason(excinfo) == "expired"
    code.refresh_from_db()
    assert code.use_count == 0


def test_a_code_of_another_organization_is_refused(organization, other_organization):
    code = make_code(other_organization)

    with pytest.raises(AccessCodeError) as excinfo:
        access_code_redeem(code=code.code, organization=organization)

    assert reason(excinfo) == "wrong_organization"
    code.refresh_from_db()
    assert code.use_count == 0


def test_a_used_up_code_is_refused(organization):
    code = make_code(organization, max_uses=1, use_count=1)

    with pytest.raises(AccessCodeError) as excinfo:
        access_code_redeem(code=code.code, organization=organization)

    assert reason(excinfo) == "used_up"
    code.refresh_from_db()
    assert code.use_count == 1


def test_the_messages_are_clear(settings, organization, other_organization):
    settings.LANGUAGE_CODE = "en"
    expired = make_code(organization, expiry_date=timezone.now() - dt.timedelta(days=1))
    foreign = make_code(other_organization)
    used_up = make_code(organization, max_uses=1, use_count=1)
    expected = {
        "nonsense": "This access code is not valid.",
        expired.code: "This access code has expired.",
        foreign.code: "This access code is not valid for this organization.",
        used_up.code: "This access code has already been used as many times as allowed.",
    }
    for code, message in expected.items():
        with pytest.raises(AccessCodeError) as excinfo:
            access_code_validate(code=code, organization=organization)
        assert excinfo.value.messages == [message]


def test_a_failed_sign_up_transaction_gives_the_use_back(organization):
    code = make_code(organization, max_uses=1)

    with pytest.raises(RuntimeError), transaction.atomic():
        access_code_redeem(code=code.code, organization=organization)
        raise RuntimeError("the profile insert failed")

    code.refresh_from_db()
    assert code.use_count == 0


# --- races ----------------------------------------------------------------------


def _in_thread(target):
    """Run ``target`` on its own database connection; return (thread, outcome)."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = target()
        except Exception as error:  # noqa: BLE001 (reported to the test)
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    return thread, outcome


@pytest.mark.django_db(transaction=True)
def test_racing_redemptions_of_the_last_use_one_wins():
    organization = OrganizationFactory()
    code = make_code(organization, max_uses=1)
    first_has_lock = threading.Event()
    release_first = threading.Event()

    def first():
        with transaction.atomic():
            redeemed = access_code_redeem(code=code.code, organization=organization)
            first_has_lock.set()
            # Hold the row lock (uncommitted) while the second one tries.
            release_first.wait(10)
            return redeemed.use_count

    def second():
        first_has_lock.wait(10)
        with transaction.atomic():
            return access_code_redeem(code=code.code, organization=organization).use_count

    thread_1, outcome_1 = _in_thread(first)
    thread_2, outcome_2 = _in_thread(second)
    thread_1.start()
    thread_2.start()
    assert first_has_lock.wait(10)
    time.sleep(0.3)  # the second one is now waiting for the lock
    assert thread_2.is_alive()
    release_first.set()
    thread_1.join(10)
    thread_2.join(10)

    assert outcome_1 == {"value": 1}
    assert isinstance(outcome_2.get("error"), AccessCodeError)
    assert outcome_2["error"].code == "used_up"
    code.refresh_from_db()
    assert code.use_count == 1


@pytest.mark.django_db(transaction=True)
def test_two_sign_ups_racing_for_the_last_use_make_one_teacher(settings):
    settings.LANGUAGE_CODE = "en"
    settings.ACCOUNT_RATE_LIMITS = False
    organization = OrganizationFactory(name="Race Academy")
    code = make_code(organization, max_uses=1)
    barrier = threading.Barrier(2)

    def sign_up(n: int):
        close_old_connections()
        barrier.wait(10)
        return Client().post(
            "/accounts/signup/",
            {
                "email": f"racer{n}@example.test",
                "password1": "Kettle-Orbit-93!",
                "password2": "Kettle-Orbit-93!",
                "last_name": "Kim",
                "first_name": f"Racer{n}",
                "phone": "010-1234-5678",
                "organization": str(organization.pk),
                "access_code": str(code.code),
                "privacy_agreed": "on",
            },
        )

    threads = [_in_thread(lambda n=n: sign_up(n)) for n in (1, 2)]
    for thread, _outcome in threads:
        thread.start()
    for thread, _outcome in threads:
        thread.join(30)

    responses = [outcome["value"] for _thread, outcome in threads]
    assert sorted(response.status_code for response in responses) == [200, 302]
    loser = next(response for response in responses if response.status_code == 200)
    assert "This access code has already been used as many times as allowed." in (
        loser.content.decode()
    )
    assert list(Profile.objects.values_list("role", flat=True)) == [Role.TEACHER]
    code.refresh_from_db()
    assert code.use_count == 1
