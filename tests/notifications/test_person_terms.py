"""Every message a person receives is in their language and on their clock
(profiles.language, profiles.timezone through core.moments), also when a
worker renders it: a worker has no active language or zone, and one event
reaches people who read it differently.

The cast: a Korean teacher in Seoul, an English-reading student in Berlin and a
Korean student in Seoul, in one class.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from community.models import AchievementStatus
from community.services import post_submit
from grading.services import post_grade
from inquiries.models import Inquiry
from inquiries.notify import inquiry_operators_mail
from missions.models import MissionReminder
from missions.tasks import send_deadline_reminders
from notifications.models import Notification
from notifications.push_delivery import push_payload
from notifications.services import digest_preference_save
from submissions.digest import daily_digests_send
from submissions.services import mission_reminder_send
from tests.factories import MissionInstanceFactory, ProfileFactory
from tests.scenarios import ClassScenario, MissionAt, TeamOf

SEOUL = ZoneInfo("Asia/Seoul")
BERLIN = ZoneInfo("Europe/Berlin")


def on_clock(moment: dt.datetime, zone: ZoneInfo, fmt: str = "%Y.%m.%d %H:%M") -> str:
    return timezone.localtime(moment, zone).strftime(fmt)


def korean(message: str) -> str:
    with translation.override("ko"):
        return gettext(message)


@pytest.fixture
def no_active_terms():
    """What a Celery worker has: no language and no zone activated by anyone."""
    translation.deactivate_all()
    timezone.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def cast(organization, teacher, student):
    teacher.language, teacher.timezone = "ko", "Asia/Seoul"
    teacher.save(update_fields=["language", "timezone"])
    student.language, student.timezone = "en", "Europe/Berlin"
    student.save(update_fields=["language", "timezone"])
    seoulite = ProfileFactory(
        organization=organization,
        first_name="Minsu",
        last_name="Lee",
        language="ko",
        timezone="Asia/Seoul",
    )
    scenario = ClassScenario.build(
        organization,
        journey_name="Data Literacy",
        students={"berliner": student, "seoulite": seoulite},
        teacher=teacher,
        missions=(
            MissionAt("Essay", closes=dt.timedelta(hours=10)),
            MissionAt("Pitch", kind="team"),
        ),
        teams=(TeamOf("Blaze", members=("berliner", "seoulite")),),
    )
    return scenario


def message_of(person, type: str) -> str:
    return Notification.objects.get(receiver=person, type=type).message


def test_the_beat_reminder_reads_in_each_students_language_and_clock(
    cast, student, no_active_terms, mailoutbox, fan_out
):
    essay = cast.mission("Essay")
    seoulite = cast.students["seoulite"]

    with fan_out():  # the e-mails are rendered by the fan-out worker, also without terms
        assert send_deadline_reminders.apply().get() == 2

    assert message_of(student, "deadline") == (
        f"Essay in Data Literacy closes at {on_clock(essay.expiry_date, BERLIN)}. "
        "Submit it before then!"
    )
    assert message_of(seoulite, "deadline") == korean(
        "{mission} in {journey} closes at {time}. Submit it before then!"
    ).format(mission="Essay", journey="Data Literacy", time=on_clock(essay.expiry_date, SEOUL))
    subjects = {mail.to[0].split("<")[-1].rstrip(">"): mail.subject for mail in mailoutbox}
    assert subjects[student.email] == "A mission closes soon · Sqeeze"
    assert subjects[seoulite.email] == korean("A mission closes soon") + " · Sqeeze"


def test_one_grade_tells_each_team_member_the_deadline_on_their_own_clock(cast, teacher, student):
    pitch = cast.mission("Pitch")
    seoulite = cast.students["seoulite"]
    post = post_submit(author=student, instance=pitch, title="Our pitch")

    # The Korean teacher grades from a Korean page, in Seoul.
    with translation.override("ko"), timezone.override(SEOUL):
        post_grade(post=post, grader=teacher, achievement_status=AchievementStatus.NOT_ACHIEVED)

    assert message_of(student, "grading") == (
        "Your team's submission for “Pitch” was graded: not achieved. Your team can improve "
        f"it and resubmit until {on_clock(pitch.expiry_date, BERLIN)}."
    )
    assert message_of(seoulite, "grading") == korean(
        "Your team's submission for “%(mission)s” was graded: not achieved. "
        "Your team can improve it and resubmit until %(date)s."
    ) % {"mission": "Pitch", "date": on_clock(pitch.expiry_date, SEOUL)}
    # The English student's submission reached the Korean teacher in Korean.
    assert message_of(teacher, "submission") == korean(
        "%(name)s submitted “%(title)s” (%(mission)s) for team %(team)s."
    ) % {"name": "Minji Kim", "title": "Our pitch", "mission": "Pitch", "team": "Blaze"}


def test_the_teachers_reminder_counts_the_students_day_and_clock(cast, teacher, student):
    # 20:00 UTC: 21:00 in Berlin on the 1st, already 05:00 on the 2nd in Seoul.
    now = dt.datetime(2030, 1, 1, 20, 0, tzinfo=dt.UTC)
    instance = MissionInstanceFactory(
        journey_week=cast.week,
        mission__name="Poster",
        release_date=now - dt.timedelta(days=1),
        expiry_date=dt.datetime(2030, 1, 1, 22, 30, tzinfo=dt.UTC),
    )
    with translation.override("ko"), timezone.override(SEOUL):
        assert mission_reminder_send(instance=instance, student=student, sent_by=teacher, now=now)

    assert MissionReminder.objects.get().sent_on == dt.date(2030, 1, 1)
    assert message_of(student, "deadline") == (
        "Your teacher reminds you: Poster in Data Literacy closes at 2030.01.01 23:30. "
        "Submit it before then!"
    )


def test_the_digest_is_written_for_each_teacher(cast, organization, teacher, student, mailoutbox):
    berlin_teacher = ProfileFactory(
        organization=organization,
        role="teacher",
        first_name="Anna",
        last_name="Weber",
        language="en",
        timezone="Europe/Berlin",
    )
    for person in (teacher, berlin_teacher):
        digest_preference_save(user=person, enabled=True)
    post_submit(author=student, instance=cast.mission("Essay"), title="My essay")
    at = Notification.objects.get(receiver=teacher, type="submission").created_at
    translation.deactivate_all()
    try:
        assert daily_digests_send(now=timezone.now() + dt.timedelta(hours=1), from_hour=0) == 2
    finally:
        translation.deactivate()

    mails = {mail.to[0].split("<")[-1].rstrip(">"): mail for mail in mailoutbox}
    english, korean_mail = mails[berlin_teacher.email], mails[teacher.email]
    assert english.subject == "1 new submission in your journeys · Sqeeze"
    assert on_clock(at, BERLIN, "%m.%d %H:%M") in english.body
    assert korean_mail.subject != english.subject
    assert on_clock(at, SEOUL, "%m.%d %H:%M") in korean_mail.body
    assert "Resubmitted" not in korean_mail.body and "Between" not in korean_mail.body


def test_a_push_is_titled_in_the_receivers_language(cast, student, teacher):
    Notification.objects.all().delete()
    with translation.override("ko"):
        for person in (student, teacher):
            Notification.objects.create(receiver=person, type="grading", message="…")
    titles = {
        row.receiver_id: push_payload(row)["title"]
        for row in Notification.objects.select_related("receiver")
    }
    assert titles[student.pk] == "Grading results"
    assert titles[teacher.pk] == korean("Grading results")


def test_operators_read_a_new_inquiry_in_their_terms(db, settings, no_active_terms, mailoutbox):
    settings.LANGUAGE_CODE = "ko"
    ProfileFactory(
        email="op@example.test",
        is_superuser=True,
        language="en",
        timezone="Europe/Berlin",
    )
    inquiry = Inquiry.objects.create(name="Lee", phone="010", automation_needs="Grading")

    assert inquiry_operators_mail(inquiry_id=str(inquiry.pk)) == 1

    [mail] = mailoutbox
    assert f"Received: {on_clock(inquiry.created_at, BERLIN, '%Y-%m-%d %H:%M')}" in mail.body
