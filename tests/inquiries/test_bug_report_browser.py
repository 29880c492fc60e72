"""A bug report end to end in real Chromium: a student reports a problem with a
screenshot from the footer link on their phone, an operator resolves and answers
it in Django admin, and the student reads the notification and the answer. axe-core
checks the pages on the way (no serious or critical violation)."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from playwright.sync_api import Page, expect

from inquiries.models import BugReport, BugReportStatus
from notifications.models import Notification
from tests.files.conftest import local_storages
from tests.files.images import png

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("english"),
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, **local_storages(tmp_path)}


@pytest.fixture
def open_page(chromium, live_server):
    """A page for ``person`` (logged in by session cookie) on a viewport."""
    contexts = []

    def open_for(person, viewport) -> Page:
        context = chromium.new_context(base_url=live_server.url, viewport=viewport, locale="en-US")
        if person is not None:
            client = Client()
            client.force_login(person)
            cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
            context.add_cookies(
                [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
            )
        page = context.new_page()
        page.problems = []
        page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        contexts.append(context)
        return page

    yield open_for
    for context in contexts:
        context.close()
    connections.close_all()


def serious_violations(page: Page) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes']]}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_a_student_reports_a_bug_an_operator_resolves_it_and_the_student_sees_it(
    open_page, student, superuser
):
    phone = open_page(student, PHONE)

    # From the footer of the notifications page, on a phone.
    phone.goto("/notifications/")
    phone.locator(".site-footer").get_by_role("link", name="Report a problem").click()
    expect(phone).to_have_url(re.compile(r"/bugs/new/\?from=/notifications/"))
    assert serious_violations(phone) == []

    phone.get_by_label("Title").fill("The bell shows a wrong count")
    phone.get_by_label("What happened? (optional)").fill("It says 3 but I have none unread.")
    severity = phone.get_by_role("group", name="How bad is it?")
    severity.get_by_label("Low: a small annoyance").check()
    phone.get_by_label("Screenshot (optional)").set_input_files(
        {"name": "bell.png", "mimeType": "image/png", "buffer": png((200, 120))}
    )
    phone.get_by_role("button", name="Send report").click()

    expect(phone.get_by_role("heading", name="The bell shows a wrong count")).to_be_visible()
    expect(phone.locator(".bug-status")).to_have_text("Open")
    screenshot = phone.locator("img.bug-report__screenshot")
    loaded = phone.wait_for_function(
        "(img) => img.complete && img.naturalWidth", arg=screenshot.element_handle()
    )
    assert loaded.json_value() == 200
    report = BugReport.objects.get()
    assert report.page_url == "/notifications/"
    assert "Chrome" in (report.user_agent or "") or "Mozilla" in (report.user_agent or "")
    assert serious_violations(phone) == []

    # The operator resolves and answers it in Django admin, on a desktop.
    desk = open_page(superuser, DESKTOP)
    desk.goto(f"/admin/inquiries/bugreport/{report.pk}/change/")
    desk.get_by_label("Status").select_option("resolved")
    desk.get_by_label("Answer to the reporter").fill("Fixed: the count now ignores read ones.")
    desk.get_by_role("button", name="Save", exact=True).click()
    expect(desk.locator(".messagelist")).to_contain_text("was changed successfully")
    report.refresh_from_db()
    assert report.status == BugReportStatus.RESOLVED
    assert Notification.objects.filter(receiver=student, type="bug_report_updated").count() == 1

    # The student sees the notification and opens the resolved report from it.
    phone.goto("/home/")
    expect(phone.locator(".nav-bell .count-badge")).to_have_text("1")
    phone.locator(".nav-bell").click()
    phone.get_by_role("link", name=re.compile("is now “Resolved”")).click()
    expect(phone).to_have_url(re.compile(rf"/bugs/{report.pk}/$"))
    expect(phone.locator(".bug-status")).to_have_text("Resolved")
    expect(phone.locator(".bug-answer")).to_contain_text("Fixed: the count now ignores read ones.")

    # My reports lists it with its status.
    phone.goto("/bugs/")
    expect(phone.locator(".bug-list__item")).to_contain_text("Resolved")
    assert serious_violations(phone) == []
    assert phone.problems == []
    assert desk.problems == []


def test_the_inquiry_form_works_without_javascript_and_passes_axe(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, viewport=PHONE, locale="en-US", java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto("/inquiry/")
        # The honeypot is out of sight for people.
        assert not page.locator("#id_website").is_visible() or (
            page.locator("#id_website").bounding_box()["x"] < 0
        )
        page.get_by_role("button", name="Send inquiry").click()  # empty: errors come back
        expect(page.locator(".errorlist").first).to_be_visible()

        page.get_by_label("Your name").fill("Lee Sujin")
        page.get_by_role("textbox", name="Phone").fill("010 2345 6789")
        page.get_by_label("What would you like to automate?").fill("Attendance messages.")
        page.get_by_label(re.compile("I agree that Sqeeze collects")).check()
        page.get_by_role("button", name="Send inquiry").click()

        expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    finally:
        context.close()
        connections.close_all()

    from inquiries.models import Inquiry

    assert Inquiry.objects.get().phone == "010-2345-6789"


def test_the_inquiry_form_with_errors_has_no_serious_axe_violation(open_page):
    page = open_page(None, DESKTOP)
    page.goto("/inquiry/")
    page.get_by_role("button", name="Send inquiry").click()
    expect(page.locator(".errorlist").first).to_be_visible()

    assert serious_violations(page) == []
