"""The organization's mission library, at /missions/: teachers and admins list,
write, preview and delete mission templates. Anyone else gets 404, and so does
a mission of another organization, exactly like a missing one.

A journey's Plan tab, its weeks with their scheduled missions, for anyone who
may see the journey; and for its teachers, under /journeys/<journey_id>/schedule/:
add, rename, move and delete weeks; schedule a library mission into a week,
change its dates (reschedule, reopen, extend) or detach it. Those views start
with ``managed_journey_for`` (404 unless the person teaches or administers the
journey's organization) and find the week or instance inside that journey
(404 otherwise). Deleting and detaching ask to confirm on a page of their own,
so everything works without JavaScript; after a change the teacher lands back
on the plan, at the week or mission they changed.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.links import AddressOf
from core.markdown import render_markdown
from core.moments import format_moment, zone_name_of
from journeys.access import journey_for, managed_journey_for
from journeys.models import Journey, JourneyWeek
from journeys.selectors import can_manage_journey
from journeys.templatetags.journey_tags import deadline_of
from missions import questions, selectors, services
from missions.access import library_mission_for, require_teacher
from missions.forms import (
    ExtendForm,
    MissionForm,
    ScheduleDatesForm,
    ScheduleForm,
    WeekForm,
    WeekMoveForm,
)
from missions.models import JourneyMissionInstance, Mission

# The delete page lists where a mission is scheduled, up to this many places.
PLACES_SHOWN = 20


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
    require_teacher(request)
    missions = selectors.library_missions(organization_id=request.user.organization_id)
    return render(request, "missions/library.html", {"missions": missions})


# --- writing a template ------------------------------------------------------------------


def _render_form(request, form, *, mission=None, preview=None) -> HttpResponse:
    context = {"form": form, "mission": mission, "preview": preview, "next": _next_url(request)}
    if mission is not None:
        # At most questions.MAX_QUESTIONS rows.
        context["questions"] = list(mission.questions.order_by("position"))
        context["answered"] = questions.has_submissions(mission)
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
    require_teacher(request)
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
    mission = library_mission_for(request, mission_id)
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
    require_teacher(request)
    html = render_markdown(request.POST.get("description", ""))
    return render(request, "missions/_preview.html", {"html": html})


# --- deleting ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def mission_delete(request: HttpRequest, mission_id: uuid.UUID) -> HttpResponse:
    """GET asks to confirm (or says why it cannot be deleted); POST deletes."""
    mission = library_mission_for(request, mission_id)
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
    submission count, and the week and mission forms below."""
    journey = journey_for(request.user, journey_id)
    manage = request.user.is_teacher and can_manage_journey(request.user, journey)
    context = {"journey": journey, "active_tab": "plan", "manage": manage}
    if manage:
        plan = selectors.managed_plan(journey=journey)
        numbers = [plan_week.week.week_number or 0 for plan_week in plan.weeks]
        context["week_form"] = WeekForm.for_new_week(max(numbers, default=0) + 1)
    else:
        plan = selectors.plan_for(journey=journey, user=request.user)
    for plan_week in plan.weeks:
        for instance in plan_week.instances:
            instance.due = deadline_of(instance, plan.now)
    if not manage:
        _link_student_actions(plan, journey)
    context["plan"] = plan
    return render(request, "missions/plan.html", context)


def _link_student_actions(plan: selectors.Plan, journey: Journey) -> None:
    """Each instance's links for the student: submit, my submission, resubmit
    (reversed once each for the plan, not once per mission), and the key its
    card is kept under."""
    submit_url = AddressOf("community:submit", journey.pk)
    post_url = AddressOf("community:post_detail", journey.pk)
    edit_url = AddressOf("community:post_edit", journey.pk)
    for plan_week in plan.weeks:
        for instance in plan_week.instances:
            instance.submit_url = submit_url(instance.pk)
            if instance.my_post_id:
                instance.my_post_url = post_url(instance.my_post_id)
                instance.resubmit_url = edit_url(instance.my_post_id)
            instance.card_key = _mission_card_key(instance, plan, journey)


def _mission_card_key(instance, plan: selectors.Plan, journey: Journey) -> tuple:
    """Everything a student's mission card shows
    (templates/missions/_plan_mission.html), as the key its drawn HTML is kept
    under (core.fragments), the deadline as it reads now (``instance.due``)."""
    mission, due = instance.mission, instance.due
    return (
        instance.pk,
        journey.pk,
        plan.personal,
        due.state,
        str(due.label),
        instance.release_date,
        instance.expiry_date,
        mission.name,
        mission.mission_type,
        mission.points,
        mission.description,
        instance.my_progress,
        instance.needs_team,
        instance.can_submit,
        instance.can_resubmit,
        instance.submit_url,
        instance.my_post_id and instance.my_post_url,
        instance.my_post_id and instance.resubmit_url,
    )


# --- a journey's weeks and scheduled missions (teachers) ----------------------


def _plan_url(journey: Journey, anchor: str = "") -> str:
    url = reverse("missions:plan", args=[journey.pk])
    return f"{url}#{anchor}" if anchor else url


def _week_for(journey: Journey, week_id: uuid.UUID) -> JourneyWeek:
    week = get_object_or_404(JourneyWeek, pk=week_id, journey=journey)
    week.journey = journey  # already loaded: spare the services a query
    return week


def _instance_for(journey: Journey, instance_id: uuid.UUID) -> JourneyMissionInstance:
    return get_object_or_404(
        JourneyMissionInstance.objects.select_related("mission", "journey_week"),
        pk=instance_id,
        journey_week__journey=journey,
    )


def _warn_if_outside_journey(request: HttpRequest, instance: JourneyMissionInstance) -> None:
    """The window may lie outside the journey's dates on purpose; say so, do not refuse."""
    journey = instance.journey
    if selectors.window_outside_journey(journey, instance.release_date, instance.expiry_date):
        messages.warning(
            request,
            _(
                "Check the dates: “%(name)s” opens before the journey starts or closes after "
                "it ends (%(start)s – %(end)s). It is saved as you entered it."
            )
            % {
                "name": instance.mission.name,
                "start": dateformat.format(journey.date_start, "Y.m.d")
                if journey.date_start
                else "…",
                "end": dateformat.format(journey.date_end, "Y.m.d") if journey.date_end else "…",
            },
        )


def _refusal(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# --- weeks ------------------------------------------------------------------------------


def _render_week_form(request, journey, form, *, week=None) -> HttpResponse:
    context = {"journey": journey, "active_tab": "plan", "form": form, "week": week}
    return render(request, "missions/week_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def week_create(request: HttpRequest, journey_id: uuid.UUID) -> HttpResponse:
    """The plan tab has the form; this page shows it again when it has errors."""
    journey = managed_journey_for(request.user, journey_id)
    if request.method == "GET":
        form = WeekForm.for_new_week(selectors.next_week_number(journey))
        return _render_week_form(request, journey, form)
    form = WeekForm(request.POST)
    if form.is_valid():
        try:
            week = services.week_create(journey=journey, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error("name", error.messages)
        else:
            messages.success(request, _("“%(name)s” is added.") % {"name": week.name})
            return redirect(_plan_url(journey, f"week-{week.pk}"))
    return _render_week_form(request, journey, form)


@login_required
@require_http_methods(["GET", "POST"])
def week_edit(request: HttpRequest, journey_id: uuid.UUID, week_id: uuid.UUID) -> HttpResponse:
    journey = managed_journey_for(request.user, journey_id)
    week = _week_for(journey, week_id)
    if request.method == "GET":
        return _render_week_form(request, journey, WeekForm(initial={"name": week.name}), week=week)
    form = WeekForm(request.POST)
    if form.is_valid():
        try:
            services.week_rename(week=week, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error("name", error.messages)
        else:
            messages.success(request, _("The week is renamed “%(name)s”.") % {"name": week.name})
            return redirect(_plan_url(journey, f"week-{week.pk}"))
    return _render_week_form(request, journey, form, week=week)


@login_required
@require_POST
def week_move(request: HttpRequest, journey_id: uuid.UUID, week_id: uuid.UUID) -> HttpResponse:
    journey = managed_journey_for(request.user, journey_id)
    week = _week_for(journey, week_id)
    form = WeekMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Move a week up or down."))
    else:
        try:
            services.week_move(week=week, direction=form.cleaned_data["direction"])
        except ValidationError as error:
            _refusal(request, error)
    return redirect(_plan_url(journey, f"week-{week.pk}"))


@login_required
@require_http_methods(["GET", "POST"])
def week_delete(request: HttpRequest, journey_id: uuid.UUID, week_id: uuid.UUID) -> HttpResponse:
    """GET asks to confirm (or says why it cannot be deleted); POST deletes."""
    journey = managed_journey_for(request.user, journey_id)
    week = _week_for(journey, week_id)
    if request.method == "POST":
        try:
            services.week_delete(week=week)
        except ValidationError as error:
            _refusal(request, error)
            return redirect(_plan_url(journey, f"week-{week.pk}"))
        messages.success(request, _("“%(name)s” is deleted.") % {"name": week.name})
        return redirect(_plan_url(journey))
    instances = list(
        JourneyMissionInstance.objects.filter(journey_week=week)
        .select_related("mission")
        .order_by("release_date", "id")
    )
    submissions = week.mission_instances.aggregate(count=Count("posts"))["count"]
    context = {
        "journey": journey,
        "active_tab": "plan",
        "week": week,
        "instances": instances,
        "submission_count": submissions,
    }
    return render(request, "missions/week_confirm_delete.html", context)


# --- scheduled missions -------------------------------------------------------------------


def _render_instance_form(request, journey, form, *, week, instance=None) -> HttpResponse:
    context = {
        "journey": journey,
        "active_tab": "plan",
        "form": form,
        "week": week,
        "instance": instance,
        "extend_choices": services.EXTEND_CHOICES,
        "zone_name": zone_name_of(request.user),
    }
    if instance is not None:
        context["is_closed"] = instance.has_closed()
    else:
        context["library_is_empty"] = not form.fields["mission"].queryset.exists()
    return render(request, "missions/instance_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def instance_create(
    request: HttpRequest, journey_id: uuid.UUID, week_id: uuid.UUID
) -> HttpResponse:
    journey = managed_journey_for(request.user, journey_id)
    week = _week_for(journey, week_id)
    missions = selectors.schedulable_missions(organization_id=journey.organization_id)
    if request.method == "GET":
        release, expiry = selectors.suggested_window(journey=journey, week=week)
        initial = {"release_date": release, "expiry_date": expiry}
        if request.GET.get("mission"):
            initial["mission"] = request.GET["mission"]
        form = ScheduleForm(missions=missions, initial=initial)
        return _render_instance_form(request, journey, form, week=week)
    form = ScheduleForm(request.POST, missions=missions)
    if form.is_valid():
        try:
            instance = services.instance_schedule(week=week, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("“%(name)s” is scheduled in %(week)s.")
                % {"name": instance.mission.name, "week": week.name},
            )
            _warn_if_outside_journey(request, instance)
            return redirect(_plan_url(journey, f"mission-{instance.pk}"))
    return _render_instance_form(request, journey, form, week=week)


@login_required
@require_http_methods(["GET", "POST"])
def instance_edit(
    request: HttpRequest, journey_id: uuid.UUID, instance_id: uuid.UUID
) -> HttpResponse:
    """New dates: the form (reschedule, reopen, extend), or a quick
    "+1 day" / "+7 days" button (``extend_days``)."""
    journey = managed_journey_for(request.user, journey_id)
    instance = _instance_for(journey, instance_id)
    instance.journey = journey
    week = instance.journey_week
    if request.method == "GET":
        initial = {"release_date": instance.release_date, "expiry_date": instance.expiry_date}
        form = ScheduleDatesForm(initial=initial)
        return _render_instance_form(request, journey, form, week=week, instance=instance)

    was_closed = instance.has_closed()
    if "extend_days" in request.POST:
        quick = ExtendForm(request.POST)
        try:
            if not quick.is_valid():
                raise ValidationError(_("Choose how many days to add."))
            services.instance_extend(
                instance=instance, days=quick.cleaned_data["extend_days"], teacher=request.user
            )
        except ValidationError as error:
            _refusal(request, error)
            return redirect(request.path)
    else:
        form = ScheduleDatesForm(request.POST)
        if not form.is_valid():
            return _render_instance_form(request, journey, form, week=week, instance=instance)
        try:
            services.instance_reschedule(instance=instance, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
            return _render_instance_form(request, journey, form, week=week, instance=instance)

    names = {
        "name": instance.mission.name,
        "opens": format_moment(instance.release_date, request.user),
        "closes": format_moment(instance.expiry_date, request.user),
    }
    if was_closed and not instance.has_closed():
        message = _("“%(name)s” is open again until %(closes)s.")
    else:
        message = _("New dates for “%(name)s”: %(opens)s – %(closes)s.")
    messages.success(request, message % names)
    _warn_if_outside_journey(request, instance)
    return redirect(_plan_url(journey, f"mission-{instance.pk}"))


@login_required
@require_http_methods(["GET", "POST"])
def instance_detach(
    request: HttpRequest, journey_id: uuid.UUID, instance_id: uuid.UUID
) -> HttpResponse:
    """GET asks to confirm (or says why it cannot be detached); POST detaches."""
    journey = managed_journey_for(request.user, journey_id)
    instance = _instance_for(journey, instance_id)
    if request.method == "POST":
        try:
            services.instance_detach(instance=instance)
        except ValidationError as error:
            _refusal(request, error)
            return redirect(_plan_url(journey, f"mission-{instance.pk}"))
        messages.success(
            request,
            _("“%(name)s” is detached from %(week)s. It stays in the mission library.")
            % {"name": instance.mission.name, "week": instance.journey_week.name},
        )
        return redirect(_plan_url(journey, f"week-{instance.journey_week_id}"))
    context = {
        "journey": journey,
        "active_tab": "plan",
        "instance": instance,
        "submission_count": instance.posts.count(),
    }
    return render(request, "missions/instance_confirm_detach.html", context)
