"""The teachers' daily e-mail digest of new submissions: who gets it, what it
lists, once a day, nothing when there is nothing, and the beat task."""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile, Role
from community.models import AchievementStatus
from community.services import post_submit, post_update
from notifications.forms import DIGEST_FIELD
from notifications.models import DigestDelivery, EmailQueue, Notification
from notifications.selectors import digest_enabled, preferences_of
from notifications.services import digest_preference_save
from submissions.digest import daily_digests_send, digest_day
from submissions.tasks import send_daily_digests
from tests.factories import ProfileFactory
from tests.scenarios import Classmate, ClassScenario, MissionAt, TeamOf

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def school(organization, student, teacher):
    """A journey with an open individual mission and an open team mission."""
    scenario = ClassScenario.build(
        organization,
        journey_name="Data Literacy",
        students={"student": student, "teammate": Classmate("Jun", "Lee")},
        teacher=teacher,
        missions=(MissionAt("Essay"), MissionAt("Pitch", kind="team")),
        teams=(TeamOf("Blaze", members=("student", "teammate")),),
    )
    essay, pitch = scenario.missions
    digest_preference_save(user=teacher, enabled=True)
    return scenario.journey, essay, pitch, scenario.students["teammate"]


@pytest.fixture
def outbox(mailoutbox):
    """Digests sent (tests use Django's in-memory mail backend)."""

    def to(person):
        return [mail for mail in mailoutbox if any(person.email in a for a in mail.to)]

    return to


def afternoon_zone_now() -> str:
    """A zone (Etc/GMT±N) where it is between 13:00 and 14:00 now."""
    utc_hour = timezone.now().astimezone(dt.UTC).hour
    offset = (13 - utc_hour + 12) % 24 - 12  # hours east of UTC, -12 … +11
    return f"Etc/GMT{-offset:+d}"  # POSIX: Etc/GMT-9 is nine hours east


def later(hours: float = 1) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


def html_of(mail) -> str:
    [(html, mimetype)] = mail.alternatives
    assert mimetype == "text/html"
    return html


def test_it_lists_the_days_submissions_and_resubmissions(school, student, teacher, outbox):
    journey, essay, pitch, teammate = school
    essay_post = post_submit(author=student, instance=essay, title="My essay")
    post_submit(author=teammate, instance=pitch, title="Our pitch")
    # Graded "not achieved", then edited: a resubmission.
    essay_post.achievement_status = AchievementStatus.NOT_ACHIEVED
    essay_post.save(update_fields=["achievement_status"])
    post_update(post=essay_post, editor=student, title="My essay, again")

    assert daily_digests_send(now=later(), from_hour=0) == 1
    [mail] = outbox(teacher)
    assert mail.to == ["Jisoo Park <teacher@example.test>"]
    assert mail.subject == "2 new submissions in your journeys · Sqeeze"
    for text in (mail.body, html_of(mail)):
        assert "Data Literacy" in text
        assert "Minji Kim" in text and "Essay" in text and "My essay, again" in text
        assert "Resubmitted" in text
        assert "Jun Lee" in text and "Pitch" in text and "team Blaze" in text
        post_link = reverse("community:post_detail", args=[journey.pk, essay_post.pk])
        assert post_link in text
        assert reverse("grading:queue") in text
    assert "/notifications/settings/" in mail.body


def test_it_goes_through_the_email_queue(school, student, teacher, settings):
    settings.EMAIL_BACKEND = "notifications.email_backend.QueueEmailBackend"
    _, essay, _, _ = school
    post_submit(author=student, instance=essay, title="My essay")
    daily_digests_send(now=later(), from_hour=0)
    [queued] = EmailQueue.objects.filter(recipient_email=teacher.email)
    assert queued.subject == "1 new submission in your journeys · Sqeeze"
    assert "My essay" in queued.content and "My essay" in queued.html_content


def keep_a_day_ahead(person: Profile) -> None:
    """Move ``person`` to a zone whose clock shows 01:00–20:00 now, so that
    the next two hours stay on their today whatever time the test runs at."""
    for zone in ("Asia/Seoul", "Europe/London", "America/Los_Angeles"):
        if 1 <= timezone.now().astimezone(ZoneInfo(zone)).hour <= 20:
            Profile.objects.filter(pk=person.pk).update(timezone=zone)
            return
    raise AssertionError("one of three zones eight hours apart is always at 01:00–20:00")


def test_it_goes_once_a_day_however_often_it_runs(school, student, teacher, outbox):
    _, essay, _, _ = school
    keep_a_day_ahead(teacher)
    teacher.refresh_from_db()
    post_submit(author=student, instance=essay, title="My essay")
    assert daily_digests_send(now=later(1), from_hour=0) == 1
    assert daily_digests_send(now=later(2), from_hour=0) == 0
    assert send_daily_digests.apply().get() == 0
    assert len(outbox(teacher)) == 1
    assert DigestDelivery.objects.get().sent_on == digest_day(later(1), teacher)


def test_the_next_day_lists_only_what_is_new(school, student, teacher, outbox):
    _, essay, pitch, teammate = school
    post_submit(author=student, instance=essay, title="My essay")
    daily_digests_send(now=later(1), from_hour=0)
    post_submit(author=teammate, instance=pitch, title="Our pitch")
    # Notifications of this test share the transaction's time: move the new one
    # into the next day's period.
    Notification.objects.filter(type="submission", message__contains="Our pitch").update(
        created_at=later(10)
    )
    assert daily_digests_send(now=later(25), from_hour=0) == 1
    first, second = outbox(teacher)
    assert "My essay" in first.body
    assert "Our pitch" in second.body and "My essay" not in second.body


def test_no_mail_when_nothing_new(school, teacher, outbox):
    assert daily_digests_send(now=later(), from_hour=0) == 0
    assert outbox(teacher) == []


def test_a_teacher_of_another_academy_gets_nothing_of_ours(school, student, outsider, outbox):
    _, essay, _, _ = school
    digest_preference_save(user=outsider, enabled=True)
    post = post_submit(author=student, instance=essay, title="My essay")
    # Even a stray notification naming our post does not bring it into their digest.
    Notification.objects.create(
        receiver=outsider,
        type="submission",
        message="Stray",
        notification_json=json.dumps({"post_id": str(post.pk), "resubmitted": False}),
    )
    daily_digests_send(now=later(), from_hour=0)
    assert outbox(outsider) == []


def test_teachers_without_the_digest_get_none(school, student, admin_user, outbox):
    _, essay, _, _ = school
    post_submit(author=student, instance=essay, title="My essay")
    daily_digests_send(now=later(), from_hour=0)
    assert outbox(admin_user) == []


def test_submissions_older_than_a_day_are_left_out(school, student, teacher):
    _, essay, _, _ = school
    post_submit(author=student, instance=essay, title="My essay")
    assert daily_digests_send(now=later(30), from_hour=0) == 0


def test_per_submission_emails_still_follow_the_submission_email_choice(
    school, student, teacher, outbox
):
    _, essay, _, _ = school
    # The digest is on, e-mail per submission stays off (the type's default).
    assert preferences_of(teacher)["submission"].email is False
    post_submit(author=student, instance=essay, title="My essay")
    assert outbox(teacher) == []  # no per-submission e-mail
    assert Notification.objects.filter(receiver=teacher, type="submission").count() == 1


def test_students_cannot_switch_the_digest_on(student):
    with pytest.raises(ValueError):
        digest_preference_save(user=student, enabled=True)
    assert not digest_enabled(student)


# --- the beat task --------------------------------------------------------------------


def test_beat_runs_the_digest_every_hour():
    entry = django_settings.CELERY_BEAT_SCHEDULE["send-daily-digests"]
    assert entry["task"] == "notifications.send_daily_digests" == send_daily_digests.name
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    assert schedule.hour == set(range(24)) and schedule.minute == {0}


def test_each_teacher_gets_it_in_their_own_morning(school, student, teacher, organization):
    """08:00 in Seoul is midnight in Berlin: the Berlin teacher's digest waits
    for their own eight o'clock, eight hours later."""
    _, essay, _, _ = school
    berliner = ProfileFactory(organization=organization, role=Role.TEACHER)
    Profile.objects.filter(pk=berliner.pk).update(timezone="Europe/Berlin")
    Profile.objects.filter(pk=teacher.pk).update(timezone="Asia/Seoul")
    digest_preference_save(user=berliner, enabled=True)
    seoul_morning = dt.datetime(2026, 3, 2, 23, 0, tzinfo=dt.UTC)  # 08:00 KST, 00:00 CET
    post_submit(author=student, instance=essay, title="My essay")
    Notification.objects.update(created_at=seoul_morning - dt.timedelta(hours=2))

    assert daily_digests_send(now=seoul_morning) == 1
    assert set(DigestDelivery.objects.values_list("receiver_id", flat=True)) == {teacher.pk}
    berlin_night = seoul_morning + dt.timedelta(hours=6)  # 06:00 in Berlin
    assert daily_digests_send(now=berlin_night) == 0
    berlin_morning = seoul_morning + dt.timedelta(hours=8)  # 08:00 in Berlin
    assert daily_digests_send(now=berlin_morning) == 1
    assert DigestDelivery.objects.filter(receiver=berliner).count() == 1
    # Later hours of the same day send nothing more, to either.
    assert daily_digests_send(now=berlin_morning + dt.timedelta(hours=3)) == 0


def test_the_task_runs_and_queues_the_digest(school, student, teacher, outbox):
    _, essay, _, _ = school
    # Whatever the hour this runs, the teacher's clock shows the afternoon.
    Profile.objects.filter(pk=teacher.pk).update(timezone=afternoon_zone_now())
    post_submit(author=student, instance=essay, title="My essay")
    # The task runs "now": move the notification just before it.
    Notification.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    assert send_daily_digests.apply().get() == 1
    assert len(outbox(teacher)) == 1


# --- the settings page ----------------------------------------------------------------


def test_teachers_are_offered_the_digest_in_their_settings(client, teacher):
    client.force_login(teacher)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert f'name="{DIGEST_FIELD}"' in page
    assert "Daily e-mail digest of new submissions" in page


def test_the_checkbox_shows_the_current_choice(client, teacher):
    digest_preference_save(user=teacher, enabled=True)
    client.force_login(teacher)
    page = client.get(reverse("notifications:preferences")).content.decode()
    [checkbox] = re.findall(rf'<input[^>]*name="{DIGEST_FIELD}"[^>]*>', page)
    assert "checked" in checkbox
    assert f'aria-describedby="id_{DIGEST_FIELD}_helptext"' in checkbox
    assert f'id="id_{DIGEST_FIELD}_helptext"' in page


def test_students_are_not_offered_the_digest(client, student):
    client.force_login(student)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert DIGEST_FIELD not in page


def test_saving_the_settings_switches_the_digest_on_and_off(client, teacher):
    client.force_login(teacher)
    url = reverse("notifications:preferences")
    client.post(url, {DIGEST_FIELD: "on", "grading__email": "on"})
    assert digest_enabled(teacher)
    assert preferences_of(teacher)["submission"].email is False
    client.post(url, {"grading__email": "on"})
    assert not digest_enabled(teacher)


def test_a_busy_day_lists_the_first_lines_and_counts_the_rest(
    school, student, teacher, outbox, monkeypatch
):
    _, essay, pitch, teammate = school
    monkeypatch.setattr("submissions.digest.DIGEST_MAX_ITEMS", 1)
    post_submit(author=student, instance=essay, title="My essay")
    post_submit(author=teammate, instance=pitch, title="Our pitch")
    daily_digests_send(now=later(), from_hour=0)
    [mail] = outbox(teacher)
    assert mail.subject == "2 new submissions in your journeys · Sqeeze"
    assert "…and 1 more in the grading queue." in mail.body
    assert "…and 1 more in the grading queue." in html_of(mail)
    assert ("My essay" in mail.body) != ("Our pitch" in mail.body)  # one of the two
