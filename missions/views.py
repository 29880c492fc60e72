"""The organization's mission library, at /missions/: teachers and admins list,
write, preview and delete mission templates. Anyone else gets 404, and so does
a mission of another organization, exactly like a missing one.

And a journey's Plan tab, its weeks with their scheduled missions, for anyone
who may see the journey (the week and mission forms are in schedule_views)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.markdown import render_markdown
from journeys.access import journey_for
from journeys.selectors import can_manage_journey
from missions import selectors, services
from missions.forms import MissionForm, WeekForm
from missions.models import Mission

# The delete page lists where a mission is scheduled, up to this many places.
PLACES_SHOWN = 20


def _require_teacher(request: HttpRequest) -> None:
    """Teachers and admins of an organization; everyone else gets 404."""
    user = request.user
    if not (user.is_teacher and user.organization_id):
        raise Http404


def _mission_for(request: HttpRequest, mission_id: uuid.UUID) -> Mission:
    _require_teacher(request)
    return get_object_or_404(
        Mission.objects.filter(organization_id=request.user.organization_id), pk=mission_id
    )


def _next_url(request: HttpRequest) -> str | None:
    """Where to go after saving (``next``, e.g. back to the schedule form), when
    it is one of our pages."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _form_errors_from(form: MissionForm, error: ValidationError) -> None:
    """Put a service's refusal next to the field it concerns."""
    field = error.code if error.code in form.fields else None
    form.add_error(field, error.messages)


# --- the list ---------------------------------------------------------------------------


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    _require_teacher(request)
    missions = selectors.library_missions(organization_id=request.user.organization_id)
    return render(request, "missions/library.html", {"missions": missions})


# --- writing a template ------------------------------------------------------------------


def _render_form(request, form, *, mission=None, preview=None) -> HttpResponse:
    context = {"form": form, "mission": mission, "preview": preview, "next": _next_url(request)}
    return render(request, "missions/mission_form.html", context)


def _saved(request: HttpRequest, mission: Mission, message: str) -> HttpResponse:
    """Back to the page the teacher came from (the schedule form passes itself
    as ``next`` and gets the new mission preselected), else to the library."""
    messages.success(request, message % {"name": mission.name})
    target = _next_url(request)
    if target is None:
        return redirect(f"{reverse('missions:library')}#mission-{mission.pk}")
    separator = "&" if "?" in target else "?"
    return redirect(f"{target}{separator}{urlencode({'mission': mission.pk})}")


@login_required
@require_http_methods(["GET", "POST"])
def mission_create(request: HttpRequest) -> HttpResponse:
    _require_teacher(request)
    if request.method == "GET":
        return _render_form(request, MissionForm())
    form = MissionForm(request.POST)
    if "preview" in request.POST:
        return _render_form(request, form, preview=request.POST.get("description", ""))
    if form.is_valid():
        try:
            mission = services.mission_create(
                organization=request.user.organization, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            return _saved(request, mission, _("“%(name)s” is in the library."))
    return _render_form(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def mission_edit(request: HttpRequest, mission_id: uuid.UUID) -> HttpResponse:
    mission = _mission_for(request, mission_id)
    if request.method == "GET":
        form = MissionForm(initial=MissionForm.initial_from(mission))
        return _render_form(request, form, mission=mission)
    form = MissionForm(request.POST)
    if "preview" in request.POST:
        preview = request.POST.get("description", "")
        return _render_form(request, form, mission=mission, preview=preview)
    if form.is_valid():
        try:
            mission = services.mission_update(mission=mission, **form.cleaned_data)
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            return _saved(request, mission, _("“%(name)s” is saved."))
    return _render_form(request, form, mission=mission)


@login_required
@require_POST
def mission_preview(request: HttpRequest) -> HttpResponse:
    """htmx: the rendered Markdown of the description being typed. Without
    JavaScript the form's Preview button reloads the form with it instead."""
    _require_teacher(request)
    html = render_markdown(request.POST.get("description", ""))
    return render(request, "missions/_preview.html", {"html": html})


# --- deleting ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def mission_delete(request: HttpRequest, mission_id: uuid.UUID) -> HttpResponse:
    """GET asks to confirm (or says why it cannot be deleted); POST deletes."""
    mission = _mission_for(request, mission_id)
    if request.method == "POST":
        try:
            services.mission_delete(mission=mission)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(f"{reverse('missions:library')}#mission-{mission.pk}")
        messages.success(request, _("“%(name)s” is deleted.") % {"name": mission.name})
        return redirect("missions:library")
    # Where it is scheduled, so the teacher knows where to detach it.
    places = list(
        mission.instances.select_related("journey_week__journey").order_by(
            "journey_week__journey__name", "journey_week__week_number", "release_date"
        )[: PLACES_SHOWN + 1]
    )
    context = {
        "mission": mission,
        "places": places[:PLACES_SHOWN],
        "more_places": len(places) > PLACES_SHOWN,
    }
    return render(request, "missions/mission_confirm_delete.html", context)


# --- a journey's Plan tab --------------------------------------------------


@login_required
@require_GET
def plan(request: HttpRequest, journey_id: uuid.UUID) -> HttpResponse:
    """Students see their plan with their own progress. The journey's teachers
    see the same weeks with their controls (``manage``): each instance's
    submission count, and the forms of missions/schedule_views.py."""
    journey = journey_for(request.user, journey_id)
    manage = request.user.is_teacher and can_manage_journey(request.user, journey)
    context = {"journey": journey, "active_tab": "plan", "manage": manage}
    if manage:
        plan = selectors.managed_plan(journey=journey)
        numbers = [plan_week.week.week_number or 0 for plan_week in plan.weeks]
        context["week_form"] = WeekForm.for_new_week(max(numbers, default=0) + 1)
    else:
        plan = selectors.plan_for(journey=journey, user=request.user)
    context["plan"] = plan
    return render(request, "missions/plan.html", context)
