"""The Team tab of a journey (teams:index) and its actions.

Students of the journey manage their own membership: create, join, leave.
Teachers and admins of the journey's organization manage every team: create,
rename, delete, put students in, move them, take them out, choose the leader;
those URLs answer 404 to everyone else (``managed_journey_for``). Every action
is a plain POST form that redirects back to the tab with a message, so it all
works without JavaScript.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from accounts.selectors import public_name
from journeys.access import journey_for, managed_journey_for
from teams import selectors, services
from teams.forms import TeamCreateForm, TeamEditForm, TeamPlacementForm
from teams.models import Team, TeamMember


@login_required
@require_GET
def team_page(request: HttpRequest, journey_id: uuid.UUID) -> HttpResponse:
    journey = journey_for(request.user, journey_id)
    return _render_team_page(request, journey, form=TeamCreateForm())


@login_required
@require_POST
def team_create(request: HttpRequest, journey_id: uuid.UUID) -> HttpResponse:
    journey = journey_for(request.user, journey_id)
    form = TeamCreateForm(request.POST)
    if form.is_valid():
        try:
            team = services.team_create(journey=journey, user=request.user, **form.cleaned_data)
        except PermissionDenied as denied:
            messages.error(request, str(denied))
            return redirect("teams:index", journey.pk)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("You created the team %(team)s and lead it.") % {"team": team.name}
            )
            return redirect("teams:index", journey.pk)
    # The page again, with the form's errors and what was typed.
    return _render_team_page(request, journey, form=form, status=400)


@login_required
@require_POST
def team_join(request: HttpRequest, journey_id: uuid.UUID, team_id: uuid.UUID) -> HttpResponse:
    journey = journey_for(request.user, journey_id)
    team = get_object_or_404(Team, pk=team_id, journey=journey)
    try:
        services.team_join(team=team, user=request.user)
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("You joined the team %(team)s.") % {"team": team.name})
    return redirect("teams:index", journey.pk)


@login_required
@require_POST
def team_leave(request: HttpRequest, journey_id: uuid.UUID, team_id: uuid.UUID) -> HttpResponse:
    journey = journey_for(request.user, journey_id)
    team = get_object_or_404(Team, pk=team_id, journey=journey)
    try:
        outcome = services.team_leave(team=team, user=request.user)
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, _error_text(error))
        return redirect("teams:index", journey.pk)
    message = _("You left the team %(team)s.") % {"team": team.name}
    if outcome.new_leader is not None:
        message += " " + _("%(name)s leads it now.") % {"name": public_name(outcome.new_leader)}
    elif outcome.team_deleted:
        message += " " + _("It had no other members, so it was removed.")
    messages.success(request, message)
    return redirect("teams:index", journey.pk)


def _render_team_page(
    request,
    journey,
    *,
    form: TeamCreateForm,
    manage_form: TeamEditForm | None = None,
    status: int = 200,
):
    # Students manage their own team; teachers and admins manage every team.
    is_student = request.user.role == Role.USER
    teams = selectors.journey_teams(journey=journey, with_history=not is_student)
    my_team = selectors.team_of(teams, request.user) if is_student else None
    context = {
        "journey": journey,
        "active_tab": "team",
        "teams": teams,
        "is_student": is_student,
        "my_team": my_team,
        "successor": _successor_if_i_leave(my_team, request.user),
        "other_teams": [row for row in teams if row is not my_team],
        "form": form,
        "manage_form": manage_form or TeamEditForm(),
        "students_without_team": (
            [] if is_student else selectors.students_without_team(journey=journey)
        ),
    }
    return render(request, "teams/team_page.html", context, status=status)


def _successor_if_i_leave(row: selectors.TeamRow | None, user) -> selectors.MemberRow | None:
    """Who leads ``row`` if ``user``, its leader, leaves: the earliest-joined of the
    others (the rows come leader first, then by joining time, as the service picks)."""
    if row is None or row.leader is None or row.leader.profile.pk != user.pk:
        return None
    others = [member for member in row.members if member.profile.pk != user.pk]
    return others[0] if others else None


def _error_text(error: PermissionDenied | ValidationError) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


# --- teachers ---------------------------------------------------------------------------


def _managed_team(request: HttpRequest, journey_id: uuid.UUID, team_id: uuid.UUID):
    """The managed journey and its team ``team_id``; 404 for a team of another journey."""
    journey = managed_journey_for(request.user, journey_id)
    team = get_object_or_404(Team, pk=team_id, journey=journey)
    team.journey = journey  # the services read it: no second query
    return journey, team


def _member_of(team: Team, user_id: uuid.UUID):
    """The person ``user_id`` if they are in ``team``; 404 otherwise."""
    return get_object_or_404(
        TeamMember.objects.select_related("user"), team=team, user_id=user_id
    ).user


def _form_error_text(form) -> str:
    return " ".join(message for errors in form.errors.values() for message in errors)


def _back(journey) -> HttpResponse:
    return redirect("teams:index", journey.pk)


@login_required
@require_POST
def manage_team_create(request: HttpRequest, journey_id: uuid.UUID) -> HttpResponse:
    journey = managed_journey_for(request.user, journey_id)
    form = TeamEditForm(request.POST)
    if form.is_valid():
        try:
            team = services.team_create_by_teacher(
                journey=journey, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The team %(team)s is ready. Add students to it below.") % {"team": team.name},
            )
            return _back(journey)
    return _render_team_page(request, journey, form=TeamCreateForm(), manage_form=form, status=400)


@login_required
@require_POST
def manage_team_rename(
    request: HttpRequest, journey_id: uuid.UUID, team_id: uuid.UUID
) -> HttpResponse:
    journey, team = _managed_team(request, journey_id, team_id)
    old_name = team.name
    form = TeamEditForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error_text(form))
        return _back(journey)
    try:
        services.team_rename(team=team, by=request.user, **form.cleaned_data)
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("The team %(old)s is now called %(new)s.") % {"old": old_name, "new": team.name},
        )
    return _back(journey)


@login_required
@require_POST
def manage_team_delete(
    request: HttpRequest, journey_id: uuid.UUID, team_id: uuid.UUID
) -> HttpResponse:
    journey, team = _managed_team(request, journey_id, team_id)
    try:
        services.team_delete(team=team, by=request.user)
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The team %(team)s was deleted.") % {"team": team.name})
    return _back(journey)


@login_required
@require_POST
def manage_member_assign(request: HttpRequest, journey_id: uuid.UUID) -> HttpResponse:
    """Put a student without a team into a team (both of this journey)."""
    return _placement(
        request,
        journey_id,
        place=lambda student, team: services.team_member_assign(
            team=team, student=student, by=request.user
        ),
        success=_("%(name)s is now in %(team)s."),
    )


@login_required
@require_POST
def manage_member_move(request: HttpRequest, journey_id: uuid.UUID) -> HttpResponse:
    """Move a student from their team to another team of this journey."""
    return _placement(
        request,
        journey_id,
        place=lambda student, team: services.team_member_move(
            student=student, to_team=team, by=request.user
        ),
        success=_("%(name)s moved to %(team)s."),
    )


def _placement(request: HttpRequest, journey_id: uuid.UUID, *, place, success) -> HttpResponse:
    """The shared steps of assigning and moving: a student and a team of this
    journey from the form, the service, then a message and back to the tab."""
    journey = managed_journey_for(request.user, journey_id)
    form = TeamPlacementForm(request.POST, journey=journey)
    if not form.is_valid():
        messages.error(request, _form_error_text(form))
        return _back(journey)
    student, team = form.cleaned_data["student"], form.cleaned_data["team"]
    team.journey = journey
    try:
        place(student, team)
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, success % {"name": public_name(student), "team": team.name})
    return _back(journey)


@login_required
@require_POST
def manage_member_remove(
    request: HttpRequest, journey_id: uuid.UUID, team_id: uuid.UUID, user_id: uuid.UUID
) -> HttpResponse:
    return _member_action(
        request,
        journey_id,
        team_id,
        user_id,
        act=services.team_member_remove,
        success=_("%(name)s is no longer in %(team)s."),
    )


@login_required
@require_POST
def manage_leader_set(
    request: HttpRequest, journey_id: uuid.UUID, team_id: uuid.UUID, user_id: uuid.UUID
) -> HttpResponse:
    return _member_action(
        request,
        journey_id,
        team_id,
        user_id,
        act=services.team_leader_set,
        success=_("%(name)s leads %(team)s now."),
    )


def _member_action(
    request: HttpRequest,
    journey_id: uuid.UUID,
    team_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    act,
    success,
) -> HttpResponse:
    """The shared steps of removing a member and making one the leader: the
    team and member of this journey (404 otherwise), the service, a message."""
    journey, team = _managed_team(request, journey_id, team_id)
    student = _member_of(team, user_id)
    try:
        act(team=team, student=student, by=request.user)
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, success % {"name": public_name(student), "team": team.name})
    return _back(journey)
