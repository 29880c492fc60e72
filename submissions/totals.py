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

from django.db import connection

from accounts.models import Profile, Role
from community.models import Post
from core.moments import local_date
from journeys.models import Journey, UserJourney
from missions.models import JourneyMissionInstance, MissionReminder
from teams.models import Team, TeamMember

# One statement for the whole class's numbers, in rows of four kinds: the
# class's size; per released instance (``instances``), how many of the class
# submitted it; per open instance (``open``), how many of those who have not
# submitted it were reminded of it on a day that may be their today, by zone
# (the caller keeps each zone's today); and, for the open instances that at
# most ``listed`` students have not submitted, those students by name, with
# the last day each was reminded of it. (Longer lists are read a page at a
# time, by ``submissions.selectors.missing_page``.)
#
# The class is ``points.selectors.enrolled_students``'s: the journey's
# enrolments whose profile is a student's ("user") and not closed. It is read
# once (``class``, with each student's zone: their today, for the reminders):
# the enrolments by the journey's index, then each profile by its primary key
# (``OFFSET 0`` keeps that a lookup per enrolment, so the cost follows the
# class, not the platform's number of profiles), and the planner knows its
# size from the enrolments' statistics.
#
# A (mission instance, student) pair is filled by the student's own post (at
# most one a mission: the partial unique index posts_one_submission_per_student),
# or else by a team submission, for each member of its team in the journey,
# or by one whose team is gone, for its author. A mission's count is its own
# posts by the class plus its ``team_pairs`` of the class: the pairs filled by
# a team submission and by no own post (a few per team mission), so nothing
# is counted twice.
#
# The own posts are counted straight off that unique index (mission instance,
# author: an index-only scan where the visibility map is set), in its order,
# each author looked up in the class hashed once (an IN inside the aggregate's
# FILTER stays a hashed subplan, where a join would depend on the planner's
# estimate of a CTE and could turn into a thousand index probes): no join, no
# sort. The team submissions are found by their own partial unique index
# (``team_posts``), never by a scan of the posts' team index.
TOTALS_SQL = f"""
WITH args AS NOT MATERIALIZED (
    SELECT %(journey)s::uuid AS journey, %(instances)s::uuid[] AS instances,
           %(open)s::uuid[] AS open, %(first_day)s::date AS first_day,
           %(last_day)s::date AS last_day, %(listed)s::int AS listed
),
class (id, timezone) AS MATERIALIZED (
    SELECT enrolment.user_id, student.timezone
    FROM args, {UserJourney._meta.db_table} enrolment
    CROSS JOIN LATERAL (
        SELECT profile.timezone FROM {Profile._meta.db_table} profile
        WHERE profile.id = enrolment.user_id
          AND profile.role = %(student_role)s AND profile.deleted_at IS NULL
        OFFSET 0
    ) AS student
    WHERE enrolment.journey_id = args.journey
),
-- The team submissions of the released instances (by the partial unique
-- index of one per team: a few per team mission).
team_posts AS MATERIALIZED (
    SELECT post.mission_instance_id, post.team_id, post.user_id
    FROM args, {Post._meta.db_table} post
    WHERE post.mission_instance_id = ANY(args.instances)
      AND post.mission_instance_id IS NOT NULL AND post.is_team_submission
),
-- The (instance, student) pairs filled by a team submission and by no own
-- post: EXCEPT drops the pairs of an own post and the duplicates at once.
team_pairs AS MATERIALIZED (
    SELECT post.mission_instance_id, member.user_id
    FROM args, team_posts post
    JOIN {Team._meta.db_table} team ON team.id = post.team_id
    JOIN {TeamMember._meta.db_table} member ON member.team_id = team.id
    WHERE team.journey_id = args.journey
    UNION ALL
    SELECT post.mission_instance_id, post.user_id FROM team_posts post WHERE post.team_id IS NULL
    EXCEPT
    SELECT own.mission_instance_id, own.user_id
    FROM {Post._meta.db_table} own
    WHERE own.mission_instance_id = ANY(ARRAY(SELECT DISTINCT mission_instance_id FROM team_posts))
      AND own.mission_instance_id IS NOT NULL
      AND (NOT own.is_team_submission OR own.is_team_submission IS NULL)
),
submitted AS MATERIALIZED (
    SELECT mission_instance_id, sum(students)::int AS students FROM (
        SELECT own.mission_instance_id,
               count(*) FILTER (WHERE own.user_id IN (SELECT id FROM class)) AS students
        FROM args, {Post._meta.db_table} own
        WHERE own.mission_instance_id = ANY(args.instances)
          AND own.mission_instance_id IS NOT NULL
          AND (NOT own.is_team_submission OR own.is_team_submission IS NULL)
        GROUP BY own.mission_instance_id
        UNION ALL
        SELECT mission_instance_id,
               count(*) FILTER (WHERE user_id IN (SELECT id FROM class))
        FROM team_pairs
        GROUP BY mission_instance_id
    ) AS parts
    GROUP BY mission_instance_id
),
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
    with connection.cursor() as cursor:
        cursor.execute(TOTALS_SQL, params)
        rows = cursor.fetchall()
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
