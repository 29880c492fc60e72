"""Pages in the signed-in person's language and time zone (sqeeze.middleware
with core.moments): what they chose wins over the browser; without a choice
the browser's language and the site's default zone apply, as before."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation

from missions.models import MissionStatus
from sqeeze.middleware import UserTimezoneMiddleware
from tests.factories import JourneyWeekFactory, MissionInstanceFactory
from tests.scenarios import ClassScenario, MissionAt

BERLIN = ZoneInfo("Europe/Berlin")


def choose(person, *, language=None, zone=None):
    person.language, person.timezone = language, zone
    person.save(update_fields=["language", "timezone"])


def html_lang(response) -> str:
    return response.content.decode().split('<html lang="', 1)[1].split('"', 1)[0]


def test_a_chosen_language_wins_over_the_browsers(client, student):
    choose(student, language="en")
    client.force_login(student)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ko")
    assert html_lang(response) == "en"
    assert response["Content-Language"] == "en"


@pytest.mark.parametrize("browser", ["en", "ko"])
def test_without_a_choice_the_browser_decides_as_before(client, student, browser):
    client.force_login(student)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=browser)
    assert html_lang(response) == browser


def test_visitors_keep_the_browsers_language(client, db):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en")
    assert html_lang(response) == "en"


def seen_zone(request) -> str:
    names = []

    def view(request):
        names.append(timezone.get_current_timezone_name())
        return HttpResponse()

    UserTimezoneMiddleware(view)(request)
    return names[0]


def test_the_middleware_activates_the_persons_zone_else_the_default(rf, student, settings):
    settings.DEFAULT_USER_TIMEZONE = "Asia/Seoul"
    request = rf.get("/")
    request.user = student
    assert seen_zone(request) == "Asia/Seoul"
    choose(student, zone="Europe/Berlin")
    assert seen_zone(request) == "Europe/Berlin"
    # Not left behind for whatever runs next in this thread.
    assert timezone.get_current_timezone_name() == "UTC"


def test_a_teacher_schedules_on_her_own_clock(client, teacher, organization, settings):
    settings.LANGUAGE_CODE = "en"
    choose(teacher, language="en", zone="Europe/Berlin")
    week = JourneyWeekFactory(journey__organization=organization)
    closes = dt.datetime(2030, 5, 1, 21, 59, tzinfo=dt.UTC)  # 23:59 in Berlin (summer)
    instance = MissionInstanceFactory(journey_week=week, expiry_date=closes)
    client.force_login(teacher)

    url = reverse("missions:instance_edit", args=[week.journey_id, instance.pk])
    page = client.get(url).content.decode()

    assert "Times are on your calendar (Europe/Berlin)." in page
    assert 'value="2030-05-01T23:59"' in page


def test_reopening_keeps_the_closing_hour_on_the_teachers_clock(client, teacher, organization):
    choose(teacher, language="en", zone="Europe/Berlin")
    week = JourneyWeekFactory(journey__organization=organization)
    now = timezone.now()
    # Closed yesterday at 23:59 Berlin time.
    yesterday = timezone.localtime(now, BERLIN).date() - dt.timedelta(days=1)
    closed = dt.datetime.combine(yesterday, dt.time(23, 59), tzinfo=BERLIN)
    instance = MissionInstanceFactory(
        journey_week=week, release_date=closed - dt.timedelta(days=7), expiry_date=closed
    )
    client.force_login(teacher)

    response = client.post(
        reverse("missions:instance_edit", args=[week.journey_id, instance.pk]),
        {"extend_days": "1"},
        follow=True,
    )

    instance.refresh_from_db()
    local = timezone.localtime(instance.expiry_date, BERLIN)
    assert local.time() == dt.time(23, 59)
    assert instance.status == MissionStatus.IN_PROGRESS
    assert f"is open again until {local:%Y.%m.%d %H:%M}" in response.content.decode()


def test_a_refusal_names_the_opening_on_the_students_clock(client, student, organization):
    choose(student, language="en", zone="Europe/Berlin")
    scenario = ClassScenario.build(
        organization,
        students={"me": student},
        missions=(MissionAt("Essay", opens=dt.timedelta(days=2), closes=dt.timedelta(days=9)),),
    )
    essay = scenario.mission("Essay")
    client.force_login(student)

    with translation.override("ko"):  # whatever else was active
        response = client.get(
            reverse("community:submit", args=[scenario.journey.pk, essay.pk]), follow=True
        )

    opens = timezone.localtime(essay.release_date, BERLIN)
    assert f"This mission opens on {opens:%Y.%m.%d %H:%M}." in response.content.decode()
