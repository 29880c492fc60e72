"""Reads of the accounts app: the name shown for a person, who may open whose
profile, which access codes a person may see, and whether a profile is complete.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import (
    Profile,
    Role,
    RoleAccessCode,
)

# What ``public_name`` and ``Profile.image_url`` read of a person: a list of
# people loads only these columns (``.only``), not the whole profile row.
PUBLIC_NAME_FIELDS = ("first_name", "last_name", "email", "deleted_at")
AVATAR_FIELDS = (
    "profile_image",
    "profile_image_file",
    "profile_image_file__bucket_name",
    "profile_image_file__file_path",
    "profile_image_file__is_deleted",
)


def fields_through(relation: str, fields: tuple[str, ...]) -> tuple[str, ...]:
    """``fields`` of the person ``relation`` points to: ``("user__email", …)``."""
    return tuple(f"{relation}__{field}" for field in fields)


def public_name(profile: Profile | None) -> str:
    """The name to show others: "Deleted user" once the account is deleted (its
    row stays so posts and comments keep an author)."""
    if profile is None or profile.deleted_at is not None:
        return _("Deleted user")
    return profile.full_name or profile.email.split("@", 1)[0]


def profile_visible_to(viewer: Profile, profile: Profile) -> bool:
    """May ``viewer`` open ``profile``'s public page? Active, undeleted people
    of the viewer's own organization (any organization for a platform operator)."""
    if not viewer.is_active or not profile.is_active or profile.deleted_at is not None:
        return False
    if viewer.is_superuser:
        return True
    return viewer.organization_id is not None and viewer.organization_id == profile.organization_id


def access_codes_for(viewer: Profile) -> QuerySet:
    """The role access codes ``viewer`` may see on the codes page: still valid
    ones of their organization; teachers see teacher codes only, admins all
    (expired and used-up ones too, so they can tell what happened)."""
    if viewer.organization_id is None or not viewer.has_role_at_least(Role.TEACHER):
        return RoleAccessCode.objects.none()
    codes = RoleAccessCode.objects.filter(organization_id=viewer.organization_id)
    if viewer.role == Role.ADMIN:
        return codes.select_related("created_by")
    return codes.usable().filter(role=Role.TEACHER).select_related("created_by")


def _filled(value: str | None) -> bool:
    return bool((value or "").strip())


def profile_is_complete(profile: Profile) -> bool:
    """The one rule: an academy, privacy consent, a first and last name and a phone."""
    return bool(
        profile.organization_id
        and profile.privacy_agreed
        and _filled(profile.first_name)
        and _filled(profile.last_name)
        and _filled(profile.phone)
    )
