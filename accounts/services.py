"""Account writes: redeeming role access codes, and the role a person gets on
arriving in an academy."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, Role, RoleAccessCode


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
