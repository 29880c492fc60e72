"""Who of a class submitted which mission, in SQL: the one rule the
Dashboard's weekly rates and the Submissions tab's totals both count by.

The class is ``points.selectors.enrolled_students``'s: the journey's
enrolments whose profile is a student's ("user") and not closed. It is read
once (``class``, with each student's zone: their today, for the reminders):
the enrolments by the journey's index, then each profile by its primary key
(``OFFSET 0`` keeps that a lookup per enrolment, so the cost follows the
class, not the platform's number of profiles), and the planner knows its
size from the enrolments' statistics.

A (mission instance, student) pair is filled by the student's own post (at
most one a mission: the partial unique index posts_one_submission_per_student),
or else by a team submission, for each member of its team in the journey,
or by one whose team is gone, for its author. A mission's count is its own
posts by the class plus its ``team_pairs`` of the class: the pairs filled by
a team submission and by no own post (a few per team mission), so nothing
is counted twice.

The own posts are counted straight off that unique index (mission instance,
author: an index-only scan where the visibility map is set), in its order,
each author looked up in the class hashed once (an IN inside the aggregate's
FILTER stays a hashed subplan, where a join would depend on the planner's
estimate of a CTE and could turn into a thousand index probes): no join, no
sort. The team submissions are found by their own partial unique index
(``team_posts``), never by a scan of the posts' team index.
"""

from __future__ import annotations

import uuid

from accounts.models import Profile, Role
from community.models import Post
from journeys.class_cache import class_rows
from journeys.models import Journey, UserJourney
from teams.models import Team, TeamMember

# Common table expressions for a statement whose ``args`` row has ``journey``
# (a uuid) and ``instances`` (the released instances, uuid[]), and whose
# parameters include ``student_role``: ``class`` (id, timezone),
# ``team_posts``, ``team_pairs`` (instance, student filled by a team
# submission and by no own post) and ``submitted`` (instance, students).
SUBMITTED_CTES = f"""
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
)
"""

_SUBMITTED_SQL = f"""
WITH args AS NOT MATERIALIZED (
    SELECT %(journey)s::uuid AS journey, %(instances)s::uuid[] AS instances
),
{SUBMITTED_CTES}
SELECT mission_instance_id, students FROM submitted WHERE students > 0
"""


def submitters_by_instance(journey: Journey, instance_ids: list[uuid.UUID]) -> dict:
    """{instance id: how many of the class submitted it} for ``instance_ids``
    (released instances of ``journey``); an instance nobody submitted is
    absent. One query."""
    params = {"journey": journey.pk, "instances": instance_ids, "student_role": Role.USER.value}
    # The same for every teacher who asks: cached until the class changes.
    return dict(class_rows(journey, _SUBMITTED_SQL, params))
