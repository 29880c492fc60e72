"""The Dashboard's leaderboard in a big class: the page lists the top and the
student's own neighbourhood, never the whole class; "More" pages the ranking
by key (htmx in place, a plain link without JavaScript); bad cursors, other
weeks and other academies; queries and page size that do not grow with the
class."""

from __future__ import annotations

import re
import uuid
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Profile, Role
from journeys.models import UserJourney
from points.models import UserPoint
from tests.factories import JourneyFactory, TeamFactory, TeamMemberFactory, UserJourneyFactory
from tests.scenarios import ClassScenario, MissionAt

pytestmark = pytest.mark.usefixtures("english")

HTMX_MORE = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "leaderboard-more"}


@pytest.fixture
def klass(organization, student, teacher):
    """Me (Minji Kim) and a teacher; one mission in each of two weeks."""
    scenario = ClassScenario.build(
        organization,
        students={"student": student},
        teacher=teacher,
        weeks=2,
        missions=(MissionAt("One", week=1), MissionAt("Two", week=2)),
    )
    w1, w2 = scenario.missions
    return SimpleNamespace(
        journey=scenario.journey,
        weeks=scenario.weeks,
        w1=w1,
        w2=w2,
        student=student,
        teacher=teacher,
        url=reverse("points:dashboard", args=[scenario.journey.pk]),
    )


def enrol_many(klass, count: int, *, points=lambda number: number, instance=None) -> list:
    """``count`` students named "Student 000" … with ``points(number)`` in
    week 1 (none when it is None): written in bulk, so 300 take no time."""
    people = Profile.objects.bulk_create(
        Profile(
            email=f"s{number}-{uuid.uuid4().hex[:8]}@example.test",
            first_name="Student",
            last_name=f"{number:03d}",
            phone="010-0000-0000",
            privacy_agreed=True,
            organization=klass.journey.organization,
            role=Role.USER,
            password="!",
        )
        for number in range(count)
    )
    UserJourney.objects.bulk_create(UserJourney(journey=klass.journey, user=p) for p in people)
    UserPoint.objects.bulk_create(
        UserPoint(profile=person, mission_instance=instance or klass.w1, total_points=points(n))
        for n, person in enumerate(people)
        if points(n) is not None
    )
    return people


def award(klass, person, points: int, instance=None) -> None:
    UserPoint.objects.create(
        profile=person, mission_instance=instance or klass.w1, total_points=points
    )


def get(client, klass, viewer, params=None, **headers):
    client.force_login(viewer)
    return client.get(klass.url, params or {}, **headers)


NAME = re.compile(
    r'<span class="leaderboard__name">\s*(?:<img[^>]*>|<span class="mini-avatar[^>]*>[^<]*</span>)'
    r"\s*([^<]+?)\s*<"
)


def rows_of(html: str) -> list[str]:
    """The names in the students' leaderboard (or a page of it), in order."""
    return NAME.findall(html.split('id="teams-title"')[0])


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def next_link(html: str) -> str | None:
    found = re.search(r'<tbody id="leaderboard-more">.*?hx-get="\?([^"]+)"', html, re.S)
    return found.group(1).replace("&amp;", "&") if found else None


def params_of(query: str) -> dict:
    return dict(part.split("=", 1) for part in query.split("&"))


# --- a big class ----------------------------------------------------------------


def test_300_students_list_the_top_and_my_neighbourhood_only(client, klass):
    enrol_many(klass, 300, points=lambda number: 1000 - number)  # me: 0 PT, the last
    response = get(client, klass, klass.student)
    html = response.content.decode()

    names = rows_of(html)
    assert len(names) == 10 + 3  # the top, then #299, #300 and me (#301)
    assert names[:2] == ["Student 000", "Student 001"]
    assert names[-1] == "Minji Kim"
    assert "Top 10 of 301 students" in html
    assert len(response.content) < 60_000


def test_the_page_weighs_the_same_for_30_and_300_students(client, klass):
    enrol_many(klass, 30, points=lambda number: 1000 - number)
    small = len(get(client, klass, klass.student).content)
    enrol_many(klass, 270, points=lambda number: 500 - number)
    big = len(get(client, klass, klass.student).content)
    assert abs(big - small) < 500  # digits of bigger numbers, no more rows


@pytest.mark.parametrize("viewer", ["student", "teacher"])
def test_more_costs_the_same_queries_for_10_and_200_students(client, klass, viewer):
    enrol_many(klass, 10)
    client.force_login(getattr(klass, viewer))
    after = client.get(klass.url).context["board"].top[4].cursor
    with CaptureQueriesContext(connection) as small:
        client.get(klass.url, {"after": after}, **HTMX_MORE)
    few = len(small)

    enrol_many(klass, 190)
    after = client.get(klass.url).context["board"].top[4].cursor
    with CaptureQueriesContext(connection) as big:
        more = client.get(klass.url, {"after": after}, **HTMX_MORE)
    # me (the session comes from the cache), the journey, its weeks, the
    # board, the page's profiles
    assert len(big) == few == 5
    assert len(rows_of(more.content.decode())) == 50


# --- paging by key --------------------------------------------------------------


def test_more_pages_through_the_whole_ranking_exactly_once(client, klass, monkeypatch):
    monkeypatch.setattr("points.views.RANKING_PAGE_SIZE", 4)
    # Ties of three on every score (they cross page boundaries), and me on 0.
    enrol_many(klass, 24, points=lambda number: 10 * (number // 3))
    ranking = sorted(
        [(10 * (n // 3), f"{n:03d}", f"Student {n:03d}") for n in range(24)]
        + [(0, "Kim", "Minji Kim")],
        key=lambda row: (-row[0], row[1]),
    )
    response = get(client, klass, klass.teacher)
    listed = rows_of(response.content.decode())
    link = next_link(response.content.decode())
    pages = 0
    while link:
        pages += 1
        more = client.get(klass.url, params_of(link), **HTMX_MORE)
        html = more.content.decode()
        assert more.status_code == 200 and "HX-Request" in more["Vary"]
        assert "<html" not in html  # rows for the table, not a page
        listed += rows_of(html)
        link = next_link(html)

    assert listed == [name for _points, _key, name in ranking]  # each once, in order
    assert pages == 4  # 10 on the page, then 4 + 4 + 4 + 3


def test_page_two_starts_right_after_page_one_inside_a_tie(client, klass, monkeypatch):
    monkeypatch.setattr("points.views.RANKING_PAGE_SIZE", 3)
    people = enrol_many(klass, 16, points=lambda number: 50 if number < 12 else 5)
    board = get(client, klass, klass.teacher).context["board"]
    assert board.top[-1].points == 50  # the top ends inside the 12-way tie

    # (Without htmx: the page of its own, whose context holds the page.)
    second = client.get(klass.url, {"after": board.next_cursor}).context["page"]
    third = client.get(klass.url, {"after": second.next_cursor}).context["page"]

    assert [row.profile for row in second.rows] == people[10:13]
    assert [row.place for row in second.rows] == [11, 12, 13]
    assert [row.rank for row in second.rows] == [1, 1, 13]
    assert [row.profile for row in third.rows] == people[13:16]


def test_a_page_reaching_my_place_drops_the_rows_around_me(client, klass, monkeypatch):
    monkeypatch.setattr("points.views.RANKING_PAGE_SIZE", 10)
    enrol_many(klass, 40, points=lambda number: 100 - number)
    award(klass, klass.student, 75)  # tied with Student 025, after it ("025" < "Kim"): #27
    html = get(client, klass, klass.student).content.decode()
    assert '<tbody id="leaderboard-around">' in html
    board_cursor = next_link(html)

    second = client.get(klass.url, params_of(board_cursor), **HTMX_MORE).content.decode()
    assert "leaderboard__row--me" not in second and 'hx-swap-oob="delete"' not in second
    third = client.get(klass.url, params_of(next_link(second)), **HTMX_MORE).content.decode()
    assert re.search(r"leaderboard__row--me.*?Minji Kim", third, re.S)
    assert '<tbody id="leaderboard-around" hx-swap-oob="delete"></tbody>' in third


def test_without_javascript_more_is_a_page_of_its_own(client, klass, monkeypatch):
    monkeypatch.setattr("points.views.RANKING_PAGE_SIZE", 5)
    enrol_many(klass, 20, points=lambda number: 100 - number)
    first = get(client, klass, klass.student)
    cursor = first.context["board"].next_cursor
    html = first.content.decode()
    link = re.search(r'<tbody id="leaderboard-more">.*?href="([^"]+)"', html, re.S)
    assert link.group(1).endswith("#leaderboard")  # a plain link, back to the leaderboard

    response = client.get(klass.url, {"after": cursor})

    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert "Back to the top" in html
    assert rows_of(html) == [f"Student {number:03d}" for number in range(10, 15)]
    assert "My rank #21 of 21" in text_of(response)
    assert '<tbody id="leaderboard-around"' not in html
    # The week chips start another week from its first page.
    assert "after=" not in html.split('class="chips"')[1].split("</nav>")[0]


@pytest.mark.parametrize(
    "bad",
    ["nope", "12", "12~nope", "x~7a0e2f5c-9a3b-4d5e-8f6a-0b1c2d3e4f5a", "1~2~3"],
)
def test_a_bad_cursor_is_a_400(client, klass, bad):
    enrol_many(klass, 3)
    assert get(client, klass, klass.student, {"after": bad}).status_code == 400
    assert get(client, klass, klass.student, {"after": bad}, **HTMX_MORE).status_code == 400


def test_a_week_pages_that_weeks_ranking(client, klass, monkeypatch):
    monkeypatch.setattr("points.views.RANKING_PAGE_SIZE", 5)
    people = enrol_many(klass, 20, points=lambda number: 100 - number)  # week 1 only
    for number, person in enumerate(people):
        award(klass, person, number, instance=klass.w2)  # week 2: the other way round
    week2 = str(klass.weeks[1].pk)
    first = get(client, klass, klass.teacher, {"week": week2})
    assert [row.profile for row in first.context["board"].top] == people[::-1][:10]
    link = next_link(first.content.decode())
    assert params_of(link)["week"] == week2  # "More" keeps the week

    more = client.get(klass.url, params_of(link))

    page = more.context["page"]
    assert [row.profile for row in page.rows] == people[::-1][10:15]
    assert [row.points for row in page.rows] == [9, 8, 7, 6, 5]
    assert params_of(next_link(more.content.decode()))["week"] == week2


def test_another_academys_journey_is_a_404_with_or_without_a_cursor(client, klass, outsider):
    enrol_many(klass, 3)
    cursor = get(client, klass, klass.student).context["board"].top[0].cursor
    client.force_login(outsider)
    assert client.get(klass.url).status_code == 404
    assert client.get(klass.url, {"after": cursor}, **HTMX_MORE).status_code == 404
    other = JourneyFactory()  # another academy's journey, my cursor
    UserJourneyFactory(journey=other)
    client.force_login(klass.student)
    url = reverse("points:dashboard", args=[other.pk])
    assert client.get(url, {"after": cursor}).status_code == 404


# --- teams --------------------------------------------------------------------------


def test_the_team_leaderboard_shows_the_top_teams_and_mine_then_all_on_demand(client, klass):
    teams = [TeamFactory(journey=klass.journey, name=f"Team {number:02d}") for number in range(14)]
    for number, team in enumerate(teams):
        team.points.create(mission_instance=klass.w1, total_points=100 - number)
    TeamMemberFactory(team=teams[12], user=klass.student)

    html = get(client, klass, klass.student).content.decode()
    board = html.split('id="teams-title"')[1]
    assert board.count('<tr class="leaderboard__row') == 11  # the top ten, and mine
    assert re.search(r"leaderboard__row--me.*?Team 12", board, re.S)
    assert "Show all 14 teams" in board
    assert "#13 of 14 teams" in html

    every = get(client, klass, klass.student, {"teams": "all"}).content.decode()
    assert every.split('id="teams-title"')[1].count('<tr class="leaderboard__row') == 14
    assert "Show all 14 teams" not in every
