"""The teachers' Submissions tab of a journey (/journeys/<journey_id>/submissions/):
submission rate per week, who has not submitted which open mission (with
"Remind", and a page per mission for the whole list), the student × mission
matrix a page of students at a time. Its CSV / XLSX exports:
``submissions.export_views``.

Teachers and admins of the journey's academy only: every view starts with
``managed_journey_for``, which answers 404 to students and other academies.
"""

from __future__ import annotations

import hashlib
import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import public_name
from core.keyset import BadCursor
from journeys.access import managed_journey_for
from journeys.class_cache import DrawnPage, class_first_page
from journeys.selectors import journey_weeks, week_from_query
from missions.models import JourneyMissionInstance
from submissions.selectors import (
    CURSOR_MAX_LENGTH,
    enrolled_student,
    matrix_page,
    missing_group,
    missing_page,
    released_instance_list,
    released_instances,
    shown_columns,
    submissions_overview,
)
from submissions.services import (
    ReminderRefused,
    mission_reminder_send,
    mission_reminders_send_all,
)


@login_required
@require_GET
def overview(request: HttpRequest, journey_id) -> HttpResponse:
    journey = managed_journey_for(request.user, journey_id)
    weeks = journey_weeks(journey)
    week, week_error = week_from_query(request.GET.get("week"), weeks)
    after = request.GET.get("after") or None
    context = {
        "journey": journey,
        "active_tab": "submissions",
        "remind_url": _remind_url(journey),
        "weeks": weeks,
        "selected_week": week,
        "selected_week_id": week.pk if week else None,
        "week_error": week_error,
    }
    try:
        if request.htmx and after:
            # "More students" swaps its own row for the next page's rows (and
            # the next "More"): the matrix's rows only, no totals.
            columns = shown_columns(released_instance_list(journey, timezone.now()), week)
            context["page"] = matrix_page(journey=journey, columns=columns, after=after)
            context["columns"] = columns
            response = render(request, "submissions/index.html#matrix-rows", context)
        else:
            overview = submissions_overview(journey=journey, weeks=weeks, week=week)
            context["overview"] = overview
            context["columns"] = overview.columns
            context.update(_drawn_keys(overview, week))
            context["page"] = (
                matrix_page(journey=journey, columns=overview.columns, after=after)
                if after
                else _first_matrix_page(journey, overview.columns)
            )
            response = render(request, "submissions/index.html", context)
    except BadCursor:
        return HttpResponseBadRequest(_("This page of the student list does not exist."))
    # The same URL answers a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _drawn_keys(overview, week) -> dict:
    """The keys the chart and the matrix's head are drawn under
    (core.fragments): everything each shows."""
    rates = tuple(
        (rate.week.pk, rate.week.name, rate.students, rate.released, rate.submitted, rate.y)
        for rate in overview.rates
    )
    columns = tuple(
        (total.instance.pk, total.instance.journey_week.name, total.instance.mission.name)
        + (total.students, total.submitted)
        for total in overview.totals
    )
    return {
        "rate_chart_key": (rates, overview.chart_height, week.pk if week else None),
        "matrix_head_key": columns,
    }


def _first_matrix_page(journey, columns: list[JourneyMissionInstance]) -> DrawnPage:
    """The matrix's first page, drawn once per change of the class and set of
    columns (``class_first_page``). Nothing in it depends on who looks:
    names, teams and cells, whose states and scores the class version follows."""
    column_ids = ",".join(str(instance.pk) for instance in columns)
    digest = hashlib.sha256(column_ids.encode()).hexdigest()

    def draw() -> DrawnPage:
        page = matrix_page(journey=journey, columns=columns)
        return DrawnPage(
            rows_html=render_to_string(
                "submissions/index.html#matrix-row-lines", {"rows": page.rows}
            ),
            row_ids=[str(row.profile.pk) for row in page.rows],
            next_cursor=page.next_cursor,
        )

    return class_first_page(journey, f"matrix:{digest}", draw)


@login_required
@require_GET
def missing(request: HttpRequest, journey_id, instance_id) -> HttpResponse:
    """Everyone who has not submitted one mission, a page at a time: a "Not
    submitted yet" group too long to list on the overview. With htmx the group
    loads its first page when it is opened, and "Show more" swaps itself for
    the next; without JavaScript this is a page of its own."""
    journey = managed_journey_for(request.user, journey_id)
    now = timezone.now()
    instance = released_instances(journey, now).filter(pk=instance_id).first()
    if instance is None:
        raise Http404
    after = request.GET.get("after") or None
    try:
        page = missing_page(journey=journey, instance=instance, after=after, now=now)
    except BadCursor:
        return HttpResponseBadRequest(_("This page of the list does not exist."))
    context = {
        "journey": journey,
        "active_tab": "submissions",
        "remind_url": _remind_url(journey),
        "instance": instance,
        "page": page,
        "after": after or "",
        # The overview's week filter, to go back to (only passed on, as in RemindForm).
        "selected_week_id": _uuid_or_none(request.GET.get("week")),
        "remind_closed": not instance.is_open(now),
    }
    if request.htmx:
        response = render(request, "submissions/index.html#missing-rows", context)
    else:
        context["group"] = missing_group(journey=journey, instance=instance, now=now)
        response = render(request, "submissions/missing.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _remind_url(journey) -> str:
    """Where every "Remind" posts: reversed once a page, not once a student."""
    return reverse("submissions:remind", args=[journey.pk])


def _uuid_or_none(raw: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


# --- reminders --------------------------------------------------------------------------


class RemindForm(forms.Form):
    """Who to remind of what: one ``student``, or everyone missing when it is empty."""

    instance = forms.UUIDField()
    student = forms.UUIDField(required=False)
    # Where to come back to without JavaScript (not trusted: only passed on as
    # ?week= and ?after=): the overview, or the page of the mission's
    # "not submitted" list the button was on.
    week = forms.UUIDField(required=False)
    back = forms.ChoiceField(choices=[("", ""), ("missing", "missing")], required=False)
    after = forms.CharField(required=False, max_length=CURSOR_MAX_LENGTH)


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
    back = _back_url(journey, instance, form.cleaned_data)
    if form.cleaned_data["student"] is None:
        return _remind_all(request, journey, instance, back=back)
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
            "remind_url": _remind_url(journey),
            "instance": instance,
            "student": {"profile": student, "name": name, "reminded_today": reminded},
            "row_message": text,
            "row_message_level": "error" if level == messages.ERROR else "success",
        }
        return render(request, "submissions/index.html#missing-row", context)
    messages.add_message(request, level, text)
    return redirect(back)


def _remind_all(request, journey, instance, *, back: str) -> HttpResponse:
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
    return redirect(back)


def _back_url(journey, instance, data) -> str:
    """Where a reminder sent without JavaScript returns: the top of the page
    it was sent from (the message shows there), with its week and page."""
    params = {"week": str(data["week"])} if data["week"] else {}
    if data["back"] == "missing":
        url = reverse("submissions:missing", args=[journey.pk, instance.pk])
        if data["after"]:
            params["after"] = data["after"]
    else:
        url = reverse("submissions:index", args=[journey.pk])
    return url + ("?" + urlencode(params) if params else "")
