"""Who may work on the academy's mission library: its teachers and admins.
Everyone else, and another academy's mission, gets 404 (nothing says it exists)."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from missions.models import Mission


def require_teacher(request: HttpRequest) -> None:
    """Teachers and admins of an organization; everyone else gets 404."""
    user = request.user
    if not (user.is_teacher and user.organization_id):
        raise Http404


def library_mission_for(request: HttpRequest, mission_id: uuid.UUID) -> Mission:
    """A mission of the asking teacher's academy, else 404."""
    require_teacher(request)
    return get_object_or_404(
        Mission.objects.filter(organization_id=request.user.organization_id), pk=mission_id
    )
