"""The site header: every link on wide screens; on a phone the brand, the bell
and a menu button that opens the other links (and every link without JavaScript)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from django.urls import reverse

from tests.factories import NotificationFactory

pytestmark = pytest.mark.usefixtures("english")


def header(html: str) -> str:
    return re.search(r'<header class="site-header">.*?</header>', html, re.S).group(0)


def test_the_header_keeps_every_link_for_a_teacher(client, teacher):
    client.force_login(teacher)
    nav = header(client.get(reverse("home")).content.decode())
    for url in (
        reverse("home"),
        reverse("notifications:inbox"),
        reverse("files:library"),
        reverse("people:import_start"),
        reverse("people:me"),
        reverse("account_logout"),
        reverse("set_language"),
    ):
        assert f'"{url}"' in nav, url


def test_the_current_page_is_marked_in_the_header(client, student):
    client.force_login(student)
    home = header(client.get(reverse("home")).content.decode())
    assert re.search(r'href="/home/"[^>]*aria-current="page"', home)
    inbox = header(client.get(reverse("notifications:inbox")).content.decode())
    assert re.search(r'class="nav-bell"[^>]*aria-current="page"', inbox)
    assert not re.search(r'href="/home/"[^>]*aria-current="page"', inbox)


def test_the_menu_button_controls_the_menu_and_waits_for_javascript(client, student):
    client.force_login(student)
    nav = header(client.get(reverse("home")).content.decode())
    button = re.search(r"<button[^>]*data-nav-toggle[^>]*>", nav).group(0)
    assert 'aria-controls="site-menu"' in button and 'aria-expanded="false"' in button
    # Hidden until nav.js shows it: without JavaScript every link simply shows.
    assert " hidden" in button
    assert 'id="site-menu"' in nav
    assert re.search(r'<script src="[^"]*js/nav\.js"></script>', nav)


def test_the_bell_stays_outside_the_menu_with_its_unread_badge(client, student):
    NotificationFactory.create_batch(2, receiver=student)
    client.force_login(student)
    nav = header(client.get(reverse("home")).content.decode())
    menu_start = nav.index('id="site-menu"')
    assert nav.index('class="nav-bell"') < menu_start
    assert nav.index('class="count-badge"') < menu_start


# --- in a real browser ---------------------------------------------------------------------


@pytest.fixture
def browser_page(chromium, live_server, student):
    client = Client()
    client.force_login(student)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]

    def open_page(width: int, height: int, *, javascript: bool = True):
        context = chromium.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            java_script_enabled=javascript,
            locale="en-US",
        )
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        page = context.new_page()
        page.problems = []
        page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        opened.append(context)
        return page

    opened: list = []
    yield open_page
    for context in opened:
        context.close()
    connections.close_all()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_header_is_one_row_and_the_menu_opens_the_links(browser_page, student):
    NotificationFactory(receiver=student)
    page = browser_page(390, 844)
    page.goto("/home/")

    header_box = page.locator(".site-header").bounding_box()
    assert header_box["height"] < 80  # one row: brand, bell, menu button
    assert page.locator(".nav-bell .count-badge").is_visible()
    profile_link = page.get_by_role("link", name="My profile")
    assert not profile_link.is_visible()

    toggle = page.get_by_role("button", name="Menu")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert profile_link.is_visible()
    page.keyboard.press("Escape")
    assert not profile_link.is_visible()

    toggle.click()
    profile_link.click()
    page.wait_for_url("**/people/me/")
    assert page.problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_desktop_every_link_shows_in_one_row_without_a_menu_button(
    browser_page,
):
    page = browser_page(1280, 800)
    page.goto("/home/")

    assert not page.get_by_role("button", name="Menu").is_visible()
    home = page.get_by_role("link", name="Home", exact=True).bounding_box()
    bell = page.locator(".nav-bell").bounding_box()
    profile = page.get_by_role("link", name="My profile").bounding_box()
    assert home["x"] < bell["x"] < profile["x"]  # the order it always had
    assert abs(home["y"] - profile["y"]) < 10
    assert page.problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_javascript_a_phone_shows_every_link(browser_page):
    page = browser_page(390, 844, javascript=False)
    page.goto("/home/")
    assert page.get_by_role("link", name="My profile").is_visible()
    assert page.get_by_role("button", name="Log out").is_visible()
