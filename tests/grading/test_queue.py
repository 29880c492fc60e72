"""The grading queue: submissions of my academy waiting for grading, oldest
first, filtered by GET parameters, paged by key, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import html
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from community.models import AchievementStatus, Post
from grading.selectors import _QUEUE_COUNT, QueueFilters, _academy_arguments, _filter_arguments
from tests.factories import (
    JourneyFactory,
    JourneyWeekFactory,
    MissionInstanceFactory,
    PostFactory,
    ProfileFactory,
    UserJourneyFactory,
)
from tests.grading.conftest import (
    elsewhere_in_the_academy,
    grade_url,
    logged_in,
    submission,
    team_submission,
)

pytestmark = pytest.mark.usefixtures("english")

QUEUE = reverse("grading:queue")


def _shown(response) -> list[str]:
    """The post ids of the queue's rows, in page order."""
    return re.findall(r'name="post" value="([0-9a-f-]{36})"', response.content.decode())


def test_pending_submissions_are_listed_oldest_first(client, school):
    newer = submission(school.instance, school.classmate, minutes_ago=5)
    older = submission(school.instance, school.student, minutes_ago=50)
    submission(school.team_instance, school.student, minutes_ago=40, achievement_status="achieved")

    response = logged_in(client, school.teacher).get(QUEUE)

    assert response.status_code == 200
    assert _shown(response) == [str(older.pk), str(newer.pk)]
    assert "2 submissions waiting" in response.content.decode()


def test_a_row_shows_who_where_and_when(client, school, settings):
    post = submission(school.instance, school.student)
    team_post = team_submission(school.team_instance, school.team, school.teammate)

    page = logged_in(client, school.teacher).get(QUEUE).content.decode()

    assert "Minji Kim" in page and "Write a prompt" in page
    assert "AI Basics · Week 1" in page
    local = timezone.localtime(post.created_at, ZoneInfo(settings.DEFAULT_USER_TIMEZONE))
    assert local.strftime("%Y.%m.%d %H:%M") in page  # Asia/Seoul, not UTC
    assert f'datetime="{local.isoformat()}"' in page
    assert "Team Blaze" in page and "Sua Han" in page
    assert grade_url(team_post) in page


def test_a_resubmission_is_marked(client, school):
    post = submission(school.instance, school.student)
    # What post_update leaves after a "not achieved" post is edited: pending, graded_at kept.
    Post.objects.filter(pk=post.pk).update(graded_at=timezone.now() - dt.timedelta(hours=1))

    page = logged_in(client, school.teacher).get(QUEUE).content.decode()

    assert "queue-row--resubmitted" in page and "Resubmitted" in page


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("pending", {"pending"}),
        ("achieved", {"achieved"}),
        ("not_achieved", {"not_achieved"}),
        ("all", {"pending", "achieved", "not_achieved"}),
        ("nonsense", {"pending"}),
    ],
)
def test_the_state_filter_lets_teachers_find_graded_posts_to_regrade(
    client, school, state, expected
):
    posts = {
        status: submission(school.instance, person, achievement_status=status)
        for status, person in (
            ("pending", school.student),
            ("achieved", school.classmate),
            ("not_achieved", school.teammate),
        )
    }

    shown = set(_shown(logged_in(client, school.teacher).get(QUEUE, {"state": state})))

    assert shown == {str(posts[status].pk) for status in expected}


def test_filters_by_journey_week_mission_and_student(client, school, organization):
    mine = submission(school.instance, school.student)
    classmate = submission(school.instance, school.classmate)
    team_post = team_submission(school.team_instance, school.team, school.teammate)
    other_journey = JourneyFactory(organization=organization)
    week2 = JourneyWeekFactory(journey=other_journey, week_number=2)
    elsewhere = PostFactory(mission_instance=MissionInstanceFactory(journey_week=week2))
    client = logged_in(client, school.teacher)

    def shown(**params):
        return set(_shown(client.get(QUEUE, params)))

    everything = {str(p.pk) for p in (mine, classmate, team_post, elsewhere)}
    assert shown() == everything
    assert shown(journey=school.journey.pk) == everything - {str(elsewhere.pk)}
    assert shown(week=week2.pk) == {str(elsewhere.pk)}
    assert shown(mission=school.instance.mission_id) == {str(mine.pk), str(classmate.pk)}
    # A student's own submissions and their team's.
    assert shown(student=school.student.pk) == {str(mine.pk), str(team_post.pk)}
    assert shown(journey="not-a-uuid") == everything  # a mangled filter filters nothing


def test_choosing_a_journey_offers_its_weeks_and_students(client, school):
    client = logged_in(client, school.teacher)

    before = client.get(QUEUE).content.decode()
    after = client.get(QUEUE, {"journey": school.journey.pk}).content.decode()

    assert "Choose a journey first" in before and "Seojun Lee" not in before
    assert f'value="{school.week.pk}"' in after and "Seojun Lee" in after


def test_links_to_grade_keep_the_filters(client, school):
    post = submission(school.instance, school.student)
    query = {"journey": school.journey.pk, "state": "all"}

    page = logged_in(client, school.teacher).get(QUEUE, query).content.decode()

    assert grade_url(post, f"?journey={school.journey.pk}&amp;state=all") in page


def test_the_empty_queue_says_so(client, school):
    page = logged_in(client, school.teacher).get(QUEUE).content.decode()

    assert "Nothing is waiting for grading." in page


@pytest.fixture
def pages_of_two(monkeypatch):
    """The queue's pages hold two rows, so a handful of posts spans pages."""
    from grading import views as grading_views

    real = grading_views.queue_page
    monkeypatch.setattr(grading_views, "queue_page", lambda *a, **k: real(*a, **{**k, "size": 2}))


def _more_link(response) -> str | None:
    found = re.search(
        r'class="queue-more".*?href="(\?[^"]*after=[^"]+)"', response.content.decode(), re.S
    )
    return html.unescape(found.group(1)) if found else None


def test_pages_follow_each_other_by_key_without_gaps_or_repeats(client, school, pages_of_two):
    people = [school.student, school.classmate, school.teammate]
    made = [
        submission(school.instance, person, minutes_ago=60 - n) for n, person in enumerate(people)
    ]
    # Two more with the very same created_at: the id breaks the tie.
    same_moment = timezone.now() - dt.timedelta(minutes=10)
    for _ in range(2):
        extra = ProfileFactory(organization=school.journey.organization, role=Role.USER)
        post = PostFactory(mission_instance=school.instance, user=extra)
        Post.objects.filter(pk=post.pk).update(created_at=same_moment)
        made.append(post)
    client = logged_in(client, school.teacher)

    seen, link = [], ""
    for _ in range(5):
        response = client.get(QUEUE + link)
        seen += _shown(response)
        link = _more_link(response)
        if link is None:
            break

    assert len(seen) == len(set(seen)) == 5
    assert set(seen) == {str(p.pk) for p in made}


@pytest.mark.parametrize("state", ["pending", "all"])
def test_pages_are_oldest_first_across_every_journey_of_the_academy(
    client, school, pages_of_two, state
):
    # The queue reads each journey's index on its own and merges them: the
    # order must be the academy's, not journey by journey.
    second, third = (elsewhere_in_the_academy(school, name) for name in ("Second", "Third"))
    instances = [school.instance, second, third, school.instance, second, school.instance, third]
    made = [PostFactory(mission_instance=instance) for instance in instances]
    for minutes, post in zip(range(70, 0, -10), made, strict=True):
        Post.objects.filter(pk=post.pk).update(
            created_at=timezone.now() - dt.timedelta(minutes=minutes)
        )
    graded = made[3]
    Post.objects.filter(pk=graded.pk).update(achievement_status=AchievementStatus.ACHIEVED)
    expected = [post for post in made if state == "all" or post != graded]
    client = logged_in(client, school.teacher)

    seen, link = [], f"?state={state}"
    for _ in range(6):
        response = client.get(QUEUE + link)
        seen.append(_shown(response))
        link = _more_link(response)
        if link is None:
            break

    assert [len(page) for page in seen] == ([2, 2, 2, 1] if state == "all" else [2, 2, 2])
    assert sum(seen, []) == [str(post.pk) for post in expected]


def test_more_with_htmx_answers_only_the_next_rows(client, school, pages_of_two):
    for n, person in enumerate([school.student, school.classmate, school.teammate]):
        submission(school.instance, person, minutes_ago=60 - n)
    client = logged_in(client, school.teacher)
    link = _more_link(client.get(QUEUE))

    response = client.get(QUEUE + link, HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert "<html" not in page and page.count('name="post"') == 1


def test_a_forged_cursor_is_a_bad_request(client, school):
    response = logged_in(client, school.teacher).get(QUEUE, {"after": "yesterday~me"})

    assert response.status_code == 400


def _crowd(school, count: int) -> None:
    """``count`` more students of the journey, each with a pending submission,
    half of them in teams, in one go."""
    organization = school.journey.organization
    people = ProfileFactory.create_batch(count, organization=organization, role=Role.USER)
    for person in people:
        UserJourneyFactory(journey=school.journey, user=person)
    Post.objects.bulk_create(
        Post(
            mission_instance=school.instance,
            journey=school.journey,
            user=person,
            title=f"Work {n}",
            content="…",
            achievement_status=AchievementStatus.PENDING,
        )
        for n, person in enumerate(people)
    )


@pytest.mark.parametrize("params", [{}, {"journey": "JOURNEY"}, {"state": "all"}])
def test_the_queue_costs_the_same_queries_for_few_and_hundreds_of_posts(
    client, school, django_assert_num_queries, params
):
    params = {
        key: school.journey.pk if value == "JOURNEY" else value for key, value in params.items()
    }
    client = logged_in(client, school.teacher)
    submission(school.instance, school.student)
    team_submission(school.team_instance, school.team, school.teammate)
    client.get(QUEUE, params)  # warm up: session, caches

    with django_assert_num_queries(QUEUE_QUERIES[bool(params.get("journey"))]) as few:
        client.get(QUEUE, params)
    _crowd(school, 300)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(QUEUE, params)
    assert len(_shown(response)) == 25


# The user (the session comes from the cache), the unread notifications badge, the page's
# keys, its rows, the count, the journeys and missions lists; with a journey chosen also
# its weeks and students.
QUEUE_QUERIES = {False: 7, True: 9}


@pytest.fixture
def count_limit_of_two(monkeypatch):
    """Counts stop at two, so three posts are "more than" the limit."""
    from grading import selectors

    monkeypatch.setattr(selectors, "COUNT_LIMIT", 2)


def test_the_count_stops_at_its_limit_and_says_more(client, school, count_limit_of_two):
    client = logged_in(client, school.teacher)
    submission(school.instance, school.student)
    submission(school.instance, school.classmate)

    assert "2 submissions waiting" in client.get(QUEUE).content.decode()

    submission(school.instance, school.teammate)

    page = client.get(QUEUE).content.decode()
    assert "More than 2 submissions waiting" in page and "3 submissions" not in page
    assert "More than 2 submissions" in client.get(QUEUE, {"state": "all"}).content.decode()
    # A narrower filter is counted again from its own rows.
    assert (
        "1 submission waiting"
        in client.get(QUEUE, {"student": school.teammate.pk}).content.decode()
    )


def test_the_queue_costs_the_same_queries_for_one_journey_and_many(
    client, school, django_assert_num_queries
):
    client = logged_in(client, school.teacher)
    submission(school.instance, school.student)
    client.get(QUEUE)  # warm up: session, caches

    with django_assert_num_queries(QUEUE_QUERIES[False]):
        client.get(QUEUE)
    for n in range(6):
        instance = elsewhere_in_the_academy(school, f"Journey {n}")
        PostFactory.create_batch(3, mission_instance=instance)
    with django_assert_num_queries(QUEUE_QUERIES[False]):
        response = client.get(QUEUE)
    assert len(_shown(response)) == 19


# --- rows drawn once per process (core.fragments) ------------------------------


@pytest.mark.usefixtures("kept_fragments")
def test_a_kept_row_follows_its_grade_and_title(client, school):
    post = submission(school.instance, school.student, title="First try")
    teacher = logged_in(client, school.teacher)
    every_state = QUEUE + "?state=all"
    assert "First try" in teacher.get(every_state).content.decode()

    Post.objects.filter(pk=post.pk).update(
        title="Second try", achievement_status=AchievementStatus.ACHIEVED, score=10
    )
    page = teacher.get(every_state).content.decode()

    assert "Second try" in page and "First try" not in page
    assert "status-badge--achieved" in page
    # The pending queue draws the same row without the state: another key.
    Post.objects.filter(pk=post.pk).update(achievement_status=AchievementStatus.PENDING)
    assert "status-badge" not in teacher.get(QUEUE).content.decode()


@pytest.mark.parametrize("state", ["pending", "achieved", "not_achieved"])
def test_the_state_is_written_into_the_queues_sql_not_bound(school, state):
    """A prepared statement's generic plan uses the waiting submissions'
    partial index only if it sees the state (grading.selectors._STATE_IN_SQL):
    the count and the walks name it as a constant."""
    filters = QueueFilters(state=state)
    sql, params = _QUEUE_COUNT.sql(
        limit=10, **_filter_arguments(filters), **_academy_arguments(school.teacher)
    )
    assert f"\"achievement_status\" = ('{state}')" in sql
    assert state not in [str(param) for param in params]
