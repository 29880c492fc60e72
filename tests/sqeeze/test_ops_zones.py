"""Times that follow a clock (operations issue, "small sharp edges"): the
teachers' daily digest goes at 08:00 on each teacher's own clock (their zone,
else the site's ``DEFAULT_USER_TIMEZONE``; academies have no zone of their
own), whatever the servers' UTC; deadline reminders are relative to the
mission's close (from 24 hours before it), so they are the same moment for
everyone, and only the closing time they show is on the reader's clock."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from accounts.models import Profile, Role
from community.services import post_submit
from missions.notices import deadline_reminders_send
from notifications.models import DigestDelivery, Notification
from notifications.services import digest_preference_save
from submissions.digest import daily_digests_send
from tests.factories import (
    JourneyWeekFactory,
    MissionInstanceFactory,
    ProfileFactory,
    UserJourneyFactory,
)
from tests.scenarios import ClassScenario, MissionAt

pytestmark = pytest.mark.usefixtures("english")
HOUR = dt.timedelta(hours=1)


def beat_every_hour(start: dt.datetime, hours: int = 24) -> list[tuple[dt.datetime, int]]:
    """Run the digest as beat does (on the hour) from ``start``; the runs that sent mail."""
    runs = [start + n * HOUR for n in range(hours)]
    return [(run, sent) for run in runs if (sent := daily_digests_send(now=run))]


@pytest.mark.parametrize(
    "own_zone, default_zone, day",
    [
        ("Asia/Seoul", "Asia/Seoul", dt.date(2026, 3, 2)),  # 08:00 KST is 23:00 UTC the day before
        ("America/New_York", "Asia/Seoul", dt.date(2026, 3, 2)),  # EST, UTC-5
        ("America/New_York", "Asia/Seoul", dt.date(2026, 3, 8)),  # the day clocks go forward
        (None, "Europe/Berlin", dt.date(2026, 3, 2)),  # no zone of their own: the site's
    ],
)
def test_the_digest_goes_at_eight_on_the_teachers_clock(
    settings, organization, student, teacher, mailoutbox, own_zone, default_zone, day
):
    settings.DEFAULT_USER_TIMEZONE = default_zone
    zone = zoneinfo.ZoneInfo(own_zone or default_zone)
    Profile.objects.filter(pk=teacher.pk).update(timezone=own_zone)
    scenario = ClassScenario.build(
        organization, students={"student": student}, teacher=teacher, missions=(MissionAt(),)
    )
    digest_preference_save(user=teacher, enabled=True)
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    post_submit(author=student, instance=scenario.missions[0], title="My essay")
    Notification.objects.update(created_at=midnight + dt.timedelta(minutes=30))

    sent = beat_every_hour(midnight.astimezone(dt.UTC))

    assert [(run.astimezone(zone).time(), count) for run, count in sent] == [(dt.time(8), 1)]
    [mail] = mailoutbox
    assert teacher.email in mail.to[0] and "My essay" in mail.body
    [delivery] = DigestDelivery.objects.filter(receiver=teacher)
    assert delivery.sent_on == day  # the teacher's day, not the server's


def test_two_teachers_get_it_in_their_own_mornings_and_once_a_day(
    organization, student, teacher, mailoutbox
):
    """Seoul and New York, two days of hourly runs: each digest goes at 08:00
    local, once per local day. The first run, past eight in both places (09:00
    in Seoul, 19:00 the evening before in New York), makes up that day's missed
    digest, as a beat that was down would."""
    other = ProfileFactory(
        organization=organization, role=Role.TEACHER, timezone="America/New_York"
    )
    Profile.objects.filter(pk=teacher.pk).update(timezone="Asia/Seoul")
    scenario = ClassScenario.build(
        organization, students={"student": student}, teacher=teacher, missions=(MissionAt(),)
    )
    for person in (teacher, other):
        digest_preference_save(user=person, enabled=True)
    start = dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.UTC)  # 09:00 in Seoul, 19:00 in New York
    post_submit(author=student, instance=scenario.missions[0], title="My essay")
    Notification.objects.update(created_at=start - 2 * HOUR)

    beat_every_hour(start, hours=48)

    seoul, new_york = zoneinfo.ZoneInfo("Asia/Seoul"), zoneinfo.ZoneInfo("America/New_York")
    deliveries = {
        person.pk: sorted(
            DigestDelivery.objects.filter(receiver=person).values_list("sent_on", "period_end")
        )
        for person in (teacher, other)
    }
    assert [(day, end.astimezone(seoul).hour) for day, end in deliveries[teacher.pk]] == [
        (dt.date(2026, 3, 2), 9),  # made up at the first run
        (dt.date(2026, 3, 3), 8),
        (dt.date(2026, 3, 4), 8),
    ]
    assert [(day, end.astimezone(new_york).hour) for day, end in deliveries[other.pk]] == [
        (dt.date(2026, 3, 1), 19),  # made up at the first run
        (dt.date(2026, 3, 2), 8),
        (dt.date(2026, 3, 3), 8),
    ]
    # One e-mail each: the later days had nothing new.
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted([teacher.mailbox, other.mailbox])


@pytest.mark.parametrize("closes_at_utc_hour", [0, 9, 15, 23])
def test_deadline_reminders_are_a_day_before_the_close_whatever_the_zone(
    organization, student, teacher, closes_at_utc_hour
):
    """Students in Seoul, New York and Kiritimati (UTC+14) are reminded in the
    same run, the first one less than 24 hours before the close, whatever hour
    of their day that is; the closing time each reads is on their own clock."""
    Profile.objects.filter(pk=student.pk).update(timezone="Asia/Seoul")
    scenario = ClassScenario.build(organization, students={"student": student}, teacher=teacher)
    zones = {"Asia/Seoul": student.pk}
    for zone_name in ("America/New_York", "Pacific/Kiritimati"):
        person = ProfileFactory(organization=organization, role=Role.USER, timezone=zone_name)
        UserJourneyFactory(journey=scenario.journey, user=person)
        zones[zone_name] = person.pk
    closes = (timezone.now() + 3 * dt.timedelta(days=1)).replace(
        hour=closes_at_utc_hour, minute=0, second=0, microsecond=0
    )
    MissionInstanceFactory(
        journey_week=JourneyWeekFactory(journey=scenario.journey),
        release_date=closes - 5 * dt.timedelta(days=1),
        expiry_date=closes,
        mission__name="Essay",
    )

    assert deadline_reminders_send(now=closes - 24 * HOUR - 15 * dt.timedelta(minutes=1)) == 0
    assert deadline_reminders_send(now=closes - 24 * HOUR + dt.timedelta(minutes=1)) == 3

    for zone_name, pk in zones.items():
        message = Notification.objects.get(receiver_id=pk, type="deadline").message
        local = closes.astimezone(zoneinfo.ZoneInfo(zone_name)).strftime("%Y.%m.%d %H:%M")
        assert f"closes at {local}." in message
