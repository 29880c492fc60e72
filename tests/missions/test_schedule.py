"""Scheduling library missions into a journey's weeks: dates on the teacher's
calendar, release before expiry, a warning outside the journey's dates,
rescheduling, reopening and extending, detaching; the status follows at once."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from missions.models import JourneyMissionInstance, MissionNotice, MissionStatus
from missions.notices import new_mission_notices_send
from missions.services import (
    extended_expiry,
    instance_reschedule,
    mission_instance_status_sync,
    mission_statuses_sync,
)
from notifications.models import Notification
from tests.factories import (
    JourneyFactory,
    JourneyWeekFactory,
    MissionFactory,
    MissionInstanceFactory,
    PostFactory,
)

pytestmark = pytest.mark.usefixtures("english")
SEOUL = ZoneInfo("Asia/Seoul")
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


def local_input(moment: dt.datetime) -> str:
    """What a teacher in Seoul types into a datetime-local input."""
    return timezone.localtime(moment, SEOUL).strftime("%Y-%m-%dT%H:%M")


def plan_url(journey) -> str:
    return reverse("missions:plan", args=[journey.pk])


def create_url(journey, week) -> str:
    return reverse("missions:instance_create", args=[journey.pk, week.pk])


def edit_url(journey, instance) -> str:
    return reverse("missions:instance_edit", args=[journey.pk, instance.pk])


def detach_url(journey, instance) -> str:
    return reverse("missions:instance_detach", args=[journey.pk, instance.pk])


@pytest.fixture
def week(journey):
    return JourneyWeekFactory(journey=journey, week_number=1, name="Kick-off")


@pytest.fixture
def mission(organization):
    return MissionFactory(organization=organization, name="Bike chart", points=30)


@pytest.fixture
def window(now):
    """Tomorrow 09:00 to next week 23:59 (Seoul), inside the journey's dates."""
    tomorrow = timezone.localtime(now, SEOUL).date() + DAY
    opens = dt.datetime.combine(tomorrow, dt.time(9, 0), tzinfo=SEOUL)
    closes = dt.datetime.combine(tomorrow + 6 * DAY, dt.time(23, 59), tzinfo=SEOUL)
    return opens, closes


def schedule_fields(mission, opens, closes) -> dict:
    return {
        "mission": str(mission.pk),
        "release_date": local_input(opens),
        "expiry_date": local_input(closes),
    }


# --- access -------------------------------------------------------------------------------


def test_a_student_gets_404_on_every_schedule_url(client, student, journey, week, mission, window):
    instance = MissionInstanceFactory(journey_week=week)
    client.force_login(student)
    fields = schedule_fields(mission, *window)
    for address in (
        create_url(journey, week),
        edit_url(journey, instance),
        detach_url(journey, instance),
    ):
        assert client.get(address).status_code == 404
        assert client.post(address, fields).status_code == 404
    assert client.post(edit_url(journey, instance), {"extend_days": "7"}).status_code == 404
    assert list(JourneyMissionInstance.objects.all()) == [instance]


def test_another_organization_gets_404(client, outsider, journey, week, mission, window):
    instance = MissionInstanceFactory(journey_week=week)
    client.force_login(outsider)
    assert (
        client.post(create_url(journey, week), schedule_fields(mission, *window)).status_code == 404
    )
    assert client.post(detach_url(journey, instance)).status_code == 404
    assert JourneyMissionInstance.objects.count() == 1


def test_an_instance_of_another_journey_answers_404(client, teacher, journey, organization):
    elsewhere = MissionInstanceFactory(
        journey_week__journey=JourneyFactory(organization=organization)
    )
    client.force_login(teacher)
    assert client.get(edit_url(journey, elsewhere)).status_code == 404
    assert client.post(edit_url(journey, elsewhere), {"extend_days": "1"}).status_code == 404
    assert client.post(detach_url(journey, elsewhere)).status_code == 404
    assert JourneyMissionInstance.objects.filter(pk=elsewhere.pk).exists()


# --- scheduling ----------------------------------------------------------------------------


def test_the_form_offers_only_the_organizations_missions(client, teacher, journey, week, mission):
    MissionFactory(name="Foreign mission")
    client.force_login(teacher)
    page = client.get(create_url(journey, week)).content.decode()
    assert "Bike chart · Individual · 30 PT" in page
    assert "Foreign mission" not in page
    assert 'type="datetime-local"' in page
    assert "Asia/Seoul" in page


def test_a_teacher_schedules_a_mission_in_her_time_zone(
    client, teacher, journey, week, mission, window
):
    opens, closes = window
    client.force_login(teacher)

    response = client.post(create_url(journey, week), schedule_fields(mission, opens, closes))

    instance = JourneyMissionInstance.objects.get()
    assert response.status_code == 302
    assert response.url == f"{plan_url(journey)}#mission-{instance.pk}"
    # 09:00 in Seoul is 00:00 UTC: stored as the same instant.
    assert instance.release_date == opens and instance.expiry_date == closes
    assert instance.release_date.astimezone(dt.UTC).hour == 0
    assert (instance.journey, instance.journey_week, instance.mission) == (journey, week, mission)
    assert instance.status == MissionStatus.NOT_STARTED


def test_an_admin_schedules_too_and_a_new_mission_comes_preselected(
    client, admin_user, journey, week, mission
):
    client.force_login(admin_user)
    page = client.get(create_url(journey, week) + f"?mission={mission.pk}").content.decode()
    assert f'<option value="{mission.pk}" selected>' in page


def test_a_mission_scheduled_to_open_now_is_in_progress_at_once(
    client, teacher, journey, week, mission, now
):
    client.force_login(teacher)
    fields = schedule_fields(mission, now - dt.timedelta(minutes=5), now + 3 * DAY)
    client.post(create_url(journey, week), fields)
    assert JourneyMissionInstance.objects.get().status == MissionStatus.IN_PROGRESS


@pytest.mark.parametrize("closes_after_opening", [dt.timedelta(0), -dt.timedelta(hours=1)])
def test_expiry_must_come_after_release(
    client, teacher, journey, week, mission, window, closes_after_opening
):
    opens, _ = window
    client.force_login(teacher)

    response = client.post(
        create_url(journey, week), schedule_fields(mission, opens, opens + closes_after_opening)
    )

    assert response.status_code == 200
    assert "The mission must open before it closes" in response.content.decode()
    assert not JourneyMissionInstance.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("release_date", "", "Choose a date and time."),
        ("expiry_date", "next tuesday", "Enter a date and time"),
        ("mission", "", "Choose a mission from the library."),
        ("mission", "not-a-uuid", "Choose a mission from your academy"),
    ],
)
def test_missing_or_garbled_fields_are_refused(
    client, teacher, journey, week, mission, window, field, value, message
):
    client.force_login(teacher)
    fields = {**schedule_fields(mission, *window), field: value}
    response = client.post(create_url(journey, week), fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not JourneyMissionInstance.objects.exists()


def test_another_organizations_mission_cannot_be_scheduled(
    client, teacher, journey, week, mission, window, other_organization
):
    foreign = MissionFactory(organization=other_organization)
    client.force_login(teacher)

    response = client.post(create_url(journey, week), schedule_fields(foreign, *window))

    assert response.status_code == 200
    assert "Choose a mission from your academy&#x27;s library." in response.content.decode()
    assert not JourneyMissionInstance.objects.exists()


def test_a_window_outside_the_journey_is_saved_with_a_warning(
    client, teacher, journey, week, mission
):
    opens = dt.datetime.combine(journey.date_start - 2 * DAY, dt.time(9), tzinfo=SEOUL)
    client.force_login(teacher)

    response = client.post(
        create_url(journey, week), schedule_fields(mission, opens, opens + 3 * DAY), follow=True
    )

    page = response.content.decode()
    assert JourneyMissionInstance.objects.count() == 1
    assert "message--warning" in page
    assert "opens before the journey starts or closes after it ends" in page
    # The plan marks it for the teacher too.
    assert "Outside the journey's dates" in page


def test_closing_after_the_journey_ends_is_warned_too(client, teacher, journey, week, mission):
    closes = dt.datetime.combine(journey.date_end + DAY, dt.time(12), tzinfo=SEOUL)
    client.force_login(teacher)
    response = client.post(
        create_url(journey, week), schedule_fields(mission, closes - 3 * DAY, closes), follow=True
    )
    assert "message--warning" in response.content.decode()


def test_a_window_inside_the_journey_gets_no_warning(
    client, teacher, journey, week, mission, window
):
    # Closing at midnight right after the last day still counts as the last day.
    closes = dt.datetime.combine(journey.date_end + DAY, dt.time(0), tzinfo=SEOUL)
    client.force_login(teacher)
    response = client.post(
        create_url(journey, week), schedule_fields(mission, window[0], closes), follow=True
    )
    page = response.content.decode()
    assert "is scheduled in Kick-off." in page
    assert "message--warning" not in page and "Outside the journey" not in page


def test_the_form_suggests_the_weeks_window(client, teacher, journey, week, mission):
    client.force_login(teacher)
    page = client.get(create_url(journey, week)).content.decode()
    start = journey.date_start
    assert f'value="{start:%Y-%m-%d}T09:00"' in page
    assert f'value="{start + 6 * DAY:%Y-%m-%d}T23:59"' in page


def test_the_form_suggests_the_window_of_the_weeks_other_missions(
    client, teacher, journey, week, now
):
    sibling = MissionInstanceFactory(journey_week=week, release_date=now, expiry_date=now + DAY)
    client.force_login(teacher)
    page = client.get(create_url(journey, week)).content.decode()
    assert f'value="{local_input(sibling.release_date)}"' in page


def test_an_empty_library_points_to_writing_a_mission(client, teacher, journey, week):
    client.force_login(teacher)
    page = client.get(create_url(journey, week)).content.decode()
    assert "mission library is empty" in page
    assert reverse("missions:create") + "?next=" in page


# --- rescheduling, reopening, extending ------------------------------------------------------


@pytest.fixture
def closed(week, mission, now):
    return MissionInstanceFactory(
        journey_week=week,
        mission=mission,
        release_date=now - 9 * DAY,
        expiry_date=now - 2 * DAY,
        status=MissionStatus.COMPLETED,
    )


def test_the_edit_form_shows_the_dates_on_the_teachers_calendar(client, teacher, journey, closed):
    client.force_login(teacher)
    page = client.get(edit_url(journey, closed)).content.decode()
    assert f'value="{local_input(closed.release_date)}"' in page
    assert f'value="{local_input(closed.expiry_date)}"' in page
    assert "Reopen" in page


def test_reopening_a_closed_mission_with_a_new_expiry(client, teacher, journey, closed, now):
    client.force_login(teacher)
    new_expiry = (now + 3 * DAY).replace(second=0)

    response = client.post(
        edit_url(journey, closed),
        {"release_date": local_input(closed.release_date), "expiry_date": local_input(new_expiry)},
        follow=True,
    )

    closed.refresh_from_db()
    assert closed.expiry_date == new_expiry
    assert closed.status == MissionStatus.IN_PROGRESS
    assert "is open again until" in response.content.decode()


def test_rescheduling_into_the_future_makes_it_not_started(
    client, teacher, journey, closed, window
):
    client.force_login(teacher)
    client.post(
        edit_url(journey, closed),
        {"release_date": local_input(window[0]), "expiry_date": local_input(window[1])},
    )
    closed.refresh_from_db()
    assert (closed.release_date, closed.expiry_date) == window
    assert closed.status == MissionStatus.NOT_STARTED


def test_rescheduling_with_expiry_before_release_changes_nothing(
    client, teacher, journey, closed, now
):
    client.force_login(teacher)
    before = (closed.release_date, closed.expiry_date)

    response = client.post(
        edit_url(journey, closed),
        {"release_date": local_input(now + 2 * DAY), "expiry_date": local_input(now + DAY)},
    )

    assert "The mission must open before it closes" in response.content.decode()
    closed.refresh_from_db()
    assert (closed.release_date, closed.expiry_date) == before
    assert closed.status == MissionStatus.COMPLETED


def test_extending_an_open_mission_adds_days_to_its_expiry(client, teacher, journey, week, now):
    instance = MissionInstanceFactory(
        journey_week=week, release_date=now - DAY, expiry_date=now + DAY
    )
    client.force_login(teacher)

    client.post(edit_url(journey, instance), {"extend_days": "7"})

    instance.refresh_from_db()
    assert instance.expiry_date == now + 8 * DAY
    assert instance.status == MissionStatus.IN_PROGRESS


def test_plus_one_day_reopens_a_closed_mission_until_its_usual_hour(
    client, teacher, journey, week, now
):
    # It closed at 23:59 Seoul time two days ago; "+1 day" reopens it until
    # tomorrow 23:59, not until an odd minute.
    today = timezone.localtime(now, SEOUL).date()
    instance = MissionInstanceFactory(
        journey_week=week,
        release_date=now - 9 * DAY,
        expiry_date=dt.datetime.combine(today - 2 * DAY, dt.time(23, 59), tzinfo=SEOUL),
        status=MissionStatus.COMPLETED,
    )
    client.force_login(teacher)

    response = client.post(edit_url(journey, instance), {"extend_days": "1"}, follow=True)

    instance.refresh_from_db()
    assert instance.expiry_date == dt.datetime.combine(today + DAY, dt.time(23, 59), tzinfo=SEOUL)
    assert instance.status == MissionStatus.IN_PROGRESS
    assert "is open again until" in response.content.decode()


def test_extended_expiry_for_a_closed_mission_is_always_in_the_future(week, now):
    # Closed at 08:00; "+1 day" at 10:00 gives tomorrow 08:00.
    instance = MissionInstanceFactory.build(
        journey_week=week, release_date=now - 9 * DAY, expiry_date=now - 2 * DAY - 2 * HOUR
    )
    assert extended_expiry(instance, days=1, now=now, zone=SEOUL) > now


def test_an_unknown_extension_is_refused(client, teacher, journey, closed):
    client.force_login(teacher)
    before = closed.expiry_date
    response = client.post(edit_url(journey, closed), {"extend_days": "30"}, follow=True)
    assert "Choose how many days to add." in response.content.decode()
    closed.refresh_from_db()
    assert closed.expiry_date == before


def test_the_edit_page_offers_quick_buttons(client, teacher, journey, closed):
    client.force_login(teacher)
    page = client.get(edit_url(journey, closed)).content.decode()
    assert 'name="extend_days" value="1"' in page and 'name="extend_days" value="7"' in page
    assert "+1 day" in page and "+7 days" in page


# --- the notice is not sent twice ---------------------------------------------------------------


def test_rescheduling_does_not_announce_the_mission_again(journey, student, week, now):
    instance = MissionInstanceFactory(
        journey_week=week, release_date=now - 2 * HOUR, expiry_date=now + DAY
    )
    assert new_mission_notices_send(now=now) == 1

    # The teacher moves the opening a little and extends it.
    instance_reschedule(
        instance=instance, release_date=now - HOUR, expiry_date=now + 3 * DAY, now=now
    )

    assert new_mission_notices_send(now=now) == 0
    assert Notification.objects.filter(receiver=student, type="new_mission").count() == 1
    assert MissionNotice.objects.filter(mission_instance=instance).count() == 1


def test_a_mission_rescheduled_to_open_now_is_announced_once(journey, student, week, now):
    instance = MissionInstanceFactory(
        journey_week=week,
        release_date=now + 5 * DAY,
        expiry_date=now + 9 * DAY,
        status=MissionStatus.NOT_STARTED,
    )
    assert new_mission_notices_send(now=now) == 0

    instance_reschedule(instance=instance, release_date=now, expiry_date=now + DAY, now=now)

    assert new_mission_notices_send(now=now) == 1
    assert new_mission_notices_send(now=now) == 0


# --- the status rule is the beat task's ------------------------------------------------------


@pytest.mark.parametrize(
    ("opens", "closes"),
    [(+2, +30), (-2, +30), (-50, -1), (0, +3), (-50, 0)],
)
def test_one_instances_status_follows_the_same_rule_as_the_beat_task(
    journey, schedule, now, opens, closes
):
    one = schedule(journey, opens=opens, closes=closes, status=MissionStatus.SUBMITTED)
    twin = schedule(journey, opens=opens, closes=closes, status=MissionStatus.SUBMITTED)

    status = mission_instance_status_sync(instance=one, now=now)
    mission_statuses_sync(now=now)

    twin.refresh_from_db()
    assert status == one.status == twin.status
    one.refresh_from_db()
    assert one.status == twin.status


# --- detaching ---------------------------------------------------------------------------------


def test_detaching_asks_first_then_removes_the_instance(client, teacher, journey, week, mission):
    instance = MissionInstanceFactory(journey_week=week, mission=mission)
    client.force_login(teacher)
    page = client.get(detach_url(journey, instance)).content.decode()
    assert "Detach this mission?" in page
    assert JourneyMissionInstance.objects.filter(pk=instance.pk).exists()

    response = client.post(detach_url(journey, instance), follow=True)

    assert not JourneyMissionInstance.objects.filter(pk=instance.pk).exists()
    assert mission.__class__.objects.filter(pk=mission.pk).exists()
    assert "It stays in the mission library." in response.content.decode()


def test_an_instance_with_submissions_cannot_be_detached(client, teacher, journey, week):
    instance = MissionInstanceFactory(journey_week=week)
    PostFactory.create_batch(2, mission_instance=instance)
    client.force_login(teacher)

    page = client.get(detach_url(journey, instance)).content.decode()
    assert "This mission cannot be detached" in page

    response = client.post(detach_url(journey, instance), follow=True)

    assert JourneyMissionInstance.objects.filter(pk=instance.pk).exists()
    assert "has 2 submissions, so it cannot be detached." in response.content.decode()


# --- the plan tab's controls ---------------------------------------------------------------------


def mission_card(page: str, instance) -> str:
    match = re.search(rf'<li[^>]*id="mission-{instance.pk}".*?</li>', page, re.S)
    assert match, f"no card for {instance}"
    return match.group(0)


def test_each_instance_shows_its_submissions_and_controls(client, teacher, journey, week, now):
    busy = MissionInstanceFactory(journey_week=week)
    PostFactory.create_batch(3, mission_instance=busy)
    quiet = MissionInstanceFactory(journey_week=week)
    done = MissionInstanceFactory(
        journey_week=week, release_date=now - 5 * DAY, expiry_date=now - DAY
    )
    client.force_login(teacher)

    page = client.get(plan_url(journey)).content.decode()

    busy_card, quiet_card = mission_card(page, busy), mission_card(page, quiet)
    assert "3 submissions" in busy_card and "0 submissions" in quiet_card
    assert edit_url(journey, busy) in busy_card and "Change dates" in busy_card
    # Detaching is offered only where nothing was submitted.
    assert detach_url(journey, busy) not in busy_card
    assert detach_url(journey, quiet) in quiet_card
    assert "Reopen" in mission_card(page, done)


def test_the_teachers_plan_runs_the_same_queries_for_few_and_many_missions(
    client, teacher, journey, week, django_assert_num_queries
):
    PostFactory(mission_instance=MissionInstanceFactory(journey_week=week))
    client.force_login(teacher)
    client.get(plan_url(journey))  # warm up: the session row
    with django_assert_num_queries(5) as few:
        client.get(plan_url(journey))

    for _ in range(4):
        other_week = JourneyWeekFactory(journey=journey)
        for instance in MissionInstanceFactory.create_batch(5, journey_week=other_week):
            PostFactory.create_batch(2, mission_instance=instance)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(plan_url(journey))
    assert len(list(response.context["plan"].instances)) == 21
