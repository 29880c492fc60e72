"""A "Not submitted yet" group too long to list on the tab: its count and
"Remind all" stay on the tab, its students open a page at a time (htmx loads
them into the group when it is opened; without JavaScript they are a page of
their own), paged by key, with "Remind" on each row coming back to that page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.selectors import public_name
from community.models import Post
from missions.models import MissionReminder
from notifications.models import Notification
from submissions.selectors import MISSING_LISTED_MAX, MISSING_PAGE_SIZE
from tests.factories import JourneyFactory, JourneyWeekFactory, MissionInstanceFactory
from tests.submissions.conftest import enrol_students, sort_key

pytestmark = pytest.mark.usefixtures("english")

HTMX = {"HX-Request": "true"}


@pytest.fixture
def crowd(organization):
    """A class of 130: 120 have not submitted the open mission, 3 the nearly
    done one; a closed mission and one not released yet."""
    now = timezone.now()
    journey = JourneyFactory(organization=organization)
    week = JourneyWeekFactory(journey=journey, week_number=1)
    open_one = MissionInstanceFactory(journey_week=week)
    nearly = MissionInstanceFactory(journey_week=week)
    closed = MissionInstanceFactory(
        journey_week=week,
        release_date=now - dt.timedelta(days=5),
        expiry_date=now - dt.timedelta(days=1),
    )
    later = MissionInstanceFactory(
        journey_week=week,
        release_date=now + dt.timedelta(days=1),
        expiry_date=now + dt.timedelta(days=5),
    )
    students = sorted(enrol_students(journey, 130), key=sort_key)
    Post.objects.bulk_create(
        [
            Post(mission_instance=open_one, journey=journey, user=p, title="x")
            for p in students[::13]
        ]
        + [Post(mission_instance=nearly, journey=journey, user=p, title="x") for p in students[3:]]
    )
    missing = [p for index, p in enumerate(students) if index % 13]
    return type(
        "Crowd",
        (),
        {
            "journey": journey,
            "week": week,
            "open": open_one,
            "nearly": nearly,
            "closed": closed,
            "later": later,
            "students": students,
            "missing": missing,
            "url": reverse("submissions:index", args=[journey.pk]),
            "remind_url": reverse("submissions:remind", args=[journey.pk]),
        },
    )


def missing_url(crowd, instance=None) -> str:
    return reverse("submissions:missing", args=[crowd.journey.pk, (instance or crowd.open).pk])


def names_in(html: str) -> list[str]:
    return re.findall(r'<span class="missing-row__name">([^<]+)</span>', html)


def test_a_long_group_shows_its_count_and_remind_all_but_no_names(client, teacher, crowd):
    client.force_login(teacher)
    html = client.get(crowd.url).content.decode()
    assert len(crowd.missing) == 120 > MISSING_LISTED_MAX
    group = html.split(crowd.open.mission.name, 1)[1].split("</details>", 1)[0]
    assert "120 students have not submitted" in group
    assert "Remind all 120 students" in group
    assert 'name="student"' not in group  # no row, no per-student button
    url = missing_url(crowd)
    assert f'hx-get="{url}" hx-trigger="toggle once"' in html  # loaded when opened
    assert f'<a href="{url}">See who: 120 students</a>' in group  # without JavaScript
    # The short group lists its three students, open.
    short = html.split(crowd.nearly.mission.name, 1)[1].split("</details>", 1)[0]
    assert names_in(short) == [public_name(p) for p in crowd.students[:3]]


def test_the_page_of_a_mission_lists_its_missing_students_by_key(client, teacher, crowd):
    client.force_login(teacher)
    first = client.get(missing_url(crowd))
    assert first.status_code == 200
    html = first.content.decode()
    assert names_in(html) == [public_name(p) for p in crowd.missing[:MISSING_PAGE_SIZE]]
    assert "120 students have not submitted" in html
    assert '<input type="hidden" name="back" value="missing">' in html
    cursor = first.context["page"].next_cursor
    assert f'href="{missing_url(crowd)}?after={cursor}"' in html
    second = client.get(missing_url(crowd), {"after": cursor})
    expected = crowd.missing[MISSING_PAGE_SIZE : 2 * MISSING_PAGE_SIZE]
    assert names_in(second.content.decode()) == [public_name(p) for p in expected]
    assert f'<input type="hidden" name="after" value="{cursor}">' in second.content.decode()


def test_with_htmx_the_group_gets_rows_only(client, teacher, crowd):
    client.force_login(teacher)
    response = client.get(missing_url(crowd), headers=HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert html.strip().startswith('<li class="missing-row">')
    assert names_in(html) == [public_name(p) for p in crowd.missing[:MISSING_PAGE_SIZE]]
    assert 'hx-target="closest li" hx-swap="outerHTML"' in html  # "Show more students"
    cursor = re.search(r"after=([\w-]+)", html).group(1)
    more = client.get(missing_url(crowd), {"after": cursor}, headers=HTMX).content.decode()
    assert names_in(more) == [
        public_name(p) for p in crowd.missing[MISSING_PAGE_SIZE : 2 * MISSING_PAGE_SIZE]
    ]
    last = client.get(missing_url(crowd), {"after": _last_cursor(client, crowd)}, headers=HTMX)
    assert "missing-more" not in last.content.decode()


def _last_cursor(client, crowd) -> str:
    after = None
    while True:
        page = client.get(missing_url(crowd), {"after": after} if after else {}).context["page"]
        if not page.next_cursor:
            return after
        after = page.next_cursor


def test_reminding_from_the_page_without_javascript_comes_back_to_it(client, teacher, crowd):
    client.force_login(teacher)
    cursor = client.get(missing_url(crowd)).context["page"].next_cursor
    someone = crowd.missing[MISSING_PAGE_SIZE]
    data = {
        "instance": str(crowd.open.pk),
        "student": str(someone.pk),
        "back": "missing",
        "after": cursor,
        "week": str(crowd.week.pk),
    }
    response = client.post(crowd.remind_url, data)
    assert response.status_code == 302
    assert response.url == f"{missing_url(crowd)}?week={crowd.week.pk}&after={cursor}"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Reminded {public_name(someone)} to submit {crowd.open.mission.name}."
    ]
    page = client.get(response.url).content.decode()
    assert "Reminded today" in page


def test_remind_all_from_the_page_reminds_the_whole_class_once(client, teacher, crowd):
    client.force_login(teacher)
    data = {"instance": str(crowd.open.pk), "back": "missing"}
    response = client.post(crowd.remind_url, data)
    assert response.url == missing_url(crowd)
    assert MissionReminder.objects.filter(mission_instance=crowd.open).count() == 120
    assert Notification.objects.filter(type="deadline").count() == 120
    html = client.get(crowd.url).content.decode()
    group = html.split(crowd.open.mission.name, 1)[1].split("</details>", 1)[0]
    assert "Remind all" not in group  # everyone missing was reminded today


def test_a_closed_mission_lists_its_students_without_remind_buttons(client, teacher, crowd):
    client.force_login(teacher)
    html = client.get(missing_url(crowd, crowd.closed)).content.decode()
    assert len(names_in(html)) == MISSING_PAGE_SIZE
    assert 'name="student"' not in html and "Remind all" not in html
    assert "This mission has closed: nobody can be reminded of it." in html


def test_the_page_runs_the_same_queries_for_any_page(client, teacher, crowd):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(teacher)
    client.get(missing_url(crowd))
    counts = []
    for params in ({}, {"after": client.get(missing_url(crowd)).context["page"].next_cursor}):
        with CaptureQueriesContext(connection) as queries:
            client.get(missing_url(crowd), params)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 9


# --- refusals ---------------------------------------------------------------------------


def test_a_mission_not_released_yet_or_of_another_journey_is_404(
    client, teacher, crowd, organization
):
    client.force_login(teacher)
    assert client.get(missing_url(crowd, crowd.later)).status_code == 404
    elsewhere = MissionInstanceFactory(journey_week__journey__organization=organization)
    assert client.get(missing_url(crowd, elsewhere)).status_code == 404


@pytest.mark.parametrize("who", ["student", "outsider"])
def test_students_and_other_academies_get_404(client, crowd, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(missing_url(crowd)).status_code == 404
    assert client.get(missing_url(crowd), headers=HTMX).status_code == 404


def test_a_cursor_we_did_not_write_is_a_bad_request(client, teacher, crowd):
    client.force_login(teacher)
    for headers in ({}, HTMX):
        response = client.get(missing_url(crowd), {"after": "nope!"}, headers=headers)
        assert response.status_code == 400
