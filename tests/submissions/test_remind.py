"""Reminding students who have not submitted an open mission: one "deadline"
notification per student, mission and day, whatever is clicked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from missions.models import MissionReminder
from notifications.models import Notification
from submissions.services import (
    ReminderRefused,
    mission_reminder_send,
    mission_reminders_send_all,
)
from submissions.totals import reminder_day
from tests.factories import JourneyFactory, MissionInstanceFactory, UserJourneyFactory

pytestmark = pytest.mark.usefixtures("english")


def remind(client, klass, student=None, instance=None, htmx=False, **extra):
    client.force_login(klass.teacher)
    data = {"instance": str((instance or klass.sheet).pk), **extra}
    if student is not None:
        data["student"] = str(student.pk)
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(klass.remind_url, data, headers=headers)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def reminders_for(profile) -> list[Notification]:
    return list(Notification.objects.filter(receiver=profile, type="deadline"))


def test_remind_sends_a_deadline_notification_linking_to_the_submit_page(client, klass):
    response = remind(client, klass, klass.student)
    assert response.status_code == 302
    assert response.url == klass.url
    assert messages_of(response) == ["Reminded Minji Kim to submit Sheet."]
    [notification] = reminders_for(klass.student)
    assert notification.message.startswith("Your teacher reminds you: Sheet in AI 자동화")
    assert notification.link == reverse("community:submit", args=[klass.journey.pk, klass.sheet.pk])
    reminder = MissionReminder.objects.get()
    assert (reminder.profile, reminder.sent_by, reminder.sent_on) == (
        klass.student,
        klass.teacher,
        reminder_day(timezone.now(), klass.student),
    )


def test_a_second_click_the_same_day_sends_nothing_and_says_so(client, klass):
    remind(client, klass, klass.student)
    response = remind(client, klass, klass.student)
    assert messages_of(response)[-1:] == [
        "Minji Kim was already reminded about Sheet today; a student gets one reminder a day."
    ]
    assert len(reminders_for(klass.student)) == 1
    assert MissionReminder.objects.count() == 1


def test_the_next_day_the_student_can_be_reminded_again(klass):
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert mission_reminder_send(instance=klass.sheet, student=klass.student, sent_by=klass.teacher)
    assert mission_reminder_send(
        instance=klass.sheet, student=klass.student, sent_by=klass.teacher, now=tomorrow
    )
    assert len(reminders_for(klass.student)) == 2


def test_the_page_then_shows_reminded_today_instead_of_the_button(client, klass):
    remind(client, klass, klass.student)
    html = client.get(klass.url).content.decode()
    assert "Reminded today" in html
    assert html.count('name="student"') == 2  # the teammate and the classmate


def test_with_htmx_the_row_replaces_itself(client, klass):
    response = remind(client, klass, klass.student, htmx=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<li class="missing-row missing-row--reminded">')
    assert "Reminded today" in html and "Reminded Minji Kim to submit Sheet." in html
    # Nothing is left in the session for the next page to show.
    assert messages_of(response) == []


def test_remind_all_reminds_everyone_missing_once(client, klass):
    remind(client, klass, klass.student)
    response = remind(client, klass)  # no student: everyone missing
    assert messages_of(response)[-1] == "Reminded 1 student to submit Sheet."
    assert len(reminders_for(klass.student)) == 1
    assert len(reminders_for(klass.teammate)) == 1
    assert reminders_for(klass.classmate) == []  # submitted the sheet
    response = remind(client, klass)
    assert "was already reminded today; nobody was reminded again." in messages_of(response)[-1]
    assert Notification.objects.filter(type="deadline").count() == 2


def test_the_week_filter_is_kept_on_the_way_back(client, klass):
    week = klass.weeks[1].pk
    response = remind(client, klass, klass.student, week=str(week))
    assert response.url == f"{klass.url}?week={week}"


def test_two_teachers_reminding_at_once_send_one_notification(klass, admin_user):
    # The unique row decides: the second insert finds today's row and sends nothing.
    first = mission_reminder_send(
        instance=klass.sheet, student=klass.student, sent_by=klass.teacher
    )
    second = mission_reminder_send(instance=klass.sheet, student=klass.student, sent_by=admin_user)
    assert (first, second) == (True, False)
    assert len(reminders_for(klass.student)) == 1


# --- bad input ------------------------------------------------------------------------


def test_a_closed_mission_is_refused_with_a_message_and_nothing_sent(client, klass):
    response = remind(client, klass, klass.teammate, instance=klass.intro)
    assert messages_of(response) == [
        "This mission has closed; students can no longer submit it, so nobody was reminded."
    ]
    assert not Notification.objects.exists() and not MissionReminder.objects.exists()
    response = remind(client, klass, instance=klass.intro)  # remind all
    assert "This mission has closed" in messages_of(response)[0]
    assert not Notification.objects.exists()


def test_a_mission_not_open_yet_is_refused(client, klass):
    response = remind(client, klass, klass.student, instance=klass.retro)
    assert messages_of(response) == ["This mission is not open yet, so nobody was reminded."]
    assert not Notification.objects.exists()


def test_a_student_who_submitted_is_refused_with_a_message(client, klass):
    response = remind(client, klass, klass.classmate)
    assert messages_of(response) == [
        "Sora Park has already submitted this mission, so there is nothing to remind."
    ]
    assert not Notification.objects.exists() and not MissionReminder.objects.exists()


def test_a_team_submission_counts_as_submitted_for_every_member(client, klass):
    response = remind(client, klass, klass.student, instance=klass.pitch)
    assert "Minji Kim has already submitted this mission" in messages_of(response)[0]
    assert not Notification.objects.exists()


def test_htmx_shows_the_refusal_in_the_row(client, klass):
    response = remind(client, klass, klass.classmate, htmx=True)
    html = response.content.decode()
    assert "missing-row__message--error" in html
    assert "already submitted this mission" in html
    assert not Notification.objects.exists()


def test_a_student_of_another_journey_is_404(client, klass, organization):
    other = JourneyFactory(organization=organization)
    stranger = UserJourneyFactory(journey=other).user
    assert remind(client, klass, stranger).status_code == 404
    assert not Notification.objects.exists()


def test_the_teacher_is_not_a_student_to_remind(client, klass):
    assert remind(client, klass, klass.teacher).status_code == 404


def test_a_mission_of_another_journey_is_404(client, klass, organization):
    elsewhere = MissionInstanceFactory(journey_week__journey__organization=organization)
    assert remind(client, klass, klass.student, instance=elsewhere).status_code == 404
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "data", [{}, {"instance": "nope"}, {"instance": "", "student": "x"}, {"student": "1"}]
)
def test_a_malformed_form_is_404_and_changes_nothing(client, klass, data):
    client.force_login(klass.teacher)
    assert client.post(klass.remind_url, data).status_code == 404
    assert not MissionReminder.objects.exists()


def test_remind_is_post_only(client, klass):
    client.force_login(klass.teacher)
    assert client.get(klass.remind_url).status_code == 405


def test_the_service_refuses_what_the_view_refuses(klass):
    with pytest.raises(ReminderRefused):
        mission_reminders_send_all(instance=klass.intro, sent_by=klass.teacher)
    with pytest.raises(ReminderRefused):
        mission_reminder_send(instance=klass.sheet, student=klass.classmate, sent_by=klass.teacher)
