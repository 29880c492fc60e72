"""The teacher's invite link in real Chromium: the panel opens without
JavaScript of its own (<details>), and the copy button (static/js/copy.js)
puts the full link on the clipboard, under the strict CSP."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import JourneyFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("english"),
]


@pytest.fixture
def teacher_page(chromium, live_server, teacher):
    client = Client()
    client.force_login(teacher)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, locale="en-US"
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    yield page
    context.close()
    connections.close_all()


def test_a_teacher_copies_the_invite_link_on_a_phone(teacher_page, teacher, live_server):
    journey = JourneyFactory(organization=teacher.organization)
    page = teacher_page
    page.goto(reverse("missions:plan", args=[journey.pk]))

    page.locator("summary", has_text="Invite link").click()
    assert page.get_by_role("textbox", name="Invite link").is_visible()
    page.get_by_role("button", name="Copy").click()

    expect(page.locator("[data-copy-target]")).to_have_text("Copied!")
    expected = live_server.url + reverse("journeys:join", args=[journey.invite_token])
    assert page.evaluate("navigator.clipboard.readText()") == expected
    assert page.problems == []
