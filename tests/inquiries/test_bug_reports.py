"""Bug reports in the app: report a problem with a private screenshot, the page and
browser captured; "My reports" and the report page for the reporter only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from files.models import File
from files.purposes import is_public
from inquiries.models import BugReport, BugReportSeverity, BugReportStatus
from inquiries.selectors import MY_REPORTS_PAGE_SIZE
from tests.factories import ProfileFactory
from tests.files.conftest import local_storages
from tests.files.images import pdf, png, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "storage")]

NEW = "/bugs/new/"
MINE = "/bugs/"
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Safari/604.1"


@pytest.fixture
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, **local_storages(tmp_path)}


def logged_in(person) -> Client:
    client = Client(HTTP_USER_AGENT=BROWSER)
    client.force_login(person)
    return client


def report_data(**changes) -> dict:
    data = {
        "title": "Photo upload stops at 90%",
        "description": "On my phone the upload never finishes.",
        "severity": "high",
        "page_url": "/journeys/abc/plan/?tab=feed",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def a_report(user, **fields) -> BugReport:
    return BugReport.objects.create(user=user, title=fields.pop("title", "Broken"), **fields)


def detail_url(report: BugReport) -> str:
    return reverse("inquiries:bug_detail", args=[report.pk])


# --- reporting ------------------------------------------------------------------------


def test_the_form_asks_and_carries_the_page_the_person_came_from(student):
    response = logged_in(student).get(NEW, {"from": "/journeys/abc/plan/?tab=feed"})

    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="/journeys/abc/plan/?tab=feed"' in content
    assert 'type="file" name="screenshot"' in content
    assert 'accept="image/jpeg' in content


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(NEW)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_report_with_a_screenshot_is_stored_private_and_only_the_right_people_open_it(
    student, teacher, admin_user, outsider, superuser, organization
):
    reporter = logged_in(student)

    response = reporter.post(
        NEW, report_data(screenshot=upload(png((120, 80)), "screen.png", "image/png"))
    )

    report = BugReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(report)
    assert (report.user, report.title, report.severity) == (student, report.title, "high")
    assert report.status == BugReportStatus.OPEN
    screenshot = report.attachment_file
    assert screenshot.bucket_name == "bug-reports"
    assert not is_public(screenshot.bucket_name)
    assert screenshot.user == student
    download = reverse("files:download", args=[screenshot.pk])
    assert reporter.get(download).status_code == 200
    assert download in reporter.get(detail_url(report)).content.decode()

    classmate = ProfileFactory(organization=organization)
    for other in (classmate, teacher, outsider):
        assert logged_in(other).get(download).status_code == 404, other.email
    # Documented choices: the platform operators, and the admins of the reporter's
    # academy (who may open every private file of their academy's people).
    for allowed in (superuser, admin_user):
        assert logged_in(allowed).get(download).status_code == 200, allowed.email


def test_the_page_and_the_browser_are_captured(student):
    long_browser = BROWSER + " x" * 400
    client = logged_in(student)

    client.post(NEW, report_data(), HTTP_USER_AGENT=long_browser)

    report = BugReport.objects.get()
    assert report.page_url == "/journeys/abc/plan/?tab=feed"
    assert report.user_agent == long_browser[:500]


@pytest.mark.parametrize(
    "given",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example",
        "javascript:alert(1)",
        "/home/\nSet-Cookie: x",
        "/" + "a" * 2001,
    ],
)
def test_a_from_that_is_not_a_path_of_this_site_is_not_stored(student, given):
    logged_in(student).post(NEW, report_data(page_url=given))

    report = BugReport.objects.get()
    assert report.page_url is None


def test_a_screenshot_that_is_not_an_image_is_refused_and_nothing_is_stored(student):
    response = logged_in(student).post(
        NEW, report_data(screenshot=upload(pdf(), "screen.png", "image/png"))
    )

    assert response.status_code == 200
    message = "This type of file is not accepted here. Accepted: JPEG, PNG, WebP, GIF."
    assert response.context["form"].errors["screenshot"] == [message]
    assert message in response.content.decode()
    assert not BugReport.objects.exists()
    assert not File.objects.exists()


def test_a_screenshot_too_large_is_refused_before_it_is_read(student, settings):
    settings.FILE_BUCKETS = {
        **settings.FILE_BUCKETS,
        "bug-reports": {"public": False, "max_bytes": 100 * 1024},
    }
    big = png() + b"\0" * 300 * 1024

    response = logged_in(student).post(
        NEW + "?from=/home/", report_data(screenshot=upload(big, "big.png", "image/png"))
    )

    assert response.status_code == 413
    content = response.content.decode()
    assert "The file is too large: the limit is 100.0\xa0KB." in content
    assert "Nothing was sent" in content
    assert 'value="/home/"' in content  # the page it came from is kept
    assert not BugReport.objects.exists()
    assert not File.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"title": "x" * 201}, "title", "at most 200 characters"),
        ({"description": "y" * 5001}, "description", "at most 5000 characters"),
        ({"severity": "apocalyptic"}, "severity", "Select a valid choice."),
    ],
)
def test_bad_input_gets_a_clear_message_and_stores_nothing(student, changes, field, message):
    response = logged_in(student).post(NEW, report_data(**changes))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not BugReport.objects.exists()


def test_the_eleventh_report_in_an_hour_is_refused(student, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "bug_report": "2/h"}
    client = logged_in(student)
    for _ in range(2):
        assert client.post(NEW, report_data()).status_code == 302

    response = client.post(NEW, report_data())

    assert response.status_code == 429
    assert BugReport.objects.count() == 2


# --- reading my reports -----------------------------------------------------------------


def test_my_reports_lists_only_mine_with_their_status(student, organization, outsider):
    mine = a_report(student, title="My upload bug", status=BugReportStatus.RESOLVED)
    classmate = ProfileFactory(organization=organization)
    theirs = a_report(classmate, title="Classmate's bug")
    foreign = a_report(outsider, title="Other academy's bug")

    content = logged_in(student).get(MINE).content.decode()

    assert detail_url(mine) in content
    assert "Resolved" in content
    assert detail_url(theirs) not in content
    assert detail_url(foreign) not in content


def test_my_reports_keeps_a_flat_query_count(student):
    client = logged_in(student)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(MINE).status_code == 200
        return len(captured)

    for number in range(2):
        a_report(student, title=f"Bug {number}")
    with_two = queries()
    for number in range(15):
        a_report(student, title=f"More {number}", answer="Fixed.")
    with_seventeen = queries()

    assert with_seventeen == with_two


def test_my_reports_pages_by_key_without_gaps_or_repeats(student):
    for number in range(MY_REPORTS_PAGE_SIZE + 5):
        a_report(student, title=f"Bug {number:02d}")
    client = logged_in(student)

    first = client.get(MINE).context["page"]
    second = client.get(MINE, {"after": first.next_cursor}).context["page"]

    assert len(first.reports) == MY_REPORTS_PAGE_SIZE
    assert len(second.reports) == 5 and second.next_cursor is None
    seen = [report.pk for report in first.reports + second.reports]
    assert len(set(seen)) == MY_REPORTS_PAGE_SIZE + 5


def test_a_tampered_cursor_is_a_clear_400(student):
    response = logged_in(student).get(MINE, {"after": "not-a-cursor"})

    assert response.status_code == 400


def test_the_report_page_shows_the_answer_to_its_reporter(student):
    report = a_report(
        student,
        title="Leaderboard ties",
        description="Order changes <b>on reload</b>",
        answer="Fixed: ties now sort by name.",
        status=BugReportStatus.RESOLVED,
        severity=BugReportSeverity.LOW,
    )

    content = logged_in(student).get(detail_url(report)).content.decode()

    assert "Fixed: ties now sort by name." in content
    assert "Resolved" in content
    assert "&lt;b&gt;on reload&lt;/b&gt;" in content  # the reporter's text is escaped


@pytest.mark.parametrize("person", ["teacher", "admin_user", "outsider", "superuser"])
def test_anyone_elses_report_page_answers_404(request, student, person):
    report = a_report(student)

    response = logged_in(request.getfixturevalue(person)).get(detail_url(report))

    assert response.status_code == 404


def test_a_missing_report_answers_404_too(student):
    response = logged_in(student).get("/bugs/00000000-0000-0000-0000-000000000000/")

    assert response.status_code == 404


# --- where the link is ------------------------------------------------------------------


def test_signed_in_pages_link_to_report_a_problem_from_where_the_person_is(student):
    content = logged_in(student).get("/notifications/?x=1").content.decode()

    # In the footer and in the phone menu, with the page as ?from=.
    assert content.count('href="/bugs/new/?from=/notifications/%3Fx%3D1"') == 2
    assert "Report a problem" in content


def test_the_profile_page_links_to_reports(student):
    content = logged_in(student).get(reverse("people:me")).content.decode()

    assert 'href="/bugs/new/?from=/people/me/"' in content
    assert 'href="/bugs/"' in content


@pytest.mark.parametrize("url", ["/", "/inquiry/", "/accounts/login/"])
def test_anonymous_pages_have_no_report_link(client, url):
    content = client.get(url).content.decode()

    assert "/bugs/new/" not in content
