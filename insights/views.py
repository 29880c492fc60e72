"""A journey's class insights, for its teachers (/journeys/<id>/insights/):
the words of the class's answers, for the whole journey, one mission or one
question, as a chart drawn on the server and a table, and as CSV. A worker
counts them (insights/counting.py); until it is done the page shows how far
it got and asks again every second (htmx; without JavaScript a link does)."""

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
from insights import counting
from insights.tasks import class_words
from journeys.access import managed_journey_for
from journeys.models import Journey
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


@login_required
@require_GET
def index(request: HttpRequest, journey_id) -> HttpResponse:
    journey = managed_journey_for(request.user, journey_id)
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
    scope = counting.Scope(instance_id=instance_id, question_id=question_id)
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
        return _csv(journey, words)
    top = words[:CHART_WORDS]
    best = top[0][1] if top else 1
    context = {
        "journey": journey,
        "active_tab": "submissions",
        "instances": instances,
        "instance": instance,
        "questions": questions,
        "question_id": question_id,
        "state": state,
        "min_count": min_count,
        "chart": _chart_rows(top, best),
        "chart_height": ROW_HEIGHT * len(top),
        "table": words[:TABLE_WORDS],
        "other": other,
        "journeys": _other_journeys(journey),
        "compared": _compared(words, other_state, min_count) if other_state else None,
        "more_words": max(0, len(words) - TABLE_WORDS),
        "percent": round(100 * state.get("done", 0) / state["total"]) if state.get("total") else 0,
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


# The chart: words in the first 30% of its width, bars in the next 60%.
WORD_COLUMN, BAR_COLUMN, ROW_HEIGHT = 30, 60, 24


def _chart_rows(top: list[tuple[str, int]], best: int) -> list[tuple]:
    """(word, count, bar width %, count's x %, row's y) for each charted word."""
    rows = []
    for index, (word, n) in enumerate(top):
        width = round(BAR_COLUMN * n / best, 1)
        rows.append((word, n, width, round(WORD_COLUMN + width + 1, 1), index * ROW_HEIGHT))
    return rows


def _csv(journey, words) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Word"), _("Count")])
    for word, n in words:
        writer.writerow([spreadsheet_text(word), n])
    response = HttpResponse(UTF8_BOM + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="insights-{journey.pk}.csv"'
    return response
