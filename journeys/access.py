"""The one way views fetch a journey for the person asking."""

from __future__ import annotations

import uuid

from django.http import Http404
from django.shortcuts import get_object_or_404

from journeys.models import Journey


def journey_for(user, journey_id: uuid.UUID) -> Journey:
    """The journey if ``user`` may see it (enrolled student, or teacher of its
    organization); otherwise 404, exactly like a journey that does not exist."""
    return get_object_or_404(
        Journey.objects.visible_to(user).select_related("image_file", "organization"),
        pk=journey_id,
    )


def managed_journey_for(user, journey_id: uuid.UUID) -> Journey:
    """The journey if ``user`` teaches or administers its organization; 404 for
    everyone else (students included), like a journey that does not exist.
    Every teacher-only journey URL starts here."""
    if not (getattr(user, "is_authenticated", False) and user.is_teacher):
        raise Http404
    return journey_for(user, journey_id)
