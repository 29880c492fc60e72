"""The installable app in real Chromium.

- Chromium's own installability check (the one behind its "Install app"
  button, read through the DevTools protocol) finds nothing missing.
- Offline, a signed-in page is replaced by the offline page, never by a kept
  copy of the page; the worker's caches hold static files and /offline/ only.
- The offline page is in the language the person reads the site in.

http://localhost (live_server) is a secure context, so service workers run.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client

from sqeeze import pwa
from tests.browser import CHROMIUM_ARGS, chromium_executable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAIT_FOR_CONTROL = "() => navigator.serviceWorker.controller !== null"
# Every cached request, with its response's type, in every cache of this origin.
CACHED = """
async () => {
  const entries = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      entries.push({
        cache: name,
        path: new URL(request.url).pathname,
        mode: request.mode,
        type: response.headers.get("Content-Type") || "",
        language: response.headers.get("Content-Language") || "",
      });
    }
  }
  return entries;
}
"""
OFFLINE_KEPT_IN = """
async (language) => {
  for (const name of await caches.keys()) {
    const response = await (await caches.open(name)).match("/offline/", { ignoreVary: true });
    if (response && response.headers.get("Content-Language") === language) return true;
  }
  return false;
}
"""


def new_page(chromium, live_server, *, locale: str = "en-US", person=None):
    context = chromium.new_context(base_url=live_server.url, locale=locale)
    if person is not None:
        client = Client()
        client.force_login(person)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    return page


@pytest.fixture
def pages():
    opened = []
    yield opened
    for page in opened:
        page.context.close()
    # ORM calls made while Playwright runs use their own connection; close it,
    # or it blocks dropping the test database.
    connections.close_all()


def installability(chromium, live_server, profile_dir) -> tuple[dict, list, list]:
    """(manifest, installability errors, console errors) of the log-in page, in
    a persistent profile: Playwright's usual contexts are incognito ones, where
    Chromium refuses any install ("in-incognito")."""
    context = chromium.browser_type.launch_persistent_context(
        str(profile_dir),
        executable_path=chromium_executable(),
        args=CHROMIUM_ARGS,
        base_url=live_server.url,
        locale="en-US",
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        problems = []
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.goto("/accounts/login/")
        page.wait_for_function(WAIT_FOR_CONTROL)
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    finally:
        context.close()
        connections.close_all()
    return manifest, errors, problems


def test_chromium_finds_the_app_installable(chromium, live_server, tmp_path):
    manifest, errors, problems = installability(chromium, live_server, tmp_path)

    assert manifest["url"] == f"{live_server.url}/manifest.webmanifest"
    assert manifest["errors"] == []
    assert errors == []
    parsed = manifest.get("manifest") or {}
    if parsed:  # newer Chromium also returns the manifest as it understood it
        assert parsed["startUrl"] == f"{live_server.url}/home/?source=pwa"
        assert parsed["display"].lower().endswith("standalone")
    assert problems == []


def test_chromium_would_say_what_is_missing(chromium, live_server, tmp_path, monkeypatch):
    """The check above is a real one: without its icons (404), the same app is
    not installable, and Chromium says why."""
    monkeypatch.setattr(pwa, "static", lambda path: f"/static/missing/{path}")

    _manifest, errors, _problems = installability(chromium, live_server, tmp_path)

    assert errors, "Chromium accepted an app without icons"


def test_offline_a_signed_in_page_shows_the_offline_page_and_nothing_personal_is_kept(
    chromium, live_server, pages, student
):
    page = new_page(chromium, live_server, person=student)
    pages.append(page)
    page.goto("/home/")
    page.wait_for_function(WAIT_FOR_CONTROL)
    page.wait_for_function(OFFLINE_KEPT_IN, arg="en")
    # Online, pages under the worker's control still come from the network.
    page.goto("/notifications/")
    assert page.get_by_role("heading", level=1).first.is_visible()
    assert student.first_name in page.content()

    page.context.set_offline(True)
    page.goto("/home/")

    assert page.url == f"{live_server.url}/home/"
    assert page.get_by_role("heading", name="You are offline").is_visible()
    assert student.first_name not in page.content()
    # Styled by the kept style sheets (sqeeze.css, errors.css), with no network.
    style = "(selector) => getComputedStyle(document.querySelector(selector))"
    assert page.evaluate(f"({style})('html').backgroundColor") == "rgb(247, 247, 251)"
    assert page.evaluate(f"({style})('.error-card').borderTopLeftRadius") == "14px"
    entries = page.evaluate(CACHED)
    assert entries, "the worker kept nothing at all"
    for entry in entries:
        assert entry["cache"].startswith("sqeeze-shell-")
        assert entry["mode"] != "navigate", entry
        assert entry["path"] == "/offline/" or entry["path"].startswith("/static/"), entry
        if entry["type"].startswith("text/html"):
            assert entry["path"] == "/offline/", entry
    assert {entry["path"] for entry in entries} >= {"/offline/", "/static/css/sqeeze.css"}

    page.context.set_offline(False)
    page.get_by_role("link", name="Try again").click()
    page.wait_for_url(f"{live_server.url}/home/")
    assert page.get_by_role("heading", name="You are offline").count() == 0
    assert student.first_name in page.content()
    # A refused navigation while offline is the browser's own console message;
    # the site's scripts reported nothing.
    assert [p for p in page.problems if "ERR_INTERNET_DISCONNECTED" not in p] == []


def test_the_offline_page_follows_the_language_the_person_chose(
    chromium, live_server, pages, student
):
    """The browser asks for English, the person switched the site to Korean:
    the worker fetches the offline page again, in Korean."""
    page = new_page(chromium, live_server, locale="en-US", person=student)
    pages.append(page)
    page.goto("/home/")
    page.wait_for_function(WAIT_FOR_CONTROL)
    page.wait_for_function(OFFLINE_KEPT_IN, arg="en")

    page.select_option("#language-select", "ko")
    page.locator(".language-form button").click()
    page.wait_for_function("document.documentElement.lang === 'ko'")
    page.wait_for_function(OFFLINE_KEPT_IN, arg="ko")

    page.context.set_offline(True)
    page.goto("/notifications/")
    assert page.locator("html").get_attribute("lang") == "ko"


@pytest.mark.parametrize("path", ["/offline/", "/no-such-page/"])
def test_the_offline_and_error_pages_pass_axe(chromium, live_server, pages, settings, path):
    settings.DEBUG = False
    page = new_page(chromium, live_server, locale="ko-KR")
    pages.append(page)
    page.goto(path)

    results = Axe().run(page).response
    serious = [
        (violation["id"], [node["target"] for node in violation["nodes"]])
        for violation in results["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert serious == []
