"""The journey's Dashboard tab: for a student, my points and rank, a completion
ring and per-week progress; for teachers, the class's submission rate per week.
Everyone sees the individual and team leaderboards. A week filter (``?week=<id>``,
bookmarkable) narrows the points, the ranks and the ring to one week."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from journeys.access import journey_for
from journeys.models import JourneyWeek
from journeys.selectors import week_from_query
from missions.selectors import my_team_id
from points.dashboard import class_submission_rates, student_progress
from points.selectors import individual_leaderboard, standing_of, team_leaderboard

# The individual leaderboard shows this many rows; the rest open on demand.
LEADERBOARD_TOP = 10


@login_required
@require_GET
def dashboard(request: HttpRequest, journey_id) -> HttpResponse:
    journey = journey_for(request.user, journey_id)
    weeks = list(JourneyWeek.objects.filter(journey=journey).order_by("week_number", "created_at"))
    week, week_error = week_from_query(request.GET.get("week"), weeks)
    students = individual_leaderboard(journey, week)
    teams = team_leaderboard(journey, week)
    context = {
        "journey": journey,
        "active_tab": "dashboard",
        "weeks": weeks,
        "selected_week": week,
        "week_error": week_error,
        "students": students,
        "top_students": students[:LEADERBOARD_TOP],
        "more_students": students[LEADERBOARD_TOP:],
        # Leaderboard bars are drawn in a viewBox as wide as the top score.
        "student_bar_max": max((row.points for row in students), default=0),
        "teams": teams,
        "team_bar_max": max((row.points for row in teams), default=0),
    }
    if request.user.is_teacher:
        context["class_rates"] = class_submission_rates(
            journey=journey, weeks=weeks, students=len(students)
        )
    else:
        team_id = my_team_id(profile=request.user, journey_id=journey.pk)
        context.update(
            me=standing_of(students, request.user),
            # Below the visible top rows, my own row is repeated under them.
            my_row_below_top=next(
                (row for row in students[LEADERBOARD_TOP:] if row.profile.pk == request.user.pk),
                None,
            ),
            my_team_id=team_id,
            my_team=next((row for row in teams if row.team.pk == team_id), None),
            progress=student_progress(
                journey=journey, profile=request.user, weeks=weeks, team_id=team_id, week=week
            ),
        )
    return render(request, "points/dashboard.html", context)
