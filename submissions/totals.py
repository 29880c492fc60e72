"""The whole class's totals for the Submissions tab, in SQL: the class's size,
per-mission submitted counts (the weekly rates are built from them), how many
of those who have not submitted an open mission were reminded of it today on
their own calendar, and the short missing lists. One query whatever the size
of the class (``TOTALS_SQL``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from accounts.models import Profile, Role
from community.models import Post
from core.moments import local_date
from journeys.class_cache import class_rows
from journeys.models import Journey
from missions.models import JourneyMissionInstance, MissionReminder
from points.submitters import SUBMITTED_CTES

# One statement for the whole class's numbers, in rows of four kinds: the
# class's size; per released instance (``instances``), how many of the class
# submitted it; per open instance (``open``), how many of those who have not
# submitted it were reminded of it on a day that may be their today, by zone
# (the caller keeps each zone's today); and, for the open instances that at
# most ``listed`` students have not submitted, those students by name, with
# the last day each was reminded of it. (Longer lists are read a page at a
# time, by ``submissions.selectors.missing_page``.)
#
# The class, and per released instance how many of it submitted, are
# ``points.submitters``'s (SUBMITTED_CTES: the same rule as the Dashboard's).
TOTALS_SQL = f"""
WITH args AS NOT MATERIALIZED (
    SELECT %(journey)s::uuid AS journey, %(instances)s::uuid[] AS instances,
           %(open)s::uuid[] AS open, %(first_day)s::date AS first_day,
           %(last_day)s::date AS last_day, %(listed)s::int AS listed
),
{SUBMITTED_CTES},
-- The reminders of the open instances sent on a day that may be somebody's
-- today (the unique index: instance, student, day).
recent AS MATERIALIZED (
    SELECT reminder.mission_instance_id AS instance_id, reminder.profile_id, reminder.sent_on
    FROM args, {MissionReminder._meta.db_table} reminder
    WHERE reminder.mission_instance_id = ANY(args.open)
      AND reminder.sent_on BETWEEN args.first_day AND args.last_day
),
short AS (
    SELECT open.id
    FROM args CROSS JOIN unnest(args.open) AS open (id)
    LEFT JOIN submitted ON submitted.mission_instance_id = open.id
    WHERE (SELECT count(*) FROM class) - coalesce(submitted.students, 0) <= args.listed
),
-- (instance, student) pairs to keep only if the student has not submitted the
-- instance: the reminded ones (sent_on), and the whole class for the short
-- instances (sent_on NULL).
pairs AS (
    SELECT instance_id, profile_id, sent_on FROM recent
    UNION ALL
    SELECT short.id, class.id, NULL FROM short CROSS JOIN class
),
missing AS (
    SELECT pairs.*, class.timezone
    FROM pairs JOIN class ON class.id = pairs.profile_id
    WHERE NOT EXISTS (
        SELECT FROM {Post._meta.db_table} own
        WHERE own.mission_instance_id = pairs.instance_id
          AND own.user_id = pairs.profile_id
          AND own.mission_instance_id IS NOT NULL
          AND (NOT own.is_team_submission OR own.is_team_submission IS NULL)
    )
    AND NOT EXISTS (
        SELECT FROM team_pairs
        WHERE team_pairs.mission_instance_id = pairs.instance_id
          AND team_pairs.user_id = pairs.profile_id
    )
)
SELECT 'class', NULL::uuid, NULL::uuid, NULL::text, NULL::date, count(*)::int,
       NULL::text, NULL::text, NULL::text, NULL::text, NULL::timestamptz, NULL::text
FROM class
UNION ALL
SELECT 'submitted', mission_instance_id, NULL, NULL, NULL, students,
       NULL, NULL, NULL, NULL, NULL, NULL
FROM submitted
UNION ALL
SELECT 'reminded', instance_id, NULL, timezone, sent_on, count(*),
       NULL, NULL, NULL, NULL, NULL, NULL
FROM missing
WHERE sent_on IS NOT NULL
GROUP BY instance_id, timezone, sent_on
UNION ALL
SELECT 'listed', listed.instance_id, listed.profile_id, student.timezone, (
           SELECT max(recent.sent_on) FROM recent
           WHERE recent.instance_id = listed.instance_id
             AND recent.profile_id = listed.profile_id
       ), NULL,
       coalesce(student.last_name, ''), coalesce(student.first_name, ''),
       student.first_name, student.last_name, student.deleted_at, student.email
FROM missing listed
JOIN {Profile._meta.db_table} student ON student.id = listed.profile_id
WHERE listed.sent_on IS NULL
ORDER BY 1, 7, 8, 3
"""


@dataclass
class ClassTotals:
    students: int = 0
    submitted: dict[uuid.UUID, int] = field(default_factory=dict)  # per instance
    # Per open instance: those not submitted who were reminded today.
    reminded: dict[uuid.UUID, int] = field(default_factory=dict)
    # Per open instance that few have not submitted: those students, by name,
    # each with the last day they were reminded of it (None if not lately).
    listed: dict[uuid.UUID, list[tuple[Profile, dt.date | None]]] = field(default_factory=dict)


def reminder_day(now: dt.datetime, student: Profile) -> dt.date:
    """The calendar day a reminder counts for: the reminded student's, so "at
    most one a day" resets at their midnight, not at UTC's or the teacher's."""
    return local_date(now, student)


def reminder_days(now: dt.datetime) -> tuple[dt.date, dt.date]:
    """The first and last day that are somebody's today at ``now`` (zones run
    from UTC-12 to UTC+14)."""
    utc_day = now.astimezone(dt.UTC).date()
    return utc_day - dt.timedelta(days=1), utc_day + dt.timedelta(days=1)


def class_totals(
    journey: Journey,
    instances: list[JourneyMissionInstance],
    open_instances: list[JourneyMissionInstance],
    now: dt.datetime,
    listed: int = 0,
) -> ClassTotals:
    """The whole class's numbers (``TOTALS_SQL``), with the students who have
    not submitted each of ``open_instances`` that at most ``listed`` of them
    have not. One query."""
    first_day, last_day = reminder_days(now)
    params = {
        "journey": journey.pk,
        "instances": [instance.pk for instance in instances],
        "open": [instance.pk for instance in open_instances],
        "first_day": first_day,
        "last_day": last_day,
        "listed": listed,
        "student_role": Role.USER.value,
    }
    # The same for every teacher who asks: cached until the class changes
    # (the days and the open instances, which move with the clock, are
    # parameters, hence part of the key).
    rows = class_rows(journey, TOTALS_SQL, params)
    totals = ClassTotals()
    todays: dict[str | None, dt.date] = {}
    for kind, instance_id, profile_id, zone, day, count, *listed_profile in rows:
        if kind == "class":
            totals.students = count
        elif kind == "submitted":
            totals.submitted[instance_id] = count
        elif kind == "listed":
            _sort_last, _sort_first, first_name, last_name, deleted_at, email = listed_profile
            # What public_name and reminder_day read: no other query for them.
            profile = Profile(
                id=profile_id,
                first_name=first_name,
                last_name=last_name,
                deleted_at=deleted_at,
                email=email,
                timezone=zone,
            )
            totals.listed.setdefault(instance_id, []).append((profile, day))
        else:
            if zone not in todays:
                # reminder_day reads only the zone (the site's default when unset).
                todays[zone] = reminder_day(now, Profile(timezone=zone))
            if day == todays[zone]:
                totals.reminded[instance_id] = totals.reminded.get(instance_id, 0) + count
    return totals
