"""Writes of the points app: the one place points are awarded and revoked.

A graded submission owns at most one points row: a ``user_points`` row for its
author, or, for a team submission, a ``team_points`` row for its team (and the
post's ``team_points`` column). Both tables are unique per owner and mission
instance, and both writes are upserts (``INSERT … ON CONFLICT … DO UPDATE``),
so a regrade updates the row and two graders can never leave two rows.

Callers (``grading.services``) lock the post first and call these inside
their own transaction: awarding and the grade commit or roll back together.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from community.models import Post
from points.models import TeamPoint, UserPoint


class PointsError(ValueError):
    """The post cannot carry points (not a mission submission, or a negative score)."""


@dataclass(frozen=True)
class Award:
    """What ``points_award`` wrote: to a student (``profile_id``) or a team (``team_id``)."""

    points: int
    profile_id: object = None
    team_id: object = None


def _check(post: Post, score: int) -> None:
    if post.mission_instance_id is None:
        raise PointsError("Only a mission submission earns points.")
    if score < 0:
        raise PointsError("Points cannot be negative.")


_USER_POINTS_UPSERT = """
    INSERT INTO user_points
        (id, profile_id, mission_instance_id, post_id, total_points, created_at, updated_at)
    VALUES (gen_random_uuid(), %s, %s, %s, %s, now(), now())
    ON CONFLICT (profile_id, mission_instance_id) DO UPDATE
        SET total_points = EXCLUDED.total_points,
            post_id = EXCLUDED.post_id,
            updated_at = now()
"""

_TEAM_POINTS_UPSERT = """
    INSERT INTO team_points
        (id, team_id, mission_instance_id, post_id, total_points, created_at, updated_at)
    VALUES (gen_random_uuid(), %s, %s, %s, %s, now(), now())
    ON CONFLICT (team_id, mission_instance_id) DO UPDATE
        SET total_points = EXCLUDED.total_points,
            post_id = EXCLUDED.post_id,
            updated_at = now()
"""


def points_award(*, post: Post, score: int) -> Award:
    """Give ``score`` points for ``post``'s mission instance to its author, or
    for a team submission to its team (and set ``posts.team_points``). A row
    already there for that owner and instance is updated, not duplicated."""
    _check(post, score)
    with transaction.atomic(), connection.cursor() as cursor:
        if post.is_team_post:
            cursor.execute(
                _TEAM_POINTS_UPSERT, [post.team_id, post.mission_instance_id, post.pk, score]
            )
            Post.objects.filter(pk=post.pk).update(team_points=score)
            post.team_points = score
            return Award(points=score, team_id=post.team_id)
        if post.is_team_submission:
            # A team submission whose team was deleted: nobody to credit. The
            # grade still stands on the post.
            return Award(points=0)
        cursor.execute(
            _USER_POINTS_UPSERT, [post.user_id, post.mission_instance_id, post.pk, score]
        )
        return Award(points=score, profile_id=post.user_id)


def points_revoke(*, post: Post) -> int:
    """Take back the points ``post`` earned (its owner's row for its mission
    instance); ``posts.team_points`` goes back to 0. Returns how many rows went
    (0 when it had none)."""
    if post.mission_instance_id is None:
        return 0
    with transaction.atomic():
        if post.is_team_submission:
            removed = 0
            if post.team_id:
                removed, _ = TeamPoint.objects.filter(
                    team_id=post.team_id, mission_instance_id=post.mission_instance_id
                ).delete()
            if post.team_points:
                Post.objects.filter(pk=post.pk).update(team_points=0)
                post.team_points = 0
            return removed
        removed, _ = UserPoint.objects.filter(
            profile_id=post.user_id, mission_instance_id=post.mission_instance_id
        ).delete()
        return removed
