"""A journey's class insights, for its teachers (/journeys/<id>/insights/):
the words of the class's answers, for the whole journey or one week, mission
or question, as a chart drawn on the server and a table, and as CSV; beside
it another journey's, and the journey's saved reports (report_views.py). A
worker counts them (insights/counting.py); until it is done the page shows
how far it got and asks again every second (htmx; without JavaScript a link
does)."""

from __future__ import annotations

import csv
import io
import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.spreadsheet import UTF8_BOM, spreadsheet_text
from insights import charts, counting
from insights.models import InsightReport
from insights.reports import MAX_REPORTS
from insights.tasks import class_words
from journeys.access import managed_journey_for
from journeys.models import Journey, JourneyWeek
from missions.models import JourneyMissionInstance
from missions.selectors import questions_of

CHART_WORDS = 20
TABLE_WORDS = 100
MIN_COUNT_DEFAULT, MIN_COUNT_MAX = 2, 50
COMPARE_CHOICES = 50


def _uuid_or_none(raw: str | None) -> uuid.UUID | None:
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise Http404 from None


def _min_count(raw: str | None) -> int:
    try:
        return max(1, min(MIN_COUNT_MAX, int(raw)))
    except (TypeError, ValueError):
        return MIN_COUNT_DEFAULT


def progress_percent(state: dict) -> int:
    """How far a running count is, in percent (0 before it knows its total)."""
    return round(100 * state.get("done", 0) / state["total"]) if state.get("total") else 0


@login_required
@require_GET
def index(request: HttpRequest, journey_id) -> HttpResponse:
    journey = managed_journey_for(request.user, journey_id)
    weeks = list(JourneyWeek.objects.filter(journey=journey).order_by("week_number", "name"))
    week_id = _uuid_or_none(request.GET.get("week"))
    if week_id and week_id not in {week.pk for week in weeks}:
        raise Http404  # another journey's week
    instances = list(
        JourneyMissionInstance.objects.filter(journey=journey)
        .select_related("mission", "journey_week")
        .order_by("journey_week__week_number", "release_date", "pk")
    )
    instance_id = _uuid_or_none(request.GET.get("mission"))
    instance = next((row for row in instances if row.pk == instance_id), None)
    if instance_id and instance is None:
        raise Http404  # another journey's mission
    questions = questions_of(instance.mission) if instance else []
    question_id = _uuid_or_none(request.GET.get("question")) if instance else None
    if question_id and question_id not in {question.pk for question in questions}:
        raise Http404
    scope = counting.Scope(week_id=week_id, instance_id=instance_id, question_id=question_id)
    state = class_words(journey, scope)
    # Another journey of the academy, side by side (its whole class: its missions differ).
    compare_id = _uuid_or_none(request.GET.get("compare"))
    other = managed_journey_for(request.user, compare_id) if compare_id else None
    if other is not None and (
        other.pk == journey.pk or other.organization_id != journey.organization_id
    ):
        raise Http404
    other_state = class_words(other, counting.Scope()) if other else None
    if other_state is not None and other_state["state"] != "done" and state["state"] == "done":
        state = other_state  # the page waits for both
    min_count = _min_count(request.GET.get("min"))
    words = [(word, n) for word, n in state.get("words", []) if n >= min_count]
    if request.GET.get("format") == "csv" and state["state"] == "done":
        return csv_download(f"insights-{journey.pk}.csv", [_("Word"), _("Count")], words)
    chart = charts.bars(words[:CHART_WORDS])
    context = {
        "journey": journey,
        "active_tab": "submissions",
        "weeks": weeks,
        "week_id": week_id,
        "instances": instances,
        "instance": instance,
        "questions": questions,
        "question_id": question_id,
        "state": state,
        "min_count": min_count,
        "chart": chart,
        "chart_height": charts.height(chart),
        "table": words[:TABLE_WORDS],
        "other": other,
        "journeys": _other_journeys(journey),
        "compared": _compared(words, other_state, min_count) if other_state else None,
        "more_words": max(0, len(words) - TABLE_WORDS),
        "percent": progress_percent(state),
        "reports": InsightReport.objects.filter(journey=journey).order_by("name")[:MAX_REPORTS],
    }
    if request.htmx:
        return render(request, "insights/index.html#results", context)
    return render(request, "insights/index.html", context)


def _other_journeys(journey) -> list:
    """The academy's other journeys, newest first, to compare with."""
    return list(
        Journey.objects.filter(organization_id=journey.organization_id)
        .exclude(pk=journey.pk)
        .order_by("-date_start", "name")
        .only("id", "name")[:COMPARE_CHOICES]
    )


def _compared(words, other_state: dict, min_count: int) -> list[tuple[str, int, int]]:
    """(word, here, there) for the words either journey uses at least
    ``min_count`` times, the most used (in both together) first."""
    here = dict(words)
    there = {word: n for word, n in other_state.get("words", []) if n >= min_count}
    both = {word: (here.get(word, 0), there.get(word, 0)) for word in {*here, *there}}
    ranked = sorted(both.items(), key=lambda item: (-(item[1][0] + item[1][1]), item[0]))
    return [(word, a, b) for word, (a, b) in ranked[:TABLE_WORDS]]


def csv_download(filename: str, header: list[str], rows) -> HttpResponse:
    """A CSV file (UTF-8 with its mark, so Excel reads Korean); texts made
    safe from spreadsheet formulas."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_text(cell) if isinstance(cell, str) else cell for cell in row])
    response = HttpResponse(UTF8_BOM + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
