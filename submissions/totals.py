"""The whole class's totals for the Submissions tab, in SQL: per-mission
submitted counts (the weekly rates are built from them), not-submitted counts,
how many were reminded today on each student's own calendar, and the short
missing lists. Two queries whatever the size of the class: its ids, then the
totals, which count each student's own posts straight off the
one-submission-per-student index (the ids go back as a constant array, so no
join or sort is needed).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.db import connection

from accounts.models import Profile
from community.models import Post
from core.moments import local_date
from journeys.models import Journey
from missions.models import JourneyMissionInstance, MissionReminder
from points.selectors import enrolled_students
from teams.models import Team, TeamMember

# One query for the whole class's numbers, in rows of three kinds: per released
# instance, how many of the class (``students``, an array of ids) submitted it;
# per open instance, how many of those who have not submitted it were reminded
# of it on a day that may be their today, by zone (the caller keeps each zone's
# today); and, for the open instances that at most ``listed`` students have not
# submitted, those students by name, with the last day each was reminded of it.
# (Longer lists are read a page at a time, by ``missing_page``.)
#
# A (mission instance, student) pair is filled by the student's own post (at
# most one a mission: the partial unique index posts_one_submission_per_student),
# or else by a team submission, for each member of its team, or by one whose
# team is gone, for its author (``team_pairs``, few). The two parts are
# disjoint once the team pairs of students with a post of their own are
# removed, so the whole class's posts are counted without de-duplicating them:
# the own posts come from an index-only scan of that unique index, in mission
# order, filtered by the class as a constant array (which PostgreSQL hashes),
# and are counted as they come, with no join and no sort. Posts are found by
# their mission instances (the journey's released ones).

TOTALS_SQL = f"""
    WITH args AS (
        SELECT %(journey)s::uuid AS journey, %(instances)s::uuid[] AS instances,
               %(open)s::uuid[] AS open, %(first_day)s::date AS first_day,
               %(last_day)s::date AS last_day, %(listed)s::int AS listed
    ),
    students (id) AS MATERIALIZED (SELECT unnest(%(students)s::uuid[])),
    team_pairs AS MATERIALIZED (
        SELECT post.mission_instance_id, member.user_id
        FROM args, {Post._meta.db_table} post
        JOIN {Team._meta.db_table} team ON team.id = post.team_id
        JOIN {TeamMember._meta.db_table} member ON member.team_id = team.id
        WHERE post.mission_instance_id = ANY(args.instances) AND post.is_team_submission
          AND team.journey_id = args.journey
        UNION
        SELECT post.mission_instance_id, post.user_id
        FROM args, {Post._meta.db_table} post
        WHERE post.mission_instance_id = ANY(args.instances)
          AND post.is_team_submission AND post.team_id IS NULL
    ),
    by_team AS (
        SELECT mission_instance_id, user_id FROM team_pairs
        EXCEPT
        SELECT own.mission_instance_id, own.user_id
        FROM {Post._meta.db_table} own
        WHERE own.mission_instance_id IN (SELECT mission_instance_id FROM team_pairs)
          AND (NOT own.is_team_submission OR own.is_team_submission IS NULL)
    ),
    submitted AS MATERIALIZED (
        SELECT mission_instance_id, sum(students)::int AS students FROM (
            -- The students' own posts, in an index-only scan, in mission order;
            -- the class, a constant array, is hashed: no join, no sort.
            SELECT own.mission_instance_id, count(*) AS students
            FROM {Post._meta.db_table} own
            WHERE own.mission_instance_id = ANY(%(instances)s::uuid[])
              AND own.mission_instance_id IS NOT NULL
              AND (NOT own.is_team_submission OR own.is_team_submission IS NULL)
              AND own.user_id = ANY(%(students)s::uuid[])
            GROUP BY own.mission_instance_id
            UNION ALL
            SELECT mission_instance_id, count(*) FROM by_team
            WHERE user_id IN (SELECT id FROM students)
            GROUP BY mission_instance_id
        ) parts
        GROUP BY mission_instance_id
    ),
    short AS (
        SELECT open.id
        FROM args CROSS JOIN unnest(args.open) AS open (id)
        LEFT JOIN submitted ON submitted.mission_instance_id = open.id
        WHERE %(class_size)s - coalesce(submitted.students, 0) <= args.listed
    ),
    pairs AS (
        SELECT reminder.mission_instance_id AS instance_id, reminder.profile_id, reminder.sent_on
        FROM args, {MissionReminder._meta.db_table} reminder
        WHERE reminder.mission_instance_id = ANY(args.open)
          AND reminder.sent_on BETWEEN args.first_day AND args.last_day
        UNION ALL
        SELECT short.id, students.id, NULL FROM short CROSS JOIN students
    ),
    missing AS (
        SELECT pairs.* FROM pairs
        WHERE pairs.profile_id IN (SELECT id FROM students)
          AND NOT EXISTS (
              SELECT 1 FROM {Post._meta.db_table} own
              WHERE own.mission_instance_id = pairs.instance_id
                AND own.user_id = pairs.profile_id
                AND (NOT own.is_team_submission OR own.is_team_submission IS NULL)
          )
          AND NOT EXISTS (
              SELECT 1 FROM team_pairs
              WHERE team_pairs.mission_instance_id = pairs.instance_id
                AND team_pairs.user_id = pairs.profile_id
          )
    )
    SELECT 'submitted', mission_instance_id, NULL::uuid, NULL::text, NULL::date, students,
           NULL::text, NULL::text, NULL::text, NULL::text, NULL::timestamptz, NULL::text
    FROM submitted
    UNION ALL
    SELECT 'reminded', missing.instance_id, NULL, student.timezone, missing.sent_on, count(*),
           NULL, NULL, NULL, NULL, NULL, NULL
    FROM missing JOIN {Profile._meta.db_table} student ON student.id = missing.profile_id
    WHERE missing.sent_on IS NOT NULL
    GROUP BY missing.instance_id, student.timezone, missing.sent_on
    UNION ALL
    SELECT 'listed', listed.instance_id, listed.profile_id, student.timezone, (
               SELECT max(reminded.sent_on) FROM missing reminded
               WHERE reminded.instance_id = listed.instance_id
                 AND reminded.profile_id = listed.profile_id AND reminded.sent_on IS NOT NULL
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
    have not. Two queries: the class's ids, then the totals."""
    # The class first, as an array of ids: a constant, which the totals' plan
    # can hash (a subquery would be joined, and the whole class's posts sorted
    # to be counted). It travels as one text value, '{id,id,…}', both ways.
    class_sql, class_params = (
        enrolled_students(journey).order_by().values("pk").query.sql_with_params()
    )
    first_day, last_day = reminder_days(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), coalesce(array_agg(id)::text, '{{}}') FROM ({class_sql}) AS c (id)",
            class_params,
        )
        class_size, students = cursor.fetchone()
        params = {
            "journey": journey.pk,
            "instances": [instance.pk for instance in instances],
            "open": [instance.pk for instance in open_instances],
            "students": students,
            "class_size": class_size,
            "first_day": first_day,
            "last_day": last_day,
            "listed": listed,
        }
        cursor.execute(TOTALS_SQL, params)
        rows = cursor.fetchall()
    totals = ClassTotals(students=class_size)
    todays: dict[str | None, dt.date] = {}
    for kind, instance_id, profile_id, zone, day, count, *listed_profile in rows:
        if kind == "submitted":
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
