"""The journey's Dashboard tab: a student's points, rank, ring and weekly
bars; the teachers' class submission rates; leaderboards, the week filter,
access and the query count."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse

from accounts.models import Role
from community.models import AchievementStatus
from points.models import TeamPoint, UserPoint
from tests.factories import (
    JourneyFactory,
    JourneyWeekFactory,
    PostFactory,
    TeamFactory,
    TeamMemberFactory,
    UserJourneyFactory,
)
from tests.scenarios import Classmate, ClassScenario, MissionAt, TeamOf

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def klass(organization, student, teacher):
    """Three students (me, a teammate, a classmate) and three weeks: two
    missions done in week 1, an individual and a team mission open in week 2,
    one mission not released yet in week 3."""
    past = {"opens": -dt.timedelta(days=10), "closes": -dt.timedelta(days=3)}
    future = {"opens": dt.timedelta(days=3), "closes": dt.timedelta(days=9)}
    scenario = ClassScenario.build(
        organization,
        students={
            "student": student,
            "teammate": Classmate("Mate", "Team"),
            "classmate": Classmate("Mate", "Class"),
        },
        teacher=teacher,
        weeks=3,
        missions=(
            MissionAt("Intro", week=1, **past),
            MissionAt("E-mail", week=1, **past),
            MissionAt("Sheet", week=2),
            MissionAt("Pitch", week=2, kind="team"),
            MissionAt("Retro", week=3, **future),
        ),
        teams=(TeamOf("Blaze", members=("student", "teammate")), TeamOf("Wave")),
    )
    journey, weeks, team = scenario.journey, scenario.weeks, scenario.teams["Blaze"]
    teammate, classmate = scenario.students["teammate"], scenario.students["classmate"]
    w1a, w1b, w2, w2team, _retro = scenario.missions

    mine = PostFactory(
        mission_instance=w1a, user=student, achievement_status=AchievementStatus.ACHIEVED
    )
    PostFactory(mission_instance=w1b, user=student)  # waiting for grading
    PostFactory(mission_instance=w1a, user=classmate)
    team_post = PostFactory(
        mission_instance=w2team,
        user=teammate,
        team=team,
        is_team_submission=True,
        achievement_status=AchievementStatus.ACHIEVED,
    )
    UserPoint.objects.create(profile=student, mission_instance=w1a, post=mine, total_points=10)
    UserPoint.objects.create(profile=classmate, mission_instance=w2, total_points=25)
    TeamPoint.objects.create(team=team, mission_instance=w2team, post=team_post, total_points=50)
    return SimpleNamespace(
        journey=journey,
        weeks=weeks,
        student=student,
        teammate=teammate,
        classmate=classmate,
        teacher=teacher,
        team=team,
        url=reverse("points:dashboard", args=[journey.pk]),
    )


def page(client, klass, viewer, **params):
    client.force_login(viewer)
    response = client.get(klass.url, params)
    assert response.status_code == 200
    return response


def text_of(response) -> str:
    """The page as a reader hears it: tags dropped, spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- a student ----------------------------------------------------------------


def test_a_student_sees_points_rank_and_team(client, klass):
    response = page(client, klass, klass.student)
    text = text_of(response)
    assert "My points 10 PT" in text
    assert "My rank #2 of 3" in text  # the classmate has 25
    assert "Blaze" in text and "#1 of 2 teams" in text


def test_the_ring_counts_achieved_out_of_released_missions(client, klass):
    response = page(client, klass, klass.student)
    ring = response.context["progress"].ring
    # Released: week 1's two and week 2's two; achieved: my intro and my team's pitch.
    assert (ring.done, ring.total, ring.percent) == (2, 4, 50)
    assert "2 of 4 released missions achieved" in text_of(response)


def test_each_week_shows_achieved_submitted_and_total(client, klass):
    response = page(client, klass, klass.student)
    weeks = [
        (w.week.name, w.achieved, w.submitted, w.total) for w in response.context["progress"].weeks
    ]
    assert weeks == [("Week 1", 1, 2, 2), ("Week 2", 1, 1, 2), ("Week 3", 0, 0, 1)]
    text = text_of(response)
    assert "1 achieved · 2 submitted · 2 missions" in text
    assert "0 achieved · 0 submitted · 1 mission" in text


def test_the_leaderboards_highlight_me_and_my_team(client, klass):
    html = page(client, klass, klass.student).content.decode()
    highlighted = re.findall(
        r'<tr class="leaderboard__row leaderboard__row--me">(.*?)</tr>', html, re.S
    )
    # One row in each leaderboard: mine, and my team's.
    assert len(highlighted) == 2
    assert "Minji Kim" in highlighted[0] and "Blaze" in highlighted[1]


def test_below_the_top_ten_my_row_follows_them_and_the_rest_is_a_page_away(client, klass):
    sheet = klass.journey.mission_instances.get(mission__name="Sheet")
    for number in range(12):
        someone = UserJourneyFactory(journey=klass.journey, user__role=Role.USER).user
        UserPoint.objects.create(profile=someone, mission_instance=sheet, total_points=100 + number)
    response = page(client, klass, klass.student)  # 10 PT: #14 of 15
    html = response.content.decode()
    board = response.context["board"]
    assert [row.place for row in board.top] == list(range(1, 11))
    assert [row.place for row in board.around] == [12, 13, 14, 15]
    leaderboard = html.split('id="students-title"')[1].split('id="teams-title"')[0]
    top, around = leaderboard.split('<tbody id="leaderboard-around">')
    # My row is under the top ten, after a gap, highlighted; the rest is a page away.
    assert 'class="leaderboard__gap" aria-hidden="true"' in around
    assert re.search(r'leaderboard__row--me">.*?Minji Kim', around, re.S)
    assert "Minji Kim" not in top
    assert "More students" in top and f"after={board.next_cursor}" in top
    assert "Top 10 of 15 students" in text_of(response)
    assert "My rank #14 of 15" in text_of(response)


def test_trophies_go_to_the_top_three_with_points(client, klass):
    html = page(client, klass, klass.student).content.decode()
    assert html.count('class="trophy trophy--1"') == 2  # classmate, and team Blaze
    assert html.count('class="trophy trophy--2"') == 1  # me
    assert "trophy--3" not in html  # the teammate has no points; Wave neither


def test_charts_are_svg_with_titles_and_no_inline_styles(client, klass):
    html = page(client, klass, klass.student).content.decode()
    assert '<svg class="ring"' in html and "<title>2 of 4 released missions achieved" in html
    assert "<title>Week 1: 1 achieved, 2 submitted, out of 2 missions</title>" in html
    assert 'style="' not in html  # the CSP forbids them
    assert "<script>" not in html


# --- the week filter ------------------------------------------------------------


def test_a_week_narrows_points_ranks_and_the_ring(client, klass):
    response = page(client, klass, klass.student, week=str(klass.weeks[1].pk))
    assert response.context["selected_week"] == klass.weeks[1]
    text = text_of(response)
    assert "My points 0 PT" in text and "#2 of 3" in text  # only the classmate scored
    assert response.context["progress"].ring.total == 2
    assert [row.points for row in response.context["teams"]] == [50, 0]


def test_the_week_links_are_bookmarkable(client, klass):
    html = page(client, klass, klass.student).content.decode()
    for week in klass.weeks:
        assert f'href="?week={week.pk}"' in html


@pytest.mark.parametrize("bad", ["nope", "7a0e2f5c-9a3b-4d5e-8f6a-0b1c2d3e4f5a", "foreign"])
def test_a_week_of_no_concern_shows_a_message_and_the_whole_journey(client, klass, bad):
    if bad == "foreign":
        bad = str(JourneyWeekFactory().pk)
    response = page(client, klass, klass.student, week=bad)
    assert response.context["selected_week"] is None
    assert "That week is not part of this journey; showing all weeks." in text_of(response)
    assert "My points 10 PT" in text_of(response)


# --- teachers -------------------------------------------------------------------


def test_teachers_see_class_submission_rates_instead_of_personal_stats(client, klass):
    response = page(client, klass, klass.teacher)
    rates = [
        (r.week.name, r.released, r.submissions, r.possible, r.percent)
        for r in response.context["class_rates"]
    ]
    # Week 1: me twice, the classmate once, of 3 students × 2 missions.
    # Week 2: the team's pitch counts for me and my teammate.
    assert rates == [("Week 1", 2, 3, 6, 50), ("Week 2", 2, 2, 6, 33), ("Week 3", 0, 0, 0, 0)]
    text = text_of(response)
    assert "50% · 3 of 6" in text and "No missions released yet" in text
    assert "My progress" not in text and "My rank" not in text
    assert "Leaderboard" in text and "Team leaderboard" in text


def test_a_submitter_counts_once_per_mission_and_only_while_in_the_class(client, klass):
    w2, w2team = (klass.journey.mission_instances.get(mission__name=n) for n in ("Sheet", "Pitch"))
    # The teammate also submitted the team mission alone, and is in a second
    # team that submitted it too: still one submitter for the pitch.
    PostFactory(mission_instance=w2team, user=klass.teammate)
    other_team = TeamFactory(journey=klass.journey, name="Wave 2")
    TeamMemberFactory(team=other_team, user=klass.teammate)
    PostFactory(
        mission_instance=w2team, user=klass.teammate, team=other_team, is_team_submission=True
    )
    # Someone who submitted and then left the class, and a teacher's test post.
    gone = UserJourneyFactory(journey=klass.journey, user__role=Role.USER).user
    PostFactory(mission_instance=w2, user=gone)
    gone.journey_memberships.all().delete()
    PostFactory(mission_instance=w2, user=klass.teacher)

    rates = page(client, klass, klass.teacher).context["class_rates"]

    counts = {i.mission.name: i.submitters for row in rates for i in row.instances}
    assert counts == {"Intro": 2, "E-mail": 1, "Sheet": 0, "Pitch": 2}
    assert [(r.submissions, r.possible) for r in rates[:2]] == [(3, 6), (2, 6)]


# --- access -----------------------------------------------------------------------


def test_a_journey_i_am_not_in_answers_404(client, klass, organization):
    other = JourneyFactory(organization=organization)
    client.force_login(klass.student)
    assert client.get(reverse("points:dashboard", args=[other.pk])).status_code == 404


def test_an_outsider_gets_404(client, klass, outsider):
    client.force_login(outsider)
    assert client.get(klass.url).status_code == 404


def test_an_empty_journey_still_renders(client, organization, student):
    journey = JourneyFactory(organization=organization)
    UserJourneyFactory(journey=journey, user=student)
    client.force_login(student)
    response = client.get(reverse("points:dashboard", args=[journey.pk]))
    assert response.status_code == 200
    assert "This journey has no weeks yet." in text_of(response)
    assert "No teams in this journey yet." in text_of(response)


# --- query count ----------------------------------------------------------------------


def grow(klass, students: int) -> None:
    """``students`` more students with posts, points and teams of four."""
    instances = list(klass.journey.mission_instances.all())
    team = None
    for number in range(students):
        person = UserJourneyFactory(journey=klass.journey, user__role=Role.USER).user
        if number % 4 == 0:
            team = TeamFactory(journey=klass.journey)
        TeamMemberFactory(team=team, user=person)
        instance = instances[number % len(instances)]
        post = PostFactory(mission_instance=instance, user=person)
        UserPoint.objects.create(
            profile=person, mission_instance=instance, post=post, total_points=number % 9
        )
        TeamPoint.objects.get_or_create(team=team, mission_instance=instance)


@pytest.mark.parametrize(
    ("viewer", "queries"),
    # user (the session comes from the cache), journey, weeks, the leaderboard and its
    # rows' profiles, the team leaderboard, the unread count; a student: their team, their
    # posts by mission, the journey's instances; a teacher: the class's instances and
    # their submitters. The boards (and the teacher's submitters) come from the class
    # cache: its version, and, since the class changed before each request here, their
    # statements.
    [("student", 11), ("classmate", 11), ("teacher", 10)],
)
def test_the_dashboard_runs_the_same_queries_for_10_and_200_students(
    client, klass, django_assert_num_queries, viewer, queries
):
    client.force_login(getattr(klass, viewer))
    grow(klass, 7)  # 10 students in all
    with django_assert_num_queries(queries):
        assert client.get(klass.url).status_code == 200

    grow(klass, 190)  # 200 students, 50 teams
    with django_assert_num_queries(queries):
        response = client.get(klass.url, {"week": str(klass.weeks[0].pk)})
    board = response.context["board"]
    assert board.out_of == 200
    assert len(board.top) + len(board.around) <= 10 + 5
    assert len(response.context["teams"]) == 10


# --- rows drawn once per process (core.fragments) -----------------------------


def highlighted_rows(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<tr class="leaderboard__row leaderboard__row--me">(.*?)</tr>', html, re.S)


@pytest.mark.usefixtures("kept_fragments")
def test_a_kept_row_is_highlighted_only_for_its_own_student(client, klass):
    mine = highlighted_rows(page(client, klass, klass.student))
    assert "Minji Kim" in mine[0]

    theirs = highlighted_rows(page(client, klass, klass.classmate))
    # Their own row only: they have no team.
    assert len(theirs) == 1 and "Minji Kim" not in theirs[0]


@pytest.mark.usefixtures("kept_fragments")
def test_a_kept_row_follows_new_points(client, klass):
    assert "My points 10 PT" in text_of(page(client, klass, klass.student))
    UserPoint.objects.filter(profile=klass.student).update(total_points=40)

    text = text_of(page(client, klass, klass.classmate))
    assert "40 PT" in text and "My rank #2 of 3" in text
