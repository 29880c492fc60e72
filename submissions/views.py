"""The teachers' Submissions tab of a journey (/journeys/<journey_id>/submissions/):
submission rate per week, who has not submitted which open mission (with
"Remind"), the student × mission matrix, and CSV / XLSX exports.

Teachers and admins of the journey's academy only: every view starts with
``managed_journey_for``, which answers 404 to students and other academies.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import public_name
from journeys.access import managed_journey_for
from journeys.models import JourneyWeek
from journeys.selectors import week_from_query
from missions.models import JourneyMissionInstance
from submissions import exports
from submissions.selectors import enrolled_student, submissions_overview
from submissions.services import (
    ReminderRefused,
    mission_reminder_send,
    mission_reminders_send_all,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _weeks(journey) -> list[JourneyWeek]:
    return list(JourneyWeek.objects.filter(journey=journey).order_by("week_number", "created_at"))


@login_required
@require_GET
def overview(request: HttpRequest, journey_id) -> HttpResponse:
    journey = managed_journey_for(request.user, journey_id)
    weeks = _weeks(journey)
    week, week_error = week_from_query(request.GET.get("week"), weeks)
    context = {
        "journey": journey,
        "active_tab": "submissions",
        "weeks": weeks,
        "selected_week": week,
        "selected_week_id": week.pk if week else None,
        "week_error": week_error,
        "overview": submissions_overview(journey=journey, weeks=weeks, week=week),
    }
    return render(request, "submissions/index.html", context)


# --- reminders --------------------------------------------------------------------------


class RemindForm(forms.Form):
    """Who to remind of what: one ``student``, or everyone missing when it is empty."""

    instance = forms.UUIDField()
    student = forms.UUIDField(required=False)
    # The week filter to come back to (not trusted: only passed on as ?week=).
    week = forms.UUIDField(required=False)


@login_required
@require_POST
def remind(request: HttpRequest, journey_id) -> HttpResponse:
    journey = managed_journey_for(request.user, journey_id)
    form = RemindForm(request.POST)
    if not form.is_valid():
        # Only a tampered form gets here: the buttons always send valid ids.
        raise Http404
    instance = (
        JourneyMissionInstance.objects.filter(journey=journey, pk=form.cleaned_data["instance"])
        .select_related("mission", "journey")
        .first()
    )
    if instance is None:
        raise Http404
    if form.cleaned_data["student"] is None:
        return _remind_all(request, journey, instance, week=form.cleaned_data["week"])
    student = enrolled_student(journey, form.cleaned_data["student"])
    if student is None:
        raise Http404
    name = public_name(student)
    level, text, reminded = messages.SUCCESS, "", False
    try:
        sent = mission_reminder_send(instance=instance, student=student, sent_by=request.user)
    except ReminderRefused as refused:
        level, text = messages.ERROR, refused.message
    else:
        reminded = True
        params = {"name": name, "mission": instance.mission.name}
        if sent:
            text = _("Reminded %(name)s to submit %(mission)s.") % params
        else:
            level = messages.WARNING
            text = (
                _(
                    "%(name)s was already reminded about %(mission)s today; "
                    "a student gets one reminder a day."
                )
                % params
            )
    if request.htmx:
        # The row replaces itself: its button becomes "Reminded today".
        context = {
            "journey": journey,
            "instance": instance,
            "student": {"profile": student, "name": name, "reminded_today": reminded},
            "row_message": text,
            "row_message_level": "error" if level == messages.ERROR else "success",
        }
        return render(request, "submissions/index.html#missing-row", context)
    messages.add_message(request, level, text)
    return _back_to_overview(journey, form.cleaned_data["week"])


def _remind_all(request, journey, instance, *, week) -> HttpResponse:
    try:
        count = mission_reminders_send_all(instance=instance, sent_by=request.user)
    except ReminderRefused as refused:
        messages.error(request, refused.message)
    else:
        if count:
            messages.success(
                request,
                ngettext(
                    "Reminded %(count)d student to submit %(mission)s.",
                    "Reminded %(count)d students to submit %(mission)s.",
                    count,
                )
                % {"count": count, "mission": instance.mission.name},
            )
        else:
            messages.warning(
                request,
                _(
                    "Everyone who has not submitted %(mission)s was already reminded today; "
                    "nobody was reminded again."
                )
                % {"mission": instance.mission.name},
            )
    return _back_to_overview(journey, week)


def _back_to_overview(journey, week) -> HttpResponse:
    # To the top of the page, not the list's anchor: the message shows there.
    url = reverse("submissions:index", args=[journey.pk])
    if week:
        url += "?" + urlencode({"week": str(week)})
    return redirect(url)


# --- exports ----------------------------------------------------------------------------


@login_required
@require_GET
def export_csv(request: HttpRequest, journey_id) -> StreamingHttpResponse:
    journey = managed_journey_for(request.user, journey_id)
    settings = exports.ExportSettings.from_request(request)
    response = StreamingHttpResponse(
        exports.csv_stream(journey, settings), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = exports.content_disposition(
        exports.export_filename(journey, "csv"), fallback=exports.ascii_filename("csv")
    )
    return response


@login_required
@require_GET
def export_xlsx(request: HttpRequest, journey_id) -> FileResponse:
    journey = managed_journey_for(request.user, journey_id)
    settings = exports.ExportSettings.from_request(request)
    # A finished file, not a stream: see exports.xlsx_file for why it cannot be.
    response = FileResponse(
        exports.xlsx_file(journey, settings), as_attachment=True, content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = exports.content_disposition(
        exports.export_filename(journey, "xlsx"), fallback=exports.ascii_filename("xlsx")
    )
    return response
