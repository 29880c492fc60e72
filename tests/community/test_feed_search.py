"""Searching the feed: PostgreSQL full-text search on title and content with
prefix terms (Korean stems), OR'd with the author's name; any input is safe."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from community.models import Post
from community.selectors import FeedSort, feed_posts, prefix_tsquery
from core.database_roles import as_owner
from tests.factories import (
    JourneyFactory,
    JourneyWeekFactory,
    MissionInstanceFactory,
    PostFactory,
    ProfileFactory,
    UserJourneyFactory,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def journey(organization, student):
    journey = JourneyFactory(organization=organization)
    UserJourneyFactory(journey=journey, user=student)
    return journey


@pytest.fixture
def week(journey):
    return JourneyWeekFactory(journey=journey)


@pytest.fixture
def write(journey, week, organization):
    """write(title, content, author=None): a post in the journey."""

    def make(title: str, content: str = "", author=None, **fields) -> Post:
        author = author or ProfileFactory(organization=organization)
        return PostFactory(
            mission_instance=MissionInstanceFactory(journey_week=week),
            user=author,
            title=title,
            content=content,
            **fields,
        )

    return make


def search(client, journey, text: str, **params):
    response = client.get(reverse("community:feed", args=[journey.pk]), {"q": text, **params})
    assert response.status_code == 200
    return response


def found(client, journey, text: str, **params) -> set[str]:
    return {post.title for post in search(client, journey, text, **params).context["page"].posts}


def test_a_korean_stem_finds_the_word_with_its_particle(client, student, journey, write):
    write("미션을 끝냈어요")
    write("다른 이야기")
    client.force_login(student)
    assert found(client, journey, "미션") == {"미션을 끝냈어요"}


def test_it_searches_content_and_needs_every_term(client, student, journey, write):
    write("Week one", "I automated the weekly sales report")
    write("Week two", "I automated nothing")
    client.force_login(student)
    assert found(client, journey, "autom report") == {"Week one"}
    assert found(client, journey, "AUTOMATED") == {"Week one", "Week two"}


@pytest.mark.parametrize("name", ["이서준", "서준", "이", "Seojun", "seojun lee", "Lee"])
def test_it_finds_posts_by_the_authors_name(client, student, journey, write, organization, name):
    korean = ProfileFactory(organization=organization, last_name="이", first_name="서준")
    english = ProfileFactory(organization=organization, first_name="Seojun", last_name="Lee")
    write("Korean author", author=korean)
    write("English author", author=english)
    someone = ProfileFactory(organization=organization, first_name="Ava", last_name="Brown")
    write("Someone else", author=someone)
    client.force_login(student)

    expected = {
        "이서준": {"Korean author"},
        "서준": {"Korean author"},
        "이": {"Korean author"},
        "Seojun": {"English author"},
        "seojun lee": {"English author"},
        "Lee": {"English author"},
    }[name]
    assert found(client, journey, name) == expected


def test_a_name_match_and_a_text_match_add_up(client, student, journey, write, organization):
    minji = ProfileFactory(organization=organization, last_name="김", first_name="민지")
    write("About charts", author=minji)
    write("김민지 helped me")
    write("Unrelated")
    client.force_login(student)
    assert found(client, journey, "김민지") == {"About charts", "김민지 helped me"}


def test_a_search_never_reveals_hidden_posts(client, student, journey, write):
    write("Secret mission", is_hidden=True)
    client.force_login(student)
    assert found(client, journey, "secret") == set()


def test_a_search_stays_in_the_journey(client, student, journey, write, organization):
    write("Chart story")
    PostFactory(title="Chart story elsewhere")  # another journey of another academy
    client.force_login(student)
    assert found(client, journey, "chart") == {"Chart story"}


@pytest.mark.parametrize(
    "text",
    [
        "'",
        '"',
        "&",
        "|",
        "!",
        ":*",
        "(",
        ")",
        "\\",
        "<->",
        "a & | b",
        "don't",
        "미션:* & !",
        "''''",
    ],
)
def test_no_input_breaks_the_query(client, student, journey, write, text):
    write("Don't stop", "a b")
    client.force_login(student)
    search(client, journey, text)  # a 200, not a syntax error
    search(client, journey, text, sort="liked")


def test_nothing_matching_says_so_and_offers_to_clear(client, student, journey, write):
    write("Chart story")
    client.force_login(student)
    html = search(client, journey, "zebra").content.decode()
    assert "Nothing matches “zebra”." in html
    assert "Show all posts" in html


def test_the_search_and_sort_stay_in_the_form_and_the_sort_links(client, student, journey, write):
    write("Chart story")
    client.force_login(student)
    html = search(client, journey, "chart", sort="liked").content.decode()
    assert 'name="q" value="chart"' in html
    assert '<input type="hidden" name="sort" value="liked">' in html
    assert "?q=chart&amp;sort=liked" in html or "?sort=liked&amp;q=chart" in html


def test_very_long_input_is_cut(client, student, journey, write):
    client.force_login(student)
    response = search(client, journey, "x" * 5000)
    assert len(response.context["search"]) == 100


# --- the tsquery --------------------------------------------------------------


def test_prefix_tsquery_keeps_only_letters_and_digits_as_prefix_terms():
    assert (
        prefix_tsquery("미션 it's a:b & c|d!")
        == "'미션':* & 'it':* & 's':* & 'a':* & 'b':* & 'c':* & 'd':*"
    )
    assert prefix_tsquery("  &|!:*()'\" ") is None
    assert prefix_tsquery("snake_case") == "'snake':* & 'case':*"


def test_prefix_tsquery_keeps_at_most_eight_terms():
    assert prefix_tsquery(" ".join("abcdefghijkl")).count(":*") == 8


# --- the index ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_text_search_uses_the_gin_index(student, journey, organization):
    author = ProfileFactory(organization=organization)
    Post.objects.bulk_create(
        Post(journey=journey, user=author, title=f"filler {n}", content="lorem ipsum")
        for n in range(3000)
    )
    Post.objects.create(journey=journey, user=author, title="미션을 마쳤어요")
    posts = feed_posts(user=student, journey=journey, sort=FeedSort.NEWEST, search="미션")
    sql, params = posts.query.sql_with_params()
    with as_owner() as owner, owner.cursor() as cursor:
        cursor.execute("ANALYZE posts")  # the owner's (committed rows: a transactional test)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "posts_search_idx" in plan, plan
    assert [post.title for post in posts] == ["미션을 마쳤어요"]
