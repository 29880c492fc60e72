"""``manage.py vapid_keys``: the printed pair works for a real round trip."""

from __future__ import annotations

import base64
import io

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import CommandError, call_command

from notifications.models import Subscription
from notifications.push_keys import push_is_configured
from notifications.push_services import push_subscription_save
from notifications.push_tasks import send_push
from tests.factories import NotificationFactory
from tests.notifications.push_endpoint import push_service_fixture  # noqa: F401 - fixture


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate() -> dict[str, str]:
    out = io.StringIO()
    call_command("vapid_keys", stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert [line.split("=", 1)[0] for line in lines] == ["VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY"]
    return dict(line.split("=", 1) for line in lines)


def test_the_command_prints_a_p256_pair_in_the_forms_settings_expect():
    keys = generate()

    public = b64url_decode(keys["VAPID_PUBLIC_KEY"])
    private = b64url_decode(keys["VAPID_PRIVATE_KEY"])
    assert "=" not in keys["VAPID_PUBLIC_KEY"] + keys["VAPID_PRIVATE_KEY"]
    assert len(public) == 65 and public[0] == 4  # what applicationServerKey wants
    assert len(private) == 32
    derived = ec.derive_private_key(int.from_bytes(private, "big"), ec.SECP256R1())
    assert derived.public_key().public_numbers() == (
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public).public_numbers()
    )
    assert generate() != keys  # a new pair every time


@pytest.mark.django_db
def test_a_pair_from_the_command_delivers_a_verified_push(settings, push_service, student):
    keys = generate()
    settings.VAPID_PUBLIC_KEY = keys["VAPID_PUBLIC_KEY"]
    settings.VAPID_PRIVATE_KEY = keys["VAPID_PRIVATE_KEY"]
    settings.WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS = True
    assert push_is_configured()
    browser = push_service.browser()
    push_subscription_save(user=student, subscription_json=browser.subscription, user_agent="")
    notification = NotificationFactory(receiver=student, message="Week 2 is open.")

    counts = send_push.apply(args=[str(notification.pk)]).get()

    assert counts["sent"] == 1
    assert push_service.errors == []
    [message] = push_service.received_by(browser)
    assert message.vapid_key == keys["VAPID_PUBLIC_KEY"]
    assert message.payload["body"] == "Week 2 is open."
    assert Subscription.objects.filter(user=student).count() == 1


def test_check_accepts_a_matching_pair_and_refuses_a_mismatched_one(settings):
    first, second = generate(), generate()
    settings.VAPID_PUBLIC_KEY = first["VAPID_PUBLIC_KEY"]
    settings.VAPID_PRIVATE_KEY = first["VAPID_PRIVATE_KEY"]
    out = io.StringIO()
    call_command("vapid_keys", "--check", stdout=out)
    assert "belong together" in out.getvalue()

    settings.VAPID_PRIVATE_KEY = second["VAPID_PRIVATE_KEY"]
    with pytest.raises(CommandError, match="does not belong"):
        call_command("vapid_keys", "--check")

    settings.VAPID_PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----"
    with pytest.raises(CommandError, match="raw 32-byte"):
        call_command("vapid_keys", "--check")

    settings.VAPID_PRIVATE_KEY = ""
    with pytest.raises(CommandError, match="off"):
        call_command("vapid_keys", "--check")
