"""The teachers' Submissions tab: the weekly rate chart, the "not submitted"
list, the student × mission matrix, the week filter, access and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import AchievementStatus, Post
from journeys.models import UserJourney
from submissions.selectors import MATRIX_PAGE_SIZE, matrix_page
from tests.factories import (
    JourneyFactory,
    JourneyWeekFactory,
    MissionFactory,
    MissionInstanceFactory,
    PostFactory,
    ProfileFactory,
    TeamFactory,
    TeamMemberFactory,
)
from tests.submissions.conftest import text_of

pytestmark = pytest.mark.usefixtures("english")


def page(client, klass, viewer=None, **params):
    client.force_login(viewer or klass.teacher)
    response = client.get(klass.url, params)
    assert response.status_code == 200
    return response


def states(row) -> list[tuple[str, int | None]]:
    return [(cell.state, cell.score) for cell in row.cells]


# --- the chart ------------------------------------------------------------------------


def test_the_rate_counts_submissions_out_of_students_times_released_missions(client, klass):
    rates = page(client, klass).context["overview"].rates
    numbers = [(r.week.name, r.submitted, r.expected, r.percent) for r in rates]
    # Week 1: me and the classmate of 3. Week 2: the classmate's sheet, and the
    # team's pitch for both team members, of 3 × 2. Week 3: nothing released.
    assert numbers == [("Week 1", 2, 3, 67), ("Week 2", 3, 6, 50), ("Week 3", 0, 0, 0)]


def test_the_chart_is_svg_with_labels_and_titles(client, klass):
    html = page(client, klass).content.decode()
    assert '<svg class="rate-chart"' in html
    assert "<title>Week 1: 2 of 3 expected submissions (67%)</title>" in html
    assert "<title>Week 3: no missions released yet</title>" in html
    assert ">Week 2</text>" in html and "50% · 3/6" in html
    assert 'width="67%"' in html  # the bar
    assert 'style="' not in html  # the CSP forbids inline styles
    assert "<script>" not in html


# --- not submitted --------------------------------------------------------------------


def test_the_missing_list_names_who_has_not_submitted_each_open_mission(client, klass):
    response = page(client, klass)
    groups = response.context["overview"].missing
    listed = [(g.instance.mission.name, [s.name for s in g.students]) for g in groups]
    # Soonest deadline first; the closed intro and the unreleased retro are not listed;
    # the team's pitch counts for both of its members.
    assert listed == [("Sheet", ["Minji Kim", "Jun Lee"]), ("Pitch", ["Sora Park"])]
    text = text_of(response)
    assert "closes in 2 days, 2 hours" in text or "closes in 2 days, 3 hours" in text
    assert "2 students have not submitted" in text
    assert "Team mission: one submission per team" in text


def test_each_missing_row_has_a_remind_button_and_the_group_a_remind_all(client, klass):
    html = page(client, klass).content.decode()
    assert html.count('name="student"') == 3
    assert f'hx-post="{klass.remind_url}"' in html
    assert "Remind all 2 students" in html


def test_everyone_submitted_shows_a_friendly_note(client, klass):
    Post.objects.filter(mission_instance=klass.sheet).delete()
    for person in (klass.student, klass.teammate, klass.classmate):
        Post.objects.create(
            mission_instance=klass.sheet, journey=klass.journey, user=person, title="Done"
        )
    team = TeamFactory(journey=klass.journey, name="Solo")
    TeamMemberFactory(team=team, user=klass.classmate)
    Post.objects.create(
        mission_instance=klass.pitch,
        journey=klass.journey,
        user=klass.classmate,
        team=team,
        is_team_submission=True,
        title="Solo pitch",
    )
    response = page(client, klass)
    assert response.context["overview"].missing == []
    assert "Everyone has submitted every open mission." in text_of(response)


# --- the matrix -----------------------------------------------------------------------


def test_the_matrix_has_a_row_per_student_and_a_column_per_released_mission(client, klass):
    overview = page(client, klass).context["overview"]
    assert [i.mission.name for i in overview.columns] == ["Intro", "Sheet", "Pitch"]
    matrix = matrix_page(journey=klass.journey, columns=overview.columns)
    rows = {row.name: states(row) for row in matrix.rows}
    assert list(rows) == ["Minji Kim", "Jun Lee", "Sora Park"]  # teachers are not rows
    assert rows["Minji Kim"] == [("achieved", 8), ("missing", None), ("pending", None)]
    # The teammate's team post fills both members' cells.
    assert rows["Jun Lee"] == [("missing", None), ("missing", None), ("pending", None)]
    assert rows["Sora Park"] == [("pending", None), ("not_achieved", 0), ("missing", None)]


def test_matrix_cells_are_coloured_by_state_with_a_legend(client, klass):
    response = page(client, klass)
    html = response.content.decode()
    assert html.count('class="cell cell--missing"') == 4
    assert html.count('class="cell cell--achieved"') == 1
    assert html.count('class="cell cell--not_achieved"') == 1
    # The classmate's intro; the team's pitch fills both members' cells, marked.
    assert html.count('class="cell cell--pending"') == 1
    assert html.count('class="cell cell--pending cell--team"') == 2
    # What each cell says to a screen reader (the legend says it to the eye).
    assert 'aria-label="Achieved · 8 PT"' in html
    assert 'aria-label="Waiting for grading (team submission)"' in html
    assert html.count('<span class="visually-hidden">Not submitted</span></td>') == 4
    legend = html.split('class="matrix-legend"')[1].split("</ul>")[0]
    for label in (
        "Not submitted",
        "Waiting for grading",
        "Achieved (score)",
        "Not achieved",
        "Team submission",
    ):
        assert label in legend
    # Cells with a post link to its grading page.
    assert reverse("grading:grade", args=[klass.posts.intro_mine.pk]) in html
    assert (
        'class="table-wrap" role="region" aria-labelledby="matrix-title"' in html
    )  # it scrolls inside its box on a phone


def test_each_mission_shows_its_submissions_over_the_class(client, klass):
    overview = page(client, klass).context["overview"]
    totals = [
        (t.instance.mission.name, t.submitted, t.students, t.percent) for t in overview.totals
    ]
    assert totals == [("Intro", 2, 3, 67), ("Sheet", 1, 3, 33), ("Pitch", 2, 3, 67)]
    html = page(client, klass).content.decode()
    assert 'title="2 of 3 students submitted"' in html


def test_a_journey_without_students_or_released_missions_says_so(client, klass, teacher):
    empty = JourneyFactory(organization=klass.journey.organization)
    client.force_login(teacher)
    response = client.get(reverse("submissions:index", args=[empty.pk]))
    text = text_of(response)
    assert "No students in this journey yet." in text
    assert "This journey has no weeks yet." in text


# --- the week filter ------------------------------------------------------------------


def test_a_week_narrows_the_matrix_and_the_missing_list_but_not_the_chart(client, klass):
    response = page(client, klass, week=str(klass.weeks[0].pk))
    overview = response.context["overview"]
    assert [i.mission.name for i in overview.columns] == ["Intro"]
    assert overview.missing == []  # week 1's mission is closed
    assert len(overview.rates) == 3
    assert response.context["selected_week"] == klass.weeks[0]
    assert 'class="rate-chart__week rate-chart__week--selected"' in response.content.decode()


def test_the_week_filter_keeps_the_week_when_reminding(client, klass):
    html = page(client, klass, week=str(klass.weeks[1].pk)).content.decode()
    assert f'name="week" value="{klass.weeks[1].pk}"' in html


@pytest.mark.parametrize("bad", ["nope", "7a0e2f5c-9a3b-4d5e-8f6a-0b1c2d3e4f5a", "foreign"])
def test_an_invalid_week_shows_a_message_and_every_week(client, klass, bad):
    if bad == "foreign":
        bad = str(JourneyWeekFactory().pk)
    response = page(client, klass, week=bad)
    assert response.context["selected_week"] is None
    assert len(response.context["overview"].columns) == 3
    assert "That week is not part of this journey; showing all weeks." in text_of(response)


# --- access ---------------------------------------------------------------------------


def test_admins_of_the_academy_see_it_too(client, klass, admin_user):
    page(client, klass, admin_user)


@pytest.mark.parametrize("who", ["student", "outsider"])
def test_students_and_other_academies_get_404_everywhere(client, klass, who, request):
    client.force_login(request.getfixturevalue(who))
    for url in (klass.url, klass.csv_url, klass.xlsx_url):
        assert client.get(url).status_code == 404
    data = {"instance": str(klass.sheet.pk), "student": str(klass.student.pk)}
    assert client.post(klass.remind_url, data).status_code == 404


def test_logged_out_people_are_sent_to_log_in(client, klass):
    for url in (klass.url, klass.csv_url, klass.xlsx_url):
        assert client.get(url).status_code == 302


def test_the_tab_is_marked_current(client, klass):
    html = page(client, klass).content.decode()
    assert f'<a href="{klass.url}" aria-current="page">' in html


# --- query count ----------------------------------------------------------------------


def _big_class(organization, students: int):
    """A journey with ``students`` students in teams of four, two weeks, four
    released missions (one a team mission) and a submission from most of them."""
    now = timezone.now()
    journey = JourneyFactory(organization=organization)
    people = ProfileFactory.create_batch(students, organization=organization)
    UserJourney.objects.bulk_create([UserJourney(journey=journey, user=p) for p in people])
    weeks = [JourneyWeekFactory(journey=journey, week_number=n) for n in (1, 2)]
    instances = [
        MissionInstanceFactory(
            journey_week=weeks[n % 2],
            release_date=now - dt.timedelta(days=n + 1),
            expiry_date=now + dt.timedelta(days=n + 1),
        )
        for n in range(3)
    ]
    team_mission = MissionFactory(organization=organization, mission_type="team")
    team_instance = MissionInstanceFactory(journey_week=weeks[1], mission=team_mission)
    teams = [TeamFactory(journey=journey) for _ in range(0, students, 4)]
    for index, person in enumerate(people):
        TeamMemberFactory(team=teams[index // 4], user=person)
    statuses = list(AchievementStatus)
    posts = [
        Post(
            mission_instance=instance,
            journey=journey,
            user=person,
            title="Work",
            achievement_status=statuses[index % 3],
            score=5,
        )
        for n, instance in enumerate(instances)
        for index, person in enumerate(people)
        if index % 5 != n  # some have not submitted
    ]
    posts += [
        Post(
            mission_instance=team_instance,
            journey=journey,
            user=people[index * 4],
            team=team,
            is_team_submission=True,
            title="Team work",
        )
        for index, team in enumerate(teams)
        if index % 2 == 0
    ]
    Post.objects.bulk_create(posts)
    return journey, len(posts)


def test_the_page_runs_the_same_queries_for_10_or_200_students(
    client, organization, teacher, django_assert_num_queries
):
    small, _ = _big_class(organization, 10)
    large, large_posts = _big_class(organization, 200)
    assert large_posts > 500  # hundreds of posts
    client.force_login(teacher)
    client.get(reverse("home"))  # the session is warm
    for journey in (small, large):
        # Neither class's totals, its order nor its first page are in the
        # class cache yet: both classes read them (and the page's students and
        # their posts).
        with django_assert_num_queries(QUERIES_PER_PAGE + 4):
            response = client.get(reverse("submissions:index", args=[journey.pk]))
        overview = response.context["overview"]
        assert len(overview.columns) == 4
        assert overview.missing  # both have open missions somebody has not submitted
    # The large class: one page of its students, the totals over all of them.
    page = response.context["page"]
    assert len(page.row_ids) == MATRIX_PAGE_SIZE
    assert overview.student_count == 200
    assert page.next_cursor


def test_the_page_query_count_is_fixed(client, klass, django_assert_num_queries):
    client.force_login(klass.teacher)
    client.get(klass.url)
    # User (the session comes from the cache), journey, weeks, released instances, the
    # class's version (the whole class's totals and the matrix's first page, drawn, come
    # from the class cache, filled by the first request) and the header's unread-
    # notification count.
    with django_assert_num_queries(QUERIES_PER_PAGE):
        client.get(klass.url)


QUERIES_PER_PAGE = 6


# --- the chart and the matrix's head drawn once per process (core.fragments) ----------


@pytest.mark.usefixtures("kept_fragments")
def test_the_kept_chart_and_totals_follow_a_new_submission(client, klass):
    html = page(client, klass).content.decode()
    assert "50% · 3/6" in html and 'title="1 of 3 students submitted"' in html

    PostFactory(mission_instance=klass.sheet, user=klass.student, title="Late sheet")
    html = page(client, klass).content.decode()

    assert "67% · 4/6" in html and 'title="2 of 3 students submitted"' in html
    assert "50% · 3/6" not in html


@pytest.mark.usefixtures("kept_fragments")
def test_the_kept_chart_marks_the_chosen_week(client, klass):
    week = klass.weeks[1]
    assert "rate-chart__week--selected" not in page(client, klass).content.decode()
    assert "rate-chart__week--selected" in page(client, klass, week=week.pk).content.decode()
