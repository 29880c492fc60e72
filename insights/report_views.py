"""A journey's saved insight reports, for its teachers: create one (from the
insights page's filters), see it (its word groups added up from the worker's
count, a chart in the groups' colours, each group's words, CSV), edit and
delete it. Under /journeys/<journey_id>/insights/reports/."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insights import charts, reports
from insights.forms import GroupFormSet, ReportForm, group_rows, report_input
from insights.models import InsightReport
from insights.tasks import class_words
from insights.views import csv_download, progress_percent
from journeys.access import managed_journey_for
from journeys.models import Journey

# The insights page's filters a new report starts from.
SCOPE_FIELDS = ("week", "mission", "question")


def _report_of(journey: Journey, report_id: uuid.UUID) -> InsightReport:
    reports_here = InsightReport.objects.filter(journey=journey).select_related(
        "week", "mission_instance__mission", "mission_instance__journey_week", "question"
    )
    return get_object_or_404(reports_here.prefetch_related("groups"), pk=report_id)


def _render_form(request, journey, form, formset, report=None) -> HttpResponse:
    context = {
        "journey": journey,
        "active_tab": "submissions",
        "form": form,
        "formset": formset,
        "report": report,
    }
    return render(request, "insights/report_form.html", context)


def _save(request, journey, form, formset, report=None) -> HttpResponse | None:
    """Save a valid form through the service; None when it was refused (the
    refusal is then on the form or the group's row)."""
    if not (form.is_valid() and formset.is_valid()):
        return None
    data, rows = report_input(form, formset)
    try:
        saved = reports.report_save(journey=journey, data=data, author=request.user, report=report)
    except reports.ReportRefusal as refusal:
        if refusal.group is not None:
            formset.forms[rows[refusal.group]].add_error(None, refusal.message)
        elif refusal.field == "name":
            form.add_error("name", refusal.message)
        else:
            form.add_error(None, refusal.message)
        return None
    messages.success(request, _("The report “%(name)s” is saved.") % {"name": saved.name})
    return redirect("insights:report", journey.pk, saved.pk)


def _form_page(request, journey, report=None, initial=None, rows=()) -> HttpResponse:
    """The report's form: on GET with ``initial`` and the group ``rows``; on
    POST saved (then to the report) or shown again with its refusals."""
    if request.method == "POST":
        form = ReportForm(request.POST, journey=journey)
        formset = GroupFormSet(request.POST, prefix="groups")
        saved = _save(request, journey, form, formset, report)
        if saved is not None:
            return saved
    else:
        form = ReportForm(initial=initial, journey=journey)
        formset = GroupFormSet(initial=group_rows(rows), prefix="groups")
    return _render_form(request, journey, form, formset, report)


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest, journey_id: uuid.UUID) -> HttpResponse:
    journey = managed_journey_for(request.user, journey_id)
    # The insights page's filters come along; ids not of this journey are
    # simply not chosen (the form's choices are the journey's own).
    initial = {field: request.GET.get(field) for field in SCOPE_FIELDS}
    return _form_page(request, journey, initial=initial)


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, journey_id: uuid.UUID, report_id: uuid.UUID) -> HttpResponse:
    journey = managed_journey_for(request.user, journey_id)
    report = _report_of(journey, report_id)
    initial = {
        "name": report.name,
        "week": report.week_id,
        "mission": report.mission_instance_id,
        "question": report.question_id,
    }
    return _form_page(request, journey, report, initial, report.groups.all())


@login_required
@require_POST
def report_delete(
    request: HttpRequest, journey_id: uuid.UUID, report_id: uuid.UUID
) -> HttpResponse:
    journey = managed_journey_for(request.user, journey_id)
    report = _report_of(journey, report_id)
    reports.report_delete(report)
    messages.success(request, _("The report “%(name)s” is deleted.") % {"name": report.name})
    return redirect("insights:index", journey.pk)


@login_required
@require_GET
def report_detail(
    request: HttpRequest, journey_id: uuid.UUID, report_id: uuid.UUID
) -> HttpResponse:
    journey = managed_journey_for(request.user, journey_id)
    report = _report_of(journey, report_id)
    state = class_words(journey, reports.scope_of(report))
    counted = (
        reports.group_counts(report.groups.all(), state["words"])
        if state["state"] == "done"
        else []
    )
    if request.GET.get("format") == "csv" and state["state"] == "done":
        rows = [(group.name, word, n) for group in counted for word, n in group.words]
        header = [_("Group"), _("Word"), _("Count")]
        return csv_download(f"insights-report-{report.pk}.csv", header, rows)
    chart = charts.bars(
        [(group.name, group.total) for group in counted], [group.colour for group in counted]
    )
    context = {
        "journey": journey,
        "active_tab": "submissions",
        "report": report,
        "state": state,
        "groups": counted,
        "chart": chart,
        "chart_height": charts.height(chart),
        "percent": progress_percent(state),
    }
    if request.htmx:
        return render(request, "insights/report.html#results", context)
    return render(request, "insights/report.html", context)
