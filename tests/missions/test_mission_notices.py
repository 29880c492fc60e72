"""new_mission_notices_send and deadline_reminders_send: who is told, when, and once."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext

from missions.models import MissionNotice, NoticeKind
from missions.notices import deadline_reminders_send, new_mission_notices_send
from notifications.models import Notification
from tests.factories import (
    JourneyFactory,
    PostFactory,
    TeamFactory,
    TeamMemberFactory,
    UserJourneyFactory,
)

pytestmark = pytest.mark.usefixtures("english")
HOUR = dt.timedelta(hours=1)


def told(kind: str) -> set[str]:
    """E-mails of everyone holding a notification of type ``kind``."""
    return set(Notification.objects.filter(type=kind).values_list("receiver__email", flat=True))


# --- "a new mission is open" -------------------------------------------------------


def test_students_of_the_journey_hear_of_a_mission_that_just_opened(
    journey, student, teacher, schedule, enrol, now
):
    classmate = enrol(journey, email="classmate@example.test")
    instance = schedule(journey, opens=-1, closes=+48, mission__name="Write a prompt")

    assert new_mission_notices_send(now=now) == 2

    assert told("new_mission") == {student.email, classmate.email}
    notification = Notification.objects.get(receiver=student)
    assert notification.message == "New mission in AI Automation: Write a prompt"
    assert notification.link == reverse("missions:plan", args=[journey.pk])
    assert set(MissionNotice.objects.values_list("profile_id", "kind", "mission_instance")) == {
        (student.pk, NoticeKind.RELEASED, instance.pk),
        (classmate.pk, NoticeKind.RELEASED, instance.pk),
    }


def test_the_new_mission_notice_is_in_the_receivers_language(
    journey, student, schedule, now, settings
):
    # The worker runs in English; the receiver reads the site's language (Korean).
    settings.LANGUAGE_CODE = "ko"
    schedule(journey, opens=-1, closes=+48, mission__name="Write a prompt")
    with translation.override("en"):
        new_mission_notices_send(now=now)
    with translation.override("ko"):
        expected = gettext("New mission in {journey}: {mission}").format(
            journey="AI Automation", mission="Write a prompt"
        )
    assert Notification.objects.get(receiver=student).message == expected


@pytest.mark.parametrize(
    "opens, closes",
    [
        (+1, +48),  # not open yet
        (-25, +48),  # opened more than a day ago: too old to announce
        (-72, -1),  # already closed
    ],
)
def test_missions_outside_the_window_are_not_announced(journey, schedule, now, opens, closes):
    schedule(journey, opens=opens, closes=closes)
    assert new_mission_notices_send(now=now) == 0
    assert not Notification.objects.exists() and not MissionNotice.objects.exists()


def test_the_notice_goes_out_once_across_runs(journey, student, schedule, now):
    schedule(journey, opens=-1, closes=+48)
    assert new_mission_notices_send(now=now) == 1
    assert new_mission_notices_send(now=now + 5 * dt.timedelta(minutes=1)) == 0
    assert Notification.objects.filter(receiver=student, type="new_mission").count() == 1


def test_teachers_inactive_and_deleted_people_are_not_told(
    journey, student, teacher, schedule, enrol, now
):
    enrol(journey, is_active=False)
    enrol(journey, deleted_at=timezone.now())
    schedule(journey, opens=-1, closes=+48)
    new_mission_notices_send(now=now)
    assert told("new_mission") == {student.email}


def test_other_journeys_students_are_untouched(
    journey, student, schedule, enrol, organization, now
):
    other = JourneyFactory(organization=organization)
    other_student = enrol(other, email="other@example.test")
    schedule(other, opens=+5, closes=+48)  # the other journey's mission is not open
    schedule(journey, opens=-1, closes=+48)
    new_mission_notices_send(now=now)
    assert told("new_mission") == {student.email}
    assert not Notification.objects.filter(receiver=other_student).exists()


def test_a_student_enrolled_later_is_told_on_the_next_run_while_the_mission_is_new(
    journey, student, schedule, enrol, now
):
    schedule(journey, opens=-1, closes=+48)
    new_mission_notices_send(now=now)
    latecomer = enrol(journey, email="late@example.test")

    assert new_mission_notices_send(now=now + 10 * dt.timedelta(minutes=1)) == 1

    assert told("new_mission") == {student.email, latecomer.email}
    assert Notification.objects.filter(receiver=student).count() == 1


def test_a_student_enrolled_after_the_window_is_not_told(journey, student, schedule, enrol, now):
    schedule(journey, opens=-1, closes=+48)
    new_mission_notices_send(now=now)
    latecomer = enrol(journey, email="late@example.test")

    assert new_mission_notices_send(now=now + 24 * HOUR) == 0

    assert not Notification.objects.filter(receiver=latecomer).exists()


# --- "it closes within a day" ------------------------------------------------------


def seoul_time(moment: dt.datetime) -> str:
    zone = zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIMEZONE)
    return dateformat.format(timezone.localtime(moment, zone), "Y.m.d H:i")


def test_students_who_have_not_submitted_are_reminded_with_the_closing_time(
    journey, student, teacher, schedule, enrol, now
):
    submitted = enrol(journey, email="done@example.test")
    instance = schedule(journey, opens=-48, closes=+10, mission__name="Write a prompt")
    PostFactory(mission_instance=instance, user=submitted)

    assert deadline_reminders_send(now=now) == 1

    assert told("deadline") == {student.email}
    notification = Notification.objects.get(receiver=student)
    assert notification.message == (
        f"Write a prompt in AI Automation closes at {seoul_time(instance.expiry_date)}. "
        "Submit it before then!"
    )
    assert notification.link == reverse("community:submit", args=[journey.pk, instance.pk])


@pytest.mark.parametrize(
    "opens, closes",
    [
        (-48, +30),  # more than a day left
        (-48, -1),  # closed
        (+1, +5),  # closes within a day, but has not opened yet
    ],
)
def test_no_reminder_outside_the_last_day_of_an_open_mission(journey, schedule, now, opens, closes):
    schedule(journey, opens=opens, closes=closes)
    assert deadline_reminders_send(now=now) == 0
    assert not Notification.objects.exists() and not MissionNotice.objects.exists()


def test_the_reminder_goes_out_once_across_runs(journey, student, schedule, now):
    schedule(journey, opens=-48, closes=+20)
    assert deadline_reminders_send(now=now) == 1
    assert deadline_reminders_send(now=now + 15 * dt.timedelta(minutes=1)) == 0
    assert Notification.objects.filter(receiver=student, type="deadline").count() == 1


def test_team_mates_of_a_team_that_submitted_are_not_reminded(
    journey, student, schedule, enrol, now
):
    mate, rival = enrol(journey, email="mate@example.test"), enrol(journey, email="r@example.test")
    done_team, idle_team = TeamFactory(journey=journey), TeamFactory(journey=journey)
    TeamMemberFactory(team=done_team, user=student, is_leader=True)
    TeamMemberFactory(team=done_team, user=mate)
    TeamMemberFactory(team=idle_team, user=rival, is_leader=True)
    instance = schedule(journey, opens=-48, closes=+10, mission__mission_type="team")
    PostFactory(mission_instance=instance, user=mate, team=done_team, is_team_submission=True)

    deadline_reminders_send(now=now)

    assert told("deadline") == {rival.email}


def test_a_team_post_of_another_journey_does_not_count(
    journey, student, schedule, organization, now
):
    other = JourneyFactory(organization=organization)
    UserJourneyFactory(journey=other, user=student)
    other_team = TeamFactory(journey=other)
    TeamMemberFactory(team=other_team, user=student)
    instance = schedule(journey, opens=-48, closes=+10)
    other_instance = schedule(other, opens=-48, closes=+30)
    PostFactory(
        mission_instance=other_instance, user=student, team=other_team, is_team_submission=True
    )

    deadline_reminders_send(now=now)

    assert set(MissionNotice.objects.values_list("mission_instance", flat=True)) == {instance.pk}


def test_other_journeys_are_untouched_by_reminders(
    journey, student, schedule, enrol, organization, now
):
    other = JourneyFactory(organization=organization)
    other_student = enrol(other, email="other@example.test")
    schedule(other, opens=-48, closes=+40)
    schedule(journey, opens=-48, closes=+10)
    deadline_reminders_send(now=now)
    assert told("deadline") == {student.email}
    assert not Notification.objects.filter(receiver=other_student).exists()


def test_reminders_and_new_mission_notices_are_separate(journey, student, schedule, now):
    schedule(journey, opens=-1, closes=+10)  # new and closing soon: both notes, once each
    new_mission_notices_send(now=now)
    deadline_reminders_send(now=now)
    new_mission_notices_send(now=now)
    deadline_reminders_send(now=now)
    assert sorted(Notification.objects.values_list("type", flat=True)) == [
        "deadline",
        "new_mission",
    ]


# --- set-based: queries do not grow with the number of students -----------------------


@pytest.mark.parametrize("students", [1, 25])
def test_telling_a_class_takes_a_fixed_number_of_queries_per_mission(
    journey, schedule, enrol, now, students, django_assert_num_queries
):
    """The real notification service included (nothing stubbed): the in-app rows
    of a whole class are one INSERT; e-mail and push are the fan-out worker's."""
    for _ in range(students - 1):
        enrol(journey)
    schedule(journey, opens=-1, closes=+10)
    schedule(journey, opens=-2, closes=+12)
    # Per run: the instances; per instance: savepoint, INSERT … RETURNING, the
    # new receivers, the notifications' savepoint, INSERT and release, release.
    with django_assert_num_queries(1 + 2 * 7):
        new_mission_notices_send(now=now)
    with django_assert_num_queries(1 + 2 * 7):
        deadline_reminders_send(now=now)
    assert Notification.objects.count() == 2 * 2 * students
    # Later runs find nobody new: the notices' INSERT, nothing more to send.
    with django_assert_num_queries(1 + 2 * 3):
        new_mission_notices_send(now=now)
