"""The feed and the dashboard in real Chromium on a phone-sized screen, under the
real CSP: "More posts" appends the next page in place, and neither page breaks
the policy or overflows the screen."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import (
    JourneyFactory,
    JourneyWeekFactory,
    MissionInstanceFactory,
    PostFactory,
    UserJourneyFactory,
    UserPointFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(chromium, live_server, student):
    context = chromium.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 390, "height": 844}
    )
    client = Client()
    client.force_login(student)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [
            {"name": cookie.key, "value": cookie.value, "url": live_server.url},
            {"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url},
        ]
    )
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    yield page
    context.close()
    connections.close_all()


@pytest.fixture
def journey(student):
    journey = JourneyFactory(organization=student.organization)
    UserJourneyFactory(journey=journey, user=student)
    week = JourneyWeekFactory(journey=journey)
    for number in range(25):
        post = PostFactory(
            mission_instance=MissionInstanceFactory(journey_week=week), title=f"Post {number:02d}"
        )
        UserPointFactory(post=post, total_points=number)
    return journey


def test_more_posts_appends_the_next_page_in_place(phone, journey):
    url = reverse("community:feed", args=[journey.pk])
    phone.goto(url)
    assert phone.locator(".feed-card").count() == 20

    phone.get_by_role("link", name="More posts").click()
    expect(phone.locator(".feed-card")).to_have_count(25)

    titles = phone.locator(".feed-card__title").all_inner_texts()
    assert len(set(titles)) == 25
    assert phone.locator("#feed-more").count() == 0  # the last page has no "More"
    assert phone.url.endswith(url)  # the address stays bookmarkable
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.problems == []


def test_the_dashboard_draws_its_charts_within_the_csp_and_the_screen(phone, journey):
    phone.goto(reverse("points:dashboard", args=[journey.pk]))
    assert phone.locator("svg.ring").is_visible()
    assert phone.locator("table.leaderboard").first.is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.problems == []  # a CSP violation would be logged as an error
