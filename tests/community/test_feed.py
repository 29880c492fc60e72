"""The journey's Feed tab: who sees which posts, paging by key in both sorts,
the cards, the empty states and the query count."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape as html_unescape
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from community import selectors as feed_module
from community.models import PostAttachment
from community.selectors import FeedSort, feed_page
from files.models import File, FileType
from tests.factories import (
    CommentFactory,
    JourneyFactory,
    LikeFactory,
    MissionInstanceFactory,
    PostFactory,
    ProfileFactory,
    TeamFactory,
    UserJourneyFactory,
)
from tests.scenarios import Classmate, ClassScenario, MissionAt

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def klass(organization, student, teacher):
    """A journey with the conftest student, a classmate and one open mission."""
    scenario = ClassScenario.build(
        organization,
        journey_name="AI Basics",
        students={"student": student, "classmate": Classmate("Seojun", "Lee")},
        teacher=teacher,
        missions=(MissionAt("Write a prompt"),),
    )
    return SimpleNamespace(
        journey=scenario.journey,
        instance=scenario.mission("Write a prompt"),
        student=student,
        classmate=scenario.students["classmate"],
        teacher=teacher,
        url=reverse("community:feed", args=[scenario.journey.pk]),
    )


def post_in(klass, *, user=None, created_at=None, **fields):
    # Each author submits once per instance (a unique constraint): a fresh
    # instance per post keeps tests free to make many posts by one person.
    instance = MissionInstanceFactory(
        journey_week=klass.instance.journey_week, mission=klass.instance.mission
    )
    post = PostFactory(mission_instance=instance, user=user or klass.classmate, **fields)
    if created_at is not None:
        type(post).objects.filter(pk=post.pk).update(created_at=created_at)
        post.created_at = created_at
    return post


def image_file(owner, *, name="photo.png", file_type=FileType.IMAGE, deleted=False) -> File:
    return File.objects.create(
        user=owner,
        file_name=name,
        file_path=f"posts/{name}",
        file_size=100,
        mime_type="image/png" if file_type == FileType.IMAGE else "application/pdf",
        file_type=file_type,
        bucket_name="post-attachments",
        is_deleted=deleted,
    )


def titles(response) -> list[str]:
    return [post.title for post in response.context["page"].posts]


# --- access -----------------------------------------------------------------


def test_a_student_sees_the_journeys_posts_newest_first(client, klass):
    now = timezone.now()
    old = post_in(klass, title="Old", created_at=now - dt.timedelta(days=2))
    new = post_in(klass, title="New", created_at=now - dt.timedelta(hours=1))
    PostFactory(title="Elsewhere")  # another journey's post
    client.force_login(klass.student)

    response = client.get(klass.url)

    assert response.status_code == 200
    assert titles(response) == [new.title, old.title]
    assert "Elsewhere" not in response.content.decode()


def test_a_journey_i_am_not_in_answers_404(client, klass, organization):
    other = JourneyFactory(organization=organization)
    client.force_login(klass.student)
    assert client.get(reverse("community:feed", args=[other.pk])).status_code == 404


def test_an_outsider_gets_404(client, klass, outsider):
    client.force_login(outsider)
    assert client.get(klass.url).status_code == 404


def test_logged_out_visitors_are_sent_to_log_in(client, klass):
    response = client.get(klass.url)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_hidden_posts_are_absent_for_classmates(client, klass):
    post_in(klass, title="Visible")
    post_in(klass, title="Secret", is_hidden=True)
    client.force_login(klass.student)

    response = client.get(klass.url)

    assert titles(response) == ["Visible"]
    assert "Secret" not in response.content.decode()


def test_the_author_and_the_teachers_see_a_hidden_post_marked_hidden(client, klass):
    post_in(klass, title="Secret", is_hidden=True)
    for viewer in (klass.classmate, klass.teacher):
        client.force_login(viewer)
        response = client.get(klass.url)
        assert titles(response) == ["Secret"]
        assert "badge--hidden" in response.content.decode()


# --- cards ------------------------------------------------------------------


def test_a_card_shows_author_mission_time_excerpt_and_counts(client, klass):
    post = post_in(
        klass,
        title="My prompt",
        content="**Bold** start of a long story " + "word " * 60,
        view_count=7,
        created_at=dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC),
    )
    LikeFactory.create_batch(3, post=post)
    CommentFactory.create_batch(2, post=post)
    client.force_login(klass.student)

    response = client.get(klass.url)
    html = response.content.decode()
    card = response.context["page"].posts[0]

    assert (card.like_count, card.comment_count, card.view_count) == (3, 2, 7)
    assert "Seojun Lee" in html
    assert "Write a prompt" in html
    assert "2026.03.02 10:30" in html  # shown in Asia/Seoul, stored in UTC
    assert "Bold start of a long story" in html and "<strong>" not in html
    assert reverse("community:post_detail", args=[klass.journey.pk, post.pk]) in html


def test_a_team_post_shows_its_team(client, klass):
    team = TeamFactory(journey=klass.journey, name="Team Blaze")
    post_in(klass, title="Team work", team=team, is_team_submission=True)
    client.force_login(klass.student)
    assert "Team Blaze" in client.get(klass.url).content.decode()


def test_a_deleted_author_shows_as_deleted_user(client, klass):
    gone = ProfileFactory(organization=klass.journey.organization, first_name="", last_name="")
    gone.deleted_at = timezone.now()
    gone.save()
    post_in(klass, user=gone, title="Orphan")
    client.force_login(klass.student)
    assert "Deleted user" in client.get(klass.url).content.decode()


def test_the_thumbnail_is_the_first_image_attachment_only(client, klass):
    with_image = post_in(klass, title="With image")
    document = image_file(klass.classmate, name="notes.pdf", file_type=FileType.DOCUMENT)
    first = image_file(klass.classmate, name="first.png")
    second = image_file(klass.classmate, name="second.png")
    for file in (document, first, second):
        PostAttachment.objects.create(post=with_image, file=file)
    only_document = post_in(klass, title="Only a document")
    PostAttachment.objects.create(
        post=only_document, file=image_file(klass.classmate, name="a.pdf", file_type="document")
    )
    deleted_image = post_in(klass, title="Deleted image")
    PostAttachment.objects.create(
        post=deleted_image, file=image_file(klass.classmate, name="gone.png", deleted=True)
    )
    client.force_login(klass.student)

    response = client.get(klass.url)
    thumbnails = {post.title: post.thumbnail_url for post in response.context["page"].posts}

    # A private attachment is served by the download view, which checks access.
    assert thumbnails == {
        "With image": reverse("files:download", args=[first.pk]),
        "Only a document": None,
        "Deleted image": None,
    }
    assert reverse("files:download", args=[first.pk]) in response.content.decode()


def test_waiting_and_not_achieved_badges_are_for_the_author_and_teachers(client, klass):
    post_in(klass, title="Graded", achievement_status="not_achieved")
    post_in(klass, title="Great", achievement_status="achieved")
    client.force_login(klass.student)
    html = client.get(klass.url).content.decode()
    assert "badge--achieved" in html and "badge--not_achieved" not in html

    client.force_login(klass.classmate)
    assert "badge--not_achieved" in client.get(klass.url).content.decode()


def test_an_empty_journey_says_there_are_no_posts_yet(client, klass):
    client.force_login(klass.student)
    response = client.get(klass.url)
    assert "No posts yet." in response.content.decode()


# --- paging by key ----------------------------------------------------------


def walk(client, url, **params) -> list[str]:
    """Follow "More" from the first page to the last, collecting post titles."""
    seen: list[str] = []
    after = None
    for _ in range(50):
        query = dict(params, **({"after": after} if after else {}))
        response = client.get(url, query)
        assert response.status_code == 200
        seen += titles(response)
        after = response.context["page"].next_cursor
        if after is None:
            return seen
    raise AssertionError("the feed never ended")


def test_newest_pages_neither_repeat_nor_skip_posts_with_equal_times(client, klass, monkeypatch):
    monkeypatch.setattr(feed_module, "FEED_PAGE_SIZE", 3)
    same_moment = timezone.now() - dt.timedelta(hours=2)
    for number in range(7):
        post_in(klass, title=f"tie {number}", created_at=same_moment)
    for number in range(4):
        post_in(klass, title=f"later {number}", created_at=same_moment + dt.timedelta(minutes=1))
    client.force_login(klass.student)

    seen = walk(client, klass.url)

    assert len(seen) == 11 and len(set(seen)) == 11
    assert set(seen[:4]) == {f"later {n}" for n in range(4)}
    assert set(seen[4:]) == {f"tie {n}" for n in range(7)}


def test_most_liked_pages_neither_repeat_nor_skip_posts_with_equal_likes(
    client, klass, monkeypatch
):
    monkeypatch.setattr(feed_module, "FEED_PAGE_SIZE", 2)
    same_moment = timezone.now() - dt.timedelta(hours=2)
    likes = {"a": 3, "b": 1, "c": 1, "d": 1, "e": 0, "f": 0, "g": 3}
    for title, count in likes.items():
        post = post_in(klass, title=title, created_at=same_moment)
        LikeFactory.create_batch(count, post=post)
    client.force_login(klass.student)

    seen = walk(client, klass.url, sort="liked")

    assert sorted(seen) == sorted(likes)
    assert [likes[title] for title in seen] == sorted(likes.values(), reverse=True)


def test_more_keeps_the_sort_and_the_search_and_htmx_gets_only_the_next_cards(
    client, klass, monkeypatch
):
    monkeypatch.setattr(feed_module, "FEED_PAGE_SIZE", 1)
    for number in range(3):
        post = post_in(klass, title=f"Prompt {number}")
        LikeFactory.create_batch(number, post=post)
    client.force_login(klass.student)

    first = client.get(klass.url, {"sort": "liked", "q": "prompt"})
    cursor = first.context["page"].next_cursor
    more_link = re.search(r'id="feed-more">\s*<a [^>]*href="([^"]+)"', first.content.decode())
    query = parse_qs(urlsplit(html_unescape(more_link.group(1))).query)
    assert query == {"sort": ["liked"], "q": ["prompt"], "after": [cursor]}

    more = client.get(
        klass.url, {"sort": "liked", "q": "prompt", "after": cursor}, HTTP_HX_REQUEST="true"
    )
    fragment = more.content.decode()
    assert titles(more) == ["Prompt 1"]
    assert "<html" not in fragment and 'id="feed-more"' in fragment
    assert "HX-Request" in more["Vary"]


def test_without_javascript_the_next_page_is_a_whole_page(client, klass, monkeypatch):
    monkeypatch.setattr(feed_module, "FEED_PAGE_SIZE", 1)
    post_in(klass, title="One")
    post_in(klass, title="Two")
    client.force_login(klass.student)
    cursor = client.get(klass.url).context["page"].next_cursor

    response = client.get(klass.url, {"after": cursor})

    assert "<html" in response.content.decode()
    assert "Back to the first page" in response.content.decode()


@pytest.mark.parametrize(
    ("sort", "after"),
    [
        ("newest", "garbage"),
        ("newest", "2026-01-01T00:00:00~not-a-uuid"),
        ("newest", "2026-01-01T00:00:00~7a0e2f5c-9a3b-4d5e-8f6a-0b1c2d3e4f5a"),  # no zone
        ("liked", "2026-01-01T00:00:00+00:00~7a0e2f5c-9a3b-4d5e-8f6a-0b1c2d3e4f5a"),  # no likes
        ("liked", "-1~2026-01-01T00:00:00+00:00~7a0e2f5c-9a3b-4d5e-8f6a-0b1c2d3e4f5a"),
        ("newest", "3~2026-01-01T00:00:00+00:00~7a0e2f5c-9a3b-4d5e-8f6a-0b1c2d3e4f5a"),
    ],
)
def test_a_malformed_cursor_answers_400_with_a_message(client, klass, sort, after):
    client.force_login(klass.student)
    response = client.get(klass.url, {"sort": sort, "after": after})
    assert response.status_code == 400
    assert "This page of the feed does not exist." in response.content.decode()


def test_an_unknown_sort_shows_the_newest_first(client, klass):
    post_in(klass, title="Only")
    client.force_login(klass.student)
    response = client.get(klass.url, {"sort": "random"})
    assert response.status_code == 200
    assert response.context["sort"] == FeedSort.NEWEST


# --- query count ------------------------------------------------------------


def fill(klass, count: int) -> None:
    """``count`` posts by several authors, with likes, comments and images."""
    authors = [klass.classmate] + [
        UserJourneyFactory(journey=klass.journey, user__role=Role.USER).user for _ in range(2)
    ]
    for number in range(count):
        post = post_in(klass, user=authors[number % len(authors)], title=f"Post {number}")
        LikeFactory.create_batch(number % 4 + 1, post=post)
        CommentFactory.create_batch(number % 3 + 1, post=post)
        PostAttachment.objects.create(post=post, file=image_file(post.user, name=f"{number}.png"))


# User (the session comes from the cache), journey, posts (keys and cards),
# thumbnails, the navigation's unread count; the keys without a search run
# on their generic plan (a SET LOCAL before them, sent by libpq itself and so
# not counted here: core.statements.use_generic_plans); a search first looks up
# the authors whose name matches.
@pytest.mark.parametrize(
    ("params", "queries"),
    [({}, 6), ({"sort": "liked"}, 6), ({"q": "post"}, 7), ({"q": "Seojun", "sort": "liked"}, 7)],
)
def test_the_feed_runs_the_same_queries_for_few_and_many_posts(
    client, klass, django_assert_num_queries, params, queries
):
    client.force_login(klass.student)
    fill(klass, 3)
    with django_assert_num_queries(queries):
        assert client.get(klass.url, params).status_code == 200

    fill(klass, 30)  # more than a page, more likes, comments and images
    with django_assert_num_queries(queries):
        response = client.get(klass.url, params)
    assert len(response.context["page"].posts) > 3


def test_a_page_reads_posts_in_two_queries_whatever_their_likes_and_comments(
    klass, django_assert_num_queries
):
    for number in range(5):
        post = post_in(klass, title=f"Post {number}")
        LikeFactory.create_batch(5, post=post)
        CommentFactory.create_batch(5, post=post)
    # The page's keys (on their generic plan: the switch is libpq's, not
    # counted), then its cards; no images: no thumbnail query.
    with django_assert_num_queries(2):
        page = feed_page(user=klass.student, journey=klass.journey, sort=FeedSort.MOST_LIKED)
    assert [post.like_count for post in page.posts] == [5] * 5


# --- cards drawn once per process (core.fragments) --------------------------


def card_stats(html: str) -> list[str]:
    return re.findall(r'class="feed-stat"[^>]*>\s*<svg.*?</svg>\s*(\d+)', html, re.S)


@pytest.mark.usefixtures("kept_fragments")
def test_a_kept_card_changes_with_its_likes_comments_and_views(client, klass):
    post = post_in(klass, title="Counted")
    client.force_login(klass.student)
    assert card_stats(client.get(klass.url).content.decode()) == ["0", "0", "0"]

    LikeFactory(post=post)
    CommentFactory(post=post)
    client.get(reverse("community:post_detail", args=[klass.journey.pk, post.pk]))

    assert card_stats(client.get(klass.url).content.decode()) == ["1", "1", "1"]


@pytest.mark.usefixtures("kept_fragments")
def test_a_kept_card_never_shows_one_persons_badge_to_another(client, klass):
    post_in(klass, title="Waiting", user=klass.student, achievement_status="pending")
    client.force_login(klass.student)
    assert "badge--pending" in client.get(klass.url).content.decode()

    client.force_login(klass.classmate)
    assert "badge--pending" not in client.get(klass.url).content.decode()


@pytest.mark.usefixtures("kept_fragments")
def test_a_kept_card_follows_an_edit_and_a_renamed_author(client, klass):
    post = post_in(klass, title="First title")
    client.force_login(klass.student)
    assert "First title" in client.get(klass.url).content.decode()

    type(post).objects.filter(pk=post.pk).update(title="Second title")
    klass.classmate.first_name = "Minji"
    klass.classmate.save()

    html = client.get(klass.url).content.decode()
    assert "Second title" in html and "First title" not in html
    assert "Lee Minji" in html or "Minji Lee" in html
