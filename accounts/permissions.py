"""The one check pages and services use for "may this person do staff work here?"."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise

from accounts.models import Organization, Profile


def require_role(
    user: Profile, role: str, message: str | Promise, organization: Organization | None = None
) -> None:
    """403 with ``message`` unless ``user`` holds at least ``role`` in an academy
    (in ``organization`` when given, else in their own)."""
    if (
        not user.is_authenticated
        or user.organization_id is None
        or not user.has_role_at_least(role, organization)
    ):
        raise PermissionDenied(message)
