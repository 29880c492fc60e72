"""The post page runs the same number of queries whatever the number of
comments, likes and attachments."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.community.builders import (  # noqa: F401 (fixtures)
    attach_file,
    classroom_fixture,
    make_post,
    post_url,
)
from tests.factories import CommentFactory, LikeFactory, ProfileFactory, UserJourneyFactory

# Me (the session comes from the cache), the journey, the post (with its author, team,
# mission, like count and my like), the view (one statement: the day's first also raises
# the count), my team, the journey's members (mentions), comments (with authors),
# attachments (with files), previous and next (one UNION, on its generic plan: a
# SET LOCAL before it, sent by libpq itself and so not counted here,
# core.statements.use_generic_plans), the unread-notification badge.
POST_PAGE_QUERIES = 10


def fill(classroom, post, count: int) -> None:
    for number in range(count):
        person = ProfileFactory(organization=classroom.journey.organization)
        UserJourneyFactory(journey=classroom.journey, user=person)
        CommentFactory(post=post, user=person, content=f"Comment {number} @{person.first_name}")
        LikeFactory(post=post, user=person)
        attach_file(post, name=f"file{number}.pdf")
        attach_file(post, name=f"image{number}.png", kind="image", mime="image/png")


@pytest.mark.parametrize("size", [1, 30])
@pytest.mark.parametrize("viewer", ["student", "teacher"])
def test_the_post_page_runs_a_fixed_number_of_queries(
    client, classroom, django_assert_num_queries, size, viewer
):
    post = make_post(classroom, author=classroom.classmate)
    fill(classroom, post, size)
    client.force_login(getattr(classroom, viewer))
    url = post_url(post)
    client.get(url)  # the day's first view also bumps the count: see below
    with django_assert_num_queries(POST_PAGE_QUERIES):
        assert client.get(url).status_code == 200


def test_the_first_view_of_the_day_costs_no_query_more(client, classroom):
    post = make_post(classroom)
    fill(classroom, post, 3)
    client.force_login(classroom.classmate)
    with CaptureQueriesContext(connection) as captured:
        client.get(post_url(post))
    # Read at once: the next request empties the log the context reads.
    assert len(captured) == POST_PAGE_QUERIES
