"""The Team tab of a journey (journeys:team) and its actions: create, join, leave.

Students of the journey manage their own membership; teachers and admins see
every team read-only (managing teams is theirs elsewhere). Every action is a
plain POST form that redirects back to the tab with a message, so it all works
without JavaScript.
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
from accounts.profile_services import public_name
from journeys.access import journey_for
from teams import selectors, services
from teams.forms import TeamCreateForm
from teams.models import Team


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
            return redirect("journeys:team", journey.pk)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("You created the team %(team)s and lead it.") % {"team": team.name}
            )
            return redirect("journeys:team", journey.pk)
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
    return redirect("journeys:team", journey.pk)


@login_required
@require_POST
def team_leave(request: HttpRequest, journey_id: uuid.UUID, team_id: uuid.UUID) -> HttpResponse:
    journey = journey_for(request.user, journey_id)
    team = get_object_or_404(Team, pk=team_id, journey=journey)
    try:
        outcome = services.team_leave(team=team, user=request.user)
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, _error_text(error))
        return redirect("journeys:team", journey.pk)
    message = _("You left the team %(team)s.") % {"team": team.name}
    if outcome.new_leader is not None:
        message += " " + _("%(name)s leads it now.") % {"name": public_name(outcome.new_leader)}
    elif outcome.team_deleted:
        message += " " + _("It had no other members, so it was removed.")
    messages.success(request, message)
    return redirect("journeys:team", journey.pk)


def _render_team_page(request, journey, *, form: TeamCreateForm, status: int = 200):
    teams = selectors.journey_teams(journey=journey)
    # Students manage their own team; teachers and admins only look here.
    is_student = request.user.role == Role.USER
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
