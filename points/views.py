"""The journey's Dashboard tab: for a student, my points and rank, a completion
ring and per-week progress; for teachers, the class's submission rate per week.
Everyone sees the top of the individual leaderboard (and a student their own
place in it), the rest of it page by page, and the team leaderboard. A week
filter (``?week=<id>``, bookmarkable) narrows the points, the ranks and the
ring to one week.

The page costs the same queries whatever the class size: the ranking is read
in SQL and only the rows shown leave the database. "More" asks for the next
page by key (``?after=``): htmx appends its rows in place; without JavaScript
it is a plain link to the page of its own."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.keyset import BadCursor
from journeys.access import journey_for
from journeys.selectors import journey_weeks, week_from_query
from missions.selectors import my_team_id
from points.dashboard import class_submission_rates, student_progress
from points.selectors import (
    LEADERBOARD_TOP,
    RANKING_PAGE_SIZE,
    TEAM_TOP,
    leaderboard,
    ranking_page,
    team_leaderboard,
)


@login_required
@require_GET
def dashboard(request: HttpRequest, journey_id) -> HttpResponse:
    journey = journey_for(request.user, journey_id)
    weeks = journey_weeks(journey)
    week, week_error = week_from_query(request.GET.get("week"), weeks)
    after = request.GET.get("after") or None
    page = None
    if after:
        try:
            page = ranking_page(journey, week, after=after, size=RANKING_PAGE_SIZE)
        except BadCursor:
            return HttpResponseBadRequest(_("This page of the leaderboard does not exist."))
    context = {
        "journey": journey,
        "active_tab": "dashboard",
        "weeks": weeks,
        "selected_week": week,
        "week_error": week_error,
        "page": page,
    }
    if page is not None:
        context["page_rows"] = student_rows(page.rows, best=page.best, me=request.user)
    if page is not None and request.htmx and request.htmx.target == "leaderboard-more":
        context.update(
            student_bar_max=page.best,
            # A page holding my row has caught up with my place: the rows
            # shown around it are dropped, so no one is listed twice.
            drop_around=any(row.profile.pk == request.user.pk for row in page.rows),
        )
        # "More" swaps its own row for the page's rows (and the next "More").
        response = render(request, "points/dashboard.html#ranking-page", context)
        patch_vary_headers(response, ["HX-Request"])
        return response

    board = leaderboard(journey, week, profile=request.user, top=LEADERBOARD_TOP)
    is_teacher = request.user.is_teacher
    team_id = None if is_teacher else my_team_id(profile=request.user, journey_id=journey.pk)
    # The top teams and mine; every team on "Show all teams" (?teams=all).
    team_top = None if request.GET.get("teams") == "all" else TEAM_TOP
    team_board = team_leaderboard(journey, week, team_id=team_id, top=team_top)
    context.update(
        board=board,
        top_rows=student_rows(board.top, best=board.best, me=request.user),
        around_rows=student_rows(board.around, best=board.best, me=request.user),
        team_rows=team_rows(team_board.top, best=team_board.best, my_team_id=team_id),
        my_team_row=(
            team_rows([team_board.mine_below], best=team_board.best, my_team_id=team_id)[0]
            if team_board.mine_below
            else None
        ),
        # Leaderboard bars are drawn in a viewBox as wide as the top score.
        student_bar_max=board.best,
        team_board=team_board,
        teams=team_board.top,
        team_bar_max=team_board.best,
    )
    if is_teacher:
        context["class_rates"] = class_submission_rates(
            journey=journey, weeks=weeks, students=board.out_of
        )
    else:
        context.update(
            me=board.me,
            my_team_id=team_id,
            my_team=team_board.mine,
            progress=student_progress(
                journey=journey, profile=request.user, weeks=weeks, team_id=team_id, week=week
            ),
        )
    response = render(request, "points/dashboard.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# The leaderboards' rows are drawn once per process (core.fragments), each
# kept under everything it shows (templates/points/dashboard.html's
# student-row and team-row): a row's standing (the frozen dataclass compares
# its profile or team by id), its picture or name, the bar's full width and
# whether it is the viewer's own.


def student_rows(rows, *, best: int, me) -> list[tuple]:
    """(row, key) for each student row."""
    return [
        (row, ("student", row, row.profile.image_url, best, row.profile.pk == me.pk))
        for row in rows
    ]


def team_rows(rows, *, best: int, my_team_id) -> list[tuple]:
    """(row, key) for each team row."""
    return [(row, ("team", row, row.team.name, best, row.team.pk == my_team_id)) for row in rows]
