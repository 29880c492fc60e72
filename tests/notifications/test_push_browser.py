"""The push control in real Chromium: strict CSP, service worker at /sw.js, and
the script's subscribe / unsubscribe round trip with the server.

Headless Chromium has no push service to talk to (no network to Google's), so
``PushManager.subscribe`` is replaced by one that returns a subscription for a
fake browser on this machine; everything else (permission, service worker
registration, the CSRF-protected POSTs, the list update) is the real thing.
"""

from __future__ import annotations

import json

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client

from notifications.models import Subscription
from tests.notifications.push_endpoint import (  # noqa: F401 - fixtures
    push_service_fixture,
    vapid_fixture,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAKE_PUSH_MANAGER = """
(() => {
  // Like a real browser, the subscription outlives the page (here: localStorage).
  const KEY = "fake-push-subscription";
  const make = (json) => ({
    endpoint: json.endpoint,
    options: { applicationServerKey: null },
    toJSON: () => json,
    unsubscribe: async () => { localStorage.removeItem(KEY); return true; },
  });
  PushManager.prototype.subscribe = async function (options) {
    window.__pushOptions = options;
    localStorage.setItem(KEY, JSON.stringify(window.__fakeSubscription));
    return make(window.__fakeSubscription);
  };
  PushManager.prototype.getSubscription = async function () {
    const json = localStorage.getItem(KEY);
    return json ? make(JSON.parse(json)) : null;
  };
})();
"""


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.problems = []

    def console(message) -> None:
        # Any console error (a CSP violation included) is a problem of the page.
        if message.type == "error":
            page.problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    yield page
    context.close()
    # ORM calls made while Playwright runs use their own connection (greenlet
    # context); close it, or it blocks dropping the test database.
    connections.close_all()


@pytest.fixture
def signed_in(page, live_server, student):
    client = Client()
    client.force_login(student)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return page


def test_the_control_turns_push_on_and_off_for_this_browser(
    vapid, push_service, signed_in, student
):
    page = signed_in
    fake = push_service.browser()
    page.context.grant_permissions(["notifications"])
    page.add_init_script(FAKE_PUSH_MANAGER)
    page.add_init_script(f"window.__fakeSubscription = {json.dumps(fake.subscription)};")

    page.goto("/notifications/settings/")
    state = page.locator("[data-push-state]")
    state.filter(has_text="Push notifications are off in this browser.").wait_for()
    assert page.locator("[data-push-none]").is_visible()

    page.get_by_role("button", name="Turn on for this browser").click()
    state.filter(has_text="Push notifications are on in this browser.").wait_for()

    row = Subscription.objects.get()
    assert row.user == student
    assert row.endpoint == fake.endpoint
    assert "Chrome" in row.user_agent or "HeadlessChrome" in row.user_agent
    item = page.locator(f'li[data-endpoint="{fake.endpoint}"]')
    assert item.is_visible()
    assert item.locator("[data-this-browser]").is_visible()
    assert not page.locator("[data-push-none]").is_visible()
    # The application server key the script passed is our VAPID public key.
    key = page.evaluate(
        "() => btoa(String.fromCharCode(...new Uint8Array(window.__pushOptions"
        ".applicationServerKey))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '')"
    )
    assert key == vapid["public"]
    assert page.evaluate("() => window.__pushOptions.userVisibleOnly") is True
    # The service worker came from the root, controlling the whole site.
    scope = page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    assert scope == page.evaluate("() => location.origin + '/'")

    page.reload()
    state.filter(has_text="Push notifications are on in this browser.").wait_for()

    page.get_by_role("button", name="Turn off for this browser").click()
    state.filter(has_text="Push notifications are off in this browser.").wait_for()
    assert not Subscription.objects.exists()
    assert page.locator("[data-push-none]").is_visible()
    assert page.problems == []


def test_without_vapid_keys_the_page_says_push_is_not_set_up(settings, signed_in):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    page = signed_in

    page.goto("/notifications/settings/")

    assert (
        page.locator("[data-push-state]")
        .inner_text()
        .startswith("Push notifications are not set up")
    )
    assert page.problems == []
