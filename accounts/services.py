"""Account writes: redeeming role access codes, and the role a person gets on
arriving in an academy."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    Organization,
    OrganizationChange,
    Profile,
    Role,
    RoleAccessCode,
    RoleChange,
)
from core.moments import is_known_language, is_known_zone


class AccessCodeError(ValidationError):
    """A code that cannot be used; ``code`` says why (``invalid``, ``expired``,
    ``wrong_organization``, ``used_up``) and the message says it to a person."""


ACCESS_CODE_MESSAGES = {
    "invalid": _("This access code is not valid."),
    "expired": _("This access code has expired."),
    "wrong_organization": _("This access code is not valid for this organization."),
    "used_up": _("This access code has already been used as many times as allowed."),
}


def _access_code_error(reason: str) -> AccessCodeError:
    return AccessCodeError(ACCESS_CODE_MESSAGES[reason], code=reason)


def _parse_code(code: str | uuid.UUID) -> uuid.UUID:
    if isinstance(code, uuid.UUID):
        return code
    try:
        return uuid.UUID(str(code).strip())
    except (TypeError, ValueError):
        # A malformed code gets the same answer as an unknown one.
        raise _access_code_error("invalid") from None


def _check_usable(access_code: RoleAccessCode, organization: Organization | None) -> None:
    # A code without an academy (the seed's table had no organization column)
    # elevates nobody: it answers exactly like an unknown code, so nobody can
    # tell such rows exist. Migration 0004 expired the ones that were there.
    if access_code.organization_id is None:
        raise _access_code_error("invalid")
    if access_code.is_expired:
        raise _access_code_error("expired")
    # A code of one academy never makes a teacher or admin in another.
    if organization is None or access_code.organization_id != organization.pk:
        raise _access_code_error("wrong_organization")
    if access_code.is_used_up:
        raise _access_code_error("used_up")


def role_on_arrival(*, organization: Organization, code: str | uuid.UUID | None) -> str:
    """The role a person gets on arriving in ``organization`` (sign-up, profile
    completion): the role of ``code``, redeemed once, or student without one.

    Whatever role a person had before never carries over: a teacher or admin
    is one only through a code of this very academy. Call it inside the
    transaction that saves the person (see ``access_code_redeem``)."""
    if not code:
        return Role.USER
    return access_code_redeem(code=code, organization=organization).role


def access_code_validate(
    *, code: str | uuid.UUID, organization: Organization | None
) -> RoleAccessCode:
    """The usable code ``code`` for a sign-up in ``organization``; raises
    ``AccessCodeError`` otherwise. Reads only: the sign-up form calls it for a
    clear message, and ``access_code_redeem`` checks again under a lock."""
    access_code = RoleAccessCode.objects.filter(code=_parse_code(code)).first()
    if access_code is None:
        raise _access_code_error("invalid")
    _check_usable(access_code, organization)
    return access_code


def access_code_redeem(
    *, code: str | uuid.UUID, organization: Organization | None
) -> RoleAccessCode:
    """Use ``code`` once for a sign-up in ``organization`` and return it (with
    the new ``use_count``); raises ``AccessCodeError`` when it cannot be used.

    Call it inside the transaction that creates the person, so a failed sign-up
    gives the use back. The row lock makes racing sign-ups queue up: the second
    one reads the first one's count once it commits, and is turned away when
    the code is used up; the CHECK on use_count is the last line of defence.
    """
    parsed = _parse_code(code)
    with transaction.atomic():
        access_code = RoleAccessCode.objects.select_for_update().filter(code=parsed).first()
        if access_code is None:
            raise _access_code_error("invalid")
        _check_usable(access_code, organization)
        try:
            with transaction.atomic():
                RoleAccessCode.objects.filter(pk=access_code.pk).update(
                    use_count=F("use_count") + 1
                )
        except IntegrityError:
            raise _access_code_error("used_up") from None
        access_code.refresh_from_db(fields=["use_count"])
    return access_code


def password_confirms(profile: AbstractBaseUser, value: str) -> bool:
    """Someone without a usable password (social log-in only) confirms by
    typing their e-mail address instead."""
    if profile.has_usable_password():
        return profile.check_password(value)
    return bool(value) and value.strip().lower() == profile.email.lower()


def role_change(*, profile: Profile, new_role: str, by: Profile, reason: str = "") -> RoleChange:
    """Give ``profile`` the role ``new_role`` and record who did it and why.

    Only a platform operator or an admin of the person's organization may;
    nobody changes their own role, and an organization admin cannot touch a
    platform operator's profile (superuser status is never changed here)."""
    if new_role not in Role.values:
        raise ValidationError(_("Choose a valid role."), code="invalid_role")
    if not by.is_active or not (
        by.is_superuser
        or (
            by.role == Role.ADMIN
            and by.organization_id is not None
            and by.organization_id == profile.organization_id
        )
    ):
        raise PermissionDenied(
            _("Only an admin of this person's organization can change their role.")
        )
    if by.pk == profile.pk:
        raise PermissionDenied(_("You cannot change your own role."))
    if profile.is_superuser and not by.is_superuser:
        raise PermissionDenied(_("Only a platform operator can change a platform operator's role."))
    with transaction.atomic():
        locked = Profile.objects.select_for_update().get(pk=profile.pk)
        if locked.deleted_at is not None:
            raise ValidationError(_("This account is deleted."), code="deleted")
        if locked.role == new_role:
            raise ValidationError(
                _("%(name)s already has this role.") % {"name": locked}, code="unchanged"
            )
        change = RoleChange.objects.create(
            profile=locked,
            changed_by=by,
            old_role=locked.role,
            new_role=new_role,
            reason=(reason or "").strip(),
        )
        locked.role = new_role
        locked.save(update_fields=["role", "updated_at"])
    profile.role = new_role
    return change


def profile_move(
    *, profile: Profile, organization: Organization, by: Profile, reason: str = ""
) -> OrganizationChange:
    """Move ``profile`` to ``organization``: the only way a person's academy
    changes once they have one, and a platform operator's alone.

    The person arrives as a student: a role never survives a change of
    academy (a teacher of one academy is nobody in another). The move is
    recorded in ``organization_changes`` with the role they had, and a
    lost role also in ``role_changes``; to make them a teacher or admin of the
    new academy, change their role afterwards (audited too) or have them use
    one of its access codes."""
    if not (by.is_active and by.is_superuser):
        raise PermissionDenied(_("Only a platform operator can move a person to another academy."))
    with transaction.atomic():
        locked = Profile.objects.select_for_update().get(pk=profile.pk)
        if locked.deleted_at is not None:
            raise ValidationError(_("This account is deleted."), code="deleted")
        if locked.organization_id == organization.pk:
            raise ValidationError(
                _("%(name)s already belongs to %(organization)s.")
                % {"name": locked, "organization": organization},
                code="unchanged",
            )
        reason = (reason or "").strip()
        change = OrganizationChange.objects.create(
            profile=locked,
            changed_by=by,
            old_organization_id=locked.organization_id,
            new_organization=organization,
            old_role=locked.role,
            reason=reason,
        )
        if locked.role != Role.USER:
            RoleChange.objects.create(
                profile=locked,
                changed_by=by,
                old_role=locked.role,
                new_role=Role.USER,
                reason=_("Moved to %(organization)s.") % {"organization": organization},
            )
        locked.organization = organization
        locked.role = Role.USER
        locked.save(update_fields=["organization", "role", "updated_at"])
    profile.organization = organization
    profile.role = Role.USER
    return change


def _may_manage_codes(by: Profile, organization: Organization | None) -> bool:
    if not by.is_active:
        return False
    if by.is_superuser:
        return True
    return (
        organization is not None and by.role == Role.ADMIN and by.organization_id == organization.pk
    )


def access_code_create(
    *,
    organization: Organization,
    role: str,
    by: Profile,
    expiry_date: dt.datetime | None = None,
    max_uses: int | None = None,
) -> RoleAccessCode:
    """A new code granting ``role`` (teacher or admin) at sign-up in
    ``organization``; only its admins (or a platform operator) may create one."""
    if not _may_manage_codes(by, organization):
        raise PermissionDenied(_("Only an admin of this organization can create access codes."))
    if role not in (Role.TEACHER, Role.ADMIN):
        raise ValidationError(_("A code grants the teacher or the admin role."), code="role")
    if expiry_date is not None and expiry_date <= timezone.now():
        raise ValidationError(_("The expiry date must be in the future."), code="expired")
    if max_uses is not None and max_uses < 1:
        raise ValidationError(_("The use limit must be at least 1."), code="max_uses")
    with transaction.atomic():
        return RoleAccessCode.objects.create(
            organization=organization,
            role=role,
            created_by=by,
            expiry_date=expiry_date,
            max_uses=max_uses,
        )


def access_code_expire(*, code: RoleAccessCode, by: Profile) -> RoleAccessCode:
    """Make ``code`` stop working now. Expiring an expired code keeps its
    original expiry date."""
    if not _may_manage_codes(by, code.organization):
        raise PermissionDenied(_("Only an admin of this organization can expire access codes."))
    with transaction.atomic():
        locked = RoleAccessCode.objects.select_for_update().get(pk=code.pk)
        now = timezone.now()
        if locked.expiry_date is None or locked.expiry_date > now:
            locked.expiry_date = now
            locked.save(update_fields=["expiry_date"])
    code.expiry_date = locked.expiry_date
    return code


# --- a person's language and time zone -------------------------------------------------


def browser_terms(profile: Profile, *, zone: str | None) -> list[str]:
    """Record the browser's time zone and the request's language on a new (or
    newly completed) ``profile`` that has none yet, without saving; a choice
    already made is kept. Returns the fields set, for ``update_fields``.

    Called while the sign-up request is active: its language is what
    ``LocaleMiddleware`` picked (the switcher's cookie, else the browser's), so
    e-mails sent later by a worker are in the language the person signed up in."""
    fields = []
    if not profile.timezone and is_known_zone(zone):
        profile.timezone = zone
        fields.append("timezone")
    language = translation.get_language()
    if not profile.language and is_known_language(language):
        profile.language = language
        fields.append("language")
    return fields


def profile_language_set(*, profile: Profile, language: str) -> Profile:
    """Make ``language`` the one ``profile`` reads the site, e-mails and pushes
    in (the header's language switcher, when signed in)."""
    if not is_known_language(language):
        raise ValidationError(_("Choose one of the languages in the list."), code="language")
    Profile.objects.filter(pk=profile.pk).update(language=language, updated_at=timezone.now())
    profile.language = language
    return profile
