"""Subscribing and unsubscribing a browser, the settings control, and /sw.js."""

from __future__ import annotations

import base64
import json
import os
import socket

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.db import connection
from django.templatetags.static import static
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escapejs

from notifications.models import Subscription
from notifications.push_delivery import PUSH_ICON
from notifications.push_services import push_subscription_save
from tests.notifications.push_endpoint import (  # noqa: F401 - fixtures
    push_service_fixture,
    vapid_fixture,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SUBSCRIBE = reverse("notifications:push_subscribe")
UNSUBSCRIBE = reverse("notifications:push_unsubscribe")
SETTINGS_PAGE = reverse("notifications:preferences")
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def p256dh() -> str:
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return b64url(point)


def browser_subscription(endpoint: str = "https://fcm.googleapis.com/fcm/send/abc:def") -> dict:
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": p256dh(), "auth": b64url(os.urandom(16))},
    }


def post_json(client: Client, url: str, body, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", **extra)


# Subscribing resolves the endpoint's host and refuses non-public answers. Tests have
# no network: these names answer what the real push services answer, at the socket
# edge (any other name does not resolve, as on a closed network).
PUSH_SERVICE_ADDRESSES = {
    "fcm.googleapis.com": "142.250.196.106",
    "updates.push.services.mozilla.com": "34.107.243.93",
    "web.push.apple.com": "17.188.143.8",
    "wns2-par02p.notify.windows.com": "2603:1020:201:10::10f",
}


@pytest.fixture(autouse=True)
def public_dns(monkeypatch):
    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        address = PUSH_SERVICE_ADDRESSES.get(host)
        if address is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if ":" in address:
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def student_client(client, student):
    client.force_login(student)
    return client


# --- subscribe --------------------------------------------------------------------


def test_subscribing_stores_the_browser_for_the_user(vapid, student_client, student):
    subscription = browser_subscription()

    response = post_json(student_client, SUBSCRIBE, subscription, HTTP_USER_AGENT=CHROME)

    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["subscription"]["endpoint"] == subscription["endpoint"]
    assert body["subscription"]["browser"] == "Chrome · Windows"
    assert body["subscription"]["created_at"] and body["subscription"]["created_at_display"]
    row = Subscription.objects.get()
    assert row.user == student
    assert row.endpoint == subscription["endpoint"]
    assert row.user_agent == CHROME
    assert json.loads(row.notification_json) == subscription


def test_subscribing_the_same_browser_again_updates_its_row(vapid, student_client, student):
    first = browser_subscription()
    post_json(student_client, SUBSCRIBE, first, HTTP_USER_AGENT=CHROME)
    again = {**browser_subscription(), "endpoint": first["endpoint"]}  # keys rotated

    response = post_json(student_client, SUBSCRIBE, again, HTTP_USER_AGENT=CHROME + " v2")

    assert response.status_code == 200
    row = Subscription.objects.get()
    assert json.loads(row.notification_json)["keys"] == again["keys"]
    assert row.user_agent == CHROME + " v2"


def test_a_browser_someone_else_used_moves_to_the_person_who_subscribes(
    vapid, client, student, teacher
):
    subscription = browser_subscription()
    client.force_login(student)
    post_json(client, SUBSCRIBE, subscription)
    client.force_login(teacher)

    response = post_json(client, SUBSCRIBE, subscription)

    assert response.status_code == 200
    row = Subscription.objects.get()
    assert row.user == teacher
    assert response.json()["subscription"]["created_at"] is not None


def test_a_form_encoded_subscription_works_too(vapid, student_client, student):
    subscription = browser_subscription()

    response = student_client.post(SUBSCRIBE, {"subscription": json.dumps(subscription)})

    assert response.status_code == 302
    assert response["Location"] == SETTINGS_PAGE
    assert Subscription.objects.get().user == student


def test_an_htmx_subscription_redirects_the_page(vapid, student_client):
    response = student_client.post(
        SUBSCRIBE, {"subscription": json.dumps(browser_subscription())}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 204
    assert response["HX-Redirect"] == SETTINGS_PAGE


def with_keys(**keys) -> dict:
    subscription = browser_subscription()
    subscription["keys"].update(keys)
    return subscription


def without(key: str) -> dict:
    subscription = browser_subscription()
    subscription.pop(key)
    return subscription


BAD_SUBSCRIPTIONS = {
    "not json": ("{endpoint: nope", "not valid JSON"),
    "a list": ("[1, 2]", "must be a JSON object"),
    "no endpoint": (without("endpoint"), "no endpoint"),
    "endpoint not a string": ({**browser_subscription(), "endpoint": 42}, "no endpoint"),
    "no keys": (without("keys"), "no keys"),
    "keys not an object": ({**browser_subscription(), "keys": "abc"}, "no keys"),
    "no p256dh": (with_keys(p256dh=None), "no p256dh"),
    "no auth": (with_keys(auth=""), "no auth"),
    "p256dh not base64url": (with_keys(p256dh="not base64!"), "p256dh key is not base64url"),
    "p256dh in plain base64": (with_keys(p256dh="ab+/" * 22), "p256dh key is not base64url"),
    "p256dh too short": (with_keys(p256dh=b64url(b"\x04" + b"1" * 32)), "65 bytes"),
    "p256dh compressed": (with_keys(p256dh=b64url(b"\x02" + b"1" * 64)), "65 bytes"),
    "p256dh off the curve": (with_keys(p256dh=b64url(b"\x04" + b"\x01" * 64)), "P-256 curve"),
    "auth not base64url": (with_keys(auth="***"), "auth secret is not base64url"),
    "auth wrong length": (with_keys(auth=b64url(os.urandom(15))), "16 bytes"),
    "expirationTime text": ({**browser_subscription(), "expirationTime": "soon"}, "expirationTime"),
}


@pytest.mark.parametrize(("body", "message"), BAD_SUBSCRIPTIONS.values(), ids=BAD_SUBSCRIPTIONS)
def test_a_malformed_subscription_is_refused_clearly(vapid, student_client, body, message):
    response = post_json(student_client, SUBSCRIBE, body)

    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert message in response.json()["error"]
    assert not Subscription.objects.exists()


BAD_ENDPOINTS = {
    "http": "http://fcm.googleapis.com/fcm/send/abc",
    "ftp": "ftp://fcm.googleapis.com/abc",
    "no host": "https:///push/abc",
    "localhost": "https://localhost/push/abc",
    "sub.localhost": "https://push.localhost/push/abc",
    "loopback": "https://127.0.0.1/push/abc",
    "loopback short form": "https://127.1/push/abc",
    "loopback as a number": "https://2130706433/push/abc",
    "loopback in hex": "https://0x7f.0.0.1/push/abc",
    "ipv6 loopback": "https://[::1]/push/abc",
    "ipv4-mapped ipv6": "https://[::ffff:127.0.0.1]/push/abc",
    "private 10/8": "https://10.0.0.5/push/abc",
    "private 192.168/16": "https://192.168.1.1/push/abc",
    "private 172.16/12": "https://172.16.0.1/push/abc",
    "link-local metadata": "https://169.254.169.254/latest/meta-data",
    "ipv6 link-local": "https://[fe80::1]/push/abc",
    "ipv6 unique local": "https://[fd00::1]/push/abc",
    "unspecified": "https://0.0.0.0/push/abc",
    "carrier-grade nat": "https://100.64.0.1/push/abc",
    "single-label host": "https://redis/push/abc",
    "internal suffix": "https://push.corp.internal/abc",
    "user info": "https://user:pass@fcm.googleapis.com/fcm/send/abc",
    "backslash trick": "https://fcm.googleapis.com\\@127.0.0.1/abc",
    "space": "https://fcm.googleapis.com/fcm send/abc",
    "bad port": "https://fcm.googleapis.com:99999/abc",
}


@pytest.mark.parametrize("endpoint", BAD_ENDPOINTS.values(), ids=BAD_ENDPOINTS)
def test_endpoints_the_worker_must_not_call_are_refused(settings, student_client, endpoint):
    settings.WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS = False

    response = post_json(student_client, SUBSCRIBE, browser_subscription(endpoint))

    assert response.status_code == 400
    assert "endpoint" in response.json()["error"].lower()
    assert not Subscription.objects.exists()


def test_loopback_is_allowed_only_with_the_test_setting(settings, student_client):
    endpoint = "http://127.0.0.1:8999/push/abc"
    settings.WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS = False
    assert post_json(student_client, SUBSCRIBE, browser_subscription(endpoint)).status_code == 400

    settings.WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS = True
    assert post_json(student_client, SUBSCRIBE, browser_subscription(endpoint)).status_code == 200
    # Even then, private (non-loopback) addresses and plain http elsewhere stay refused.
    for refused in ("http://10.0.0.5/push/abc", "http://fcm.googleapis.com/push/abc"):
        assert (
            post_json(student_client, SUBSCRIBE, browser_subscription(refused)).status_code == 400
        )


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABn",
        "https://web.push.apple.com/QGuQyavXutnMH",
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA",
        "https://8.8.8.8/push/abc",
    ],
)
def test_real_push_services_are_accepted(settings, student_client, endpoint):
    settings.WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS = False

    response = post_json(student_client, SUBSCRIBE, browser_subscription(endpoint))

    assert response.status_code == 200, response.content
    assert Subscription.objects.get().endpoint == endpoint


def test_an_oversized_subscription_is_refused(vapid, student_client):
    subscription = browser_subscription()
    subscription["padding"] = "x" * 5000

    response = post_json(student_client, SUBSCRIBE, subscription)

    assert response.status_code == 400
    assert "too large" in response.json()["error"]
    assert not Subscription.objects.exists()


def test_a_form_post_without_the_field_is_refused(vapid, student_client):
    response = student_client.post(SUBSCRIBE, {"other": "x"}, HTTP_ACCEPT="application/json")

    assert response.status_code == 400
    assert "subscription" in response.json()["error"]


def test_a_bad_plain_form_post_shows_the_error_on_the_settings_page(vapid, student_client):
    response = student_client.post(SUBSCRIBE, {"subscription": "{}"}, follow=True)

    assert response.redirect_chain == [(SETTINGS_PAGE, 302)]
    assert "The subscription has no endpoint URL." in response.content.decode()
    assert not Subscription.objects.exists()


def test_subscribe_answers_get_with_405(vapid, student_client):
    assert student_client.get(SUBSCRIBE).status_code == 405
    assert student_client.get(UNSUBSCRIBE).status_code == 405


@pytest.mark.parametrize("url", [SUBSCRIBE, UNSUBSCRIBE])
def test_anonymous_people_are_sent_to_log_in(vapid, client, url):
    response = post_json(client, url, browser_subscription())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Subscription.objects.exists()


def test_csrf_is_enforced(vapid, student):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)

    refused = post_json(client, SUBSCRIBE, browser_subscription())
    assert refused.status_code == 403
    assert not Subscription.objects.exists()

    client.get(SETTINGS_PAGE)  # sets the CSRF cookie, as the page does for the script
    token = client.cookies["csrftoken"].value
    accepted = post_json(client, SUBSCRIBE, browser_subscription(), HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200
    assert Subscription.objects.count() == 1


# --- unsubscribe ------------------------------------------------------------------


def saved(user, endpoint: str = "https://fcm.googleapis.com/fcm/send/abc:def") -> Subscription:
    return push_subscription_save(
        user=user, subscription_json=browser_subscription(endpoint), user_agent=CHROME
    )


def test_unsubscribing_deletes_my_browser(vapid, student_client, student):
    mine = saved(student)
    other = saved(student, "https://fcm.googleapis.com/fcm/send/other")

    response = post_json(student_client, UNSUBSCRIBE, {"endpoint": mine.endpoint})

    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert list(Subscription.objects.all()) == [other]


def test_someone_elses_browser_answers_404_and_stays(vapid, student_client, teacher):
    theirs = saved(teacher)

    response = post_json(student_client, UNSUBSCRIBE, {"endpoint": theirs.endpoint})

    assert response.status_code == 404
    assert response.json()["ok"] is False
    assert Subscription.objects.filter(pk=theirs.pk, user=teacher).exists()


def test_an_unknown_browser_answers_404(vapid, student_client):
    response = post_json(student_client, UNSUBSCRIBE, {"endpoint": "https://push.example.com/x"})

    assert response.status_code == 404


@pytest.mark.parametrize("body", ["nope", "[]", '{"endpoint": 5}', "{}"])
def test_a_malformed_unsubscribe_is_refused(vapid, student_client, student, body):
    mine = saved(student)

    response = post_json(student_client, UNSUBSCRIBE, body)

    assert response.status_code == 400
    assert "endpoint" in response.json()["error"]
    assert Subscription.objects.filter(pk=mine.pk).exists()


def test_the_remove_button_works_without_javascript(vapid, student_client, student, teacher):
    mine, theirs = saved(student), saved(teacher, "https://fcm.googleapis.com/fcm/send/t")

    removed = student_client.post(UNSUBSCRIBE, {"endpoint": mine.endpoint}, follow=True)
    refused = student_client.post(UNSUBSCRIBE, {"endpoint": theirs.endpoint}, follow=True)

    assert removed.redirect_chain == [(SETTINGS_PAGE, 302)]
    assert "Push notifications are off for that browser." in removed.content.decode()
    assert refused.redirect_chain == [(SETTINGS_PAGE, 302)]
    assert "This browser is not subscribed" in refused.content.decode()
    assert list(Subscription.objects.all()) == [theirs]


# --- the settings page control ------------------------------------------------------


def test_the_settings_page_lists_my_browsers_and_offers_the_control(
    vapid, student_client, student, teacher
):
    saved(student, "https://fcm.googleapis.com/fcm/send/mine")
    push_subscription_save(
        user=student,
        subscription_json=browser_subscription("https://updates.push.services.mozilla.com/w/2"),
        user_agent=FIREFOX,
    )
    saved(teacher, "https://fcm.googleapis.com/fcm/send/theirs")

    page = student_client.get(SETTINGS_PAGE).content.decode()

    assert "data-push-control" in page
    assert f'data-vapid-public-key="{vapid["public"]}"' in page
    assert f'data-subscribe-url="{SUBSCRIBE}"' in page
    assert 'data-sw-url="/sw.js"' in page
    assert "Chrome · Windows" in page and "Firefox · Linux" in page
    assert 'data-endpoint="https://fcm.googleapis.com/fcm/send/mine"' in page
    assert "theirs" not in page
    assert "/static/js/push.js" in page
    assert "<script>" not in page  # CSP: no inline scripts


def test_without_vapid_keys_the_control_says_push_is_not_set_up(settings, student_client):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""

    page = student_client.get(SETTINGS_PAGE).content.decode()

    assert 'data-push-state="not-configured"' in page
    assert 'data-vapid-public-key=""' in page
    assert "data-push-subscribe" not in page


def test_the_browser_list_costs_the_same_queries_for_one_or_many(vapid, student_client, student):
    saved(student, "https://fcm.googleapis.com/fcm/send/0")
    with CaptureQueriesContext(connection) as one:
        student_client.get(SETTINGS_PAGE)
    for n in range(1, 6):
        saved(student, f"https://fcm.googleapis.com/fcm/send/{n}")
    with CaptureQueriesContext(connection) as six:
        page = student_client.get(SETTINGS_PAGE).content.decode()

    assert page.count("data-endpoint=") == 6 + 1  # the <template> row has an empty one
    assert len(six) == len(one)


# --- the service worker -------------------------------------------------------------


def test_the_service_worker_is_served_from_the_site_root(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    assert 'addEventListener("push"' in script
    assert 'addEventListener("notificationclick"' in script
    assert escapejs(static(PUSH_ICON)) in script
    assert reverse("notifications:inbox") in script
    assert reverse("service_worker") == "/sw.js"


def test_the_service_worker_answers_only_reads(client):
    assert client.post("/sw.js").status_code == 405


def test_a_plain_form_post_passes_csrf_and_subscribes(vapid, student, student_client):
    # With CSRF enforced the middleware reads the (multipart) form first; the view
    # must not need the raw body afterwards.
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    client.get(SETTINGS_PAGE)
    token = client.cookies["csrftoken"].value

    response = client.post(
        SUBSCRIBE,
        {"csrfmiddlewaretoken": token, "subscription": json.dumps(browser_subscription())},
    )

    assert response.status_code == 302
    assert Subscription.objects.get().user == student
