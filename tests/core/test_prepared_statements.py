"""Statements are prepared by PostgreSQL (settings: server-side binding and
psycopg's prepare threshold), and keyset pages stay index walks under a
prepared statement's generic plan, which does not see its parameters
(``core.keyset.older_than`` / ``newer_than``).

Before the bound, the post page's neighbours under a generic plan walked the
whole journey from its newest post (19 ms at 27,000 posts instead of 0.1)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from psycopg.sql import Literal

from community.models import Post
from community.selectors import neighbours_of, visible_posts
from core.keyset import newer_than, older_than
from tests.factories import PostFactory, UserJourneyFactory

pytestmark = pytest.mark.django_db


def _prepared_statement_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql")
        return cursor.fetchone()[0]


def test_a_statement_run_often_is_prepared_by_postgresql():
    threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
    assert connection.settings_dict["OPTIONS"]["server_side_binding"] is True
    post = PostFactory()
    before = _prepared_statement_count()
    for _ in range(threshold + 1):
        assert Post.objects.filter(journey_id=post.journey_id, user_id=post.user_id).count() == 1

    assert _prepared_statement_count() > before


def _generic_plan(sql: str, params: list) -> str:
    """EXPLAIN of ``sql`` as a prepared statement's generic plan, sequential
    scans ruled out so that the index conditions show even on a tiny table."""
    numbered, count = sql, 0
    while "%s" in numbered:
        count += 1
        numbered = numbered.replace("%s", f"${count}", 1)
    connection.ensure_connection()
    # EXECUTE takes no bound parameters: its arguments are written as literals.
    arguments = ", ".join(Literal(value).as_string(connection.connection) for value in params)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"PREPARE keyset_probe AS {numbered}")
        cursor.execute(f"EXPLAIN EXECUTE keyset_probe({arguments})")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE keyset_probe")
    return plan


def _index_conditions(plan: str) -> list[str]:
    return re.findall(r"Index Cond: (.*)", plan)


def _busy_journey(post: Post, posts: int = 3000) -> None:
    """``posts`` more posts in ``post``'s journey, a minute apart, and fresh
    statistics: on a nearly empty table every plan costs the same, and which
    index PostgreSQL then takes differs between versions (16 took the
    journey's own index, 15 the keyset's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO posts (title, user_id, journey_id, created_at) "
            "SELECT 'Post ' || g, %s, %s, now() - make_interval(mins => g) "
            "FROM generate_series(1, %s) AS g",
            [post.user_id, post.journey_id, posts],
        )
        cursor.execute("ANALYZE posts")


@pytest.mark.parametrize("bound", [older_than, newer_than])
def test_a_keyset_bound_is_an_index_condition_of_the_generic_plan(bound):
    post = PostFactory()
    _busy_journey(post)
    rows = Post.objects.filter(journey_id=post.journey_id).filter(
        bound("created_at", post.created_at, post.pk)
    )
    sql, params = rows.order_by("-created_at", "-id")[:1].query.sql_with_params()

    conditions = _index_conditions(_generic_plan(sql, list(params)))

    assert any("journey_id" in found and "created_at" in found for found in conditions), conditions


def test_the_post_pages_neighbours_walk_from_the_post_under_a_generic_plan():
    enrolment = UserJourneyFactory()
    post = PostFactory(journey=enrolment.journey, mission_instance__journey=enrolment.journey)
    _busy_journey(post)
    posts = visible_posts(enrolment.user, post.journey).exclude(pk=post.pk)
    older = posts.filter(older_than("created_at", post.created_at, post.pk))
    sql, params = older.order_by("-created_at", "-id")[:1].query.sql_with_params()

    conditions = _index_conditions(_generic_plan(sql, list(params)))

    assert any("created_at" in found for found in conditions), conditions
    # And the page's own query finds the neighbours, whichever plan it runs.
    newer = PostFactory(journey=post.journey, mission_instance=post.mission_instance)
    # One transaction gives both posts its now(): the newer one is made newer.
    Post.objects.filter(pk=newer.pk).update(created_at=post.created_at + dt.timedelta(seconds=1))
    neighbours = neighbours_of(enrolment.user, post)
    assert neighbours.next == newer
    assert neighbours.previous.title == "Post 1"  # a minute older: the newest of the rest
