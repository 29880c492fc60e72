"""Writes (and a few reads) of a person's own profile, of roles and of role
access codes: editing the profile, deleting the account, changing a role with
an audit row, creating and expiring access codes.

Each service is one transaction, validates its input and raises
``ValidationError`` for bad values and ``PermissionDenied`` for a caller who may
not do it, with a message fit to show.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import (
    ROLE_RANK,
    Organization,
    OrganizationChange,
    Profile,
    Role,
    RoleAccessCode,
    RoleChange,
)

DELETED_EMAIL_DOMAIN = "deleted.invalid"
PROFILE_IMAGE_PURPOSE = "profile_image"


# --- reads ------------------------------------------------------------------


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


def shared_posts(*, viewer: Profile, author: Profile) -> QuerySet:
    """``author``'s visible posts in journeys ``viewer`` shares with them: every
    journey of the author's organization for its teachers and admins (and a
    platform operator), else journeys where both are enrolled."""
    from community.models import Post
    from journeys.models import UserJourney

    posts = Post.objects.filter(user=author, is_hidden=False, journey__isnull=False)
    sees_whole_organization = viewer.is_superuser or (
        author.organization_id is not None
        and viewer.organization_id == author.organization_id
        and ROLE_RANK[Role(viewer.role)] >= ROLE_RANK[Role.TEACHER]
    )
    if sees_whole_organization:
        return posts.filter(journey__organization_id=author.organization_id)
    both_enrolled = Exists(
        UserJourney.objects.filter(journey_id=OuterRef("journey_id"), user_id=viewer.pk)
    ) & Exists(UserJourney.objects.filter(journey_id=OuterRef("journey_id"), user_id=author.pk))
    return posts.filter(both_enrolled, journey__organization_id=viewer.organization_id)


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


# --- profile ----------------------------------------------------------------


def profile_update(
    *,
    profile: Profile,
    first_name: str | None,
    last_name: str | None,
    phone: str | None,
    marketing_opt_in: bool,
    image: UploadedFile | None = None,
    remove_image: bool = False,
) -> Profile:
    """Save what a person may change about themselves. A new ``image`` is
    stored through the files service (``FileRejected`` if it is refused, and
    nothing changes); the image it replaces, or the one removed with
    ``remove_image``, is soft-deleted."""
    from files.services import file_delete, file_upload

    if profile.deleted_at is not None or not profile.is_active:
        raise PermissionDenied(_("This account is closed."))
    # Stored before the transaction (file_upload talks to the storage and must not
    # hold a transaction open); refused uploads raise before anything changes.
    new_file = None
    if image is not None:
        new_file = file_upload(
            uploader=profile, uploaded_file=image, purpose=PROFILE_IMAGE_PURPOSE
        ).file
    with transaction.atomic():
        locked = Profile.objects.select_for_update().get(pk=profile.pk)
        old_file = locked.profile_image_file
        locked.first_name = (first_name or "").strip() or None
        locked.last_name = (last_name or "").strip() or None
        locked.phone = phone or None
        locked.marketing_opt_in = bool(marketing_opt_in)
        fields = ["first_name", "last_name", "phone", "marketing_opt_in", "updated_at"]
        if new_file is not None or remove_image:
            locked.profile_image_file = new_file
            # The legacy address would show through again once the file is gone.
            locked.profile_image = None
            fields += ["profile_image_file", "profile_image"]
            if old_file is not None and (new_file is None or old_file.pk != new_file.pk):
                file_delete(file=old_file, by=locked)
        locked.save(update_fields=fields)
    profile.refresh_from_db()
    return profile


def deleted_email(profile: Profile) -> str:
    return f"deleted-{profile.pk}@{DELETED_EMAIL_DOMAIN}"


def account_delete(*, profile: Profile) -> Profile:
    """Close ``profile``'s account for good: anonymise the row rather than
    delete it, so posts, comments, grades and points stay (shown under
    "Deleted user"). Personal data goes: names, phone, e-mail (replaced by an
    address that can never receive mail), profile images (soft-deleted), push
    subscriptions, notification settings, allauth's e-mail and social-account
    rows. The password becomes unusable and the account inactive, which also
    ends every other session. Platform operators must be demoted first."""
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount

    from files.models import File
    from files.purposes import purpose as purpose_named
    from files.services import file_delete
    from notifications.models import NotificationPreference, Subscription

    if profile.is_superuser:
        raise PermissionDenied(
            _("A platform operator's account cannot be deleted here; ask another operator.")
        )
    with transaction.atomic():
        locked = Profile.objects.select_for_update().get(pk=profile.pk)
        if locked.deleted_at is not None:
            raise ValidationError(_("This account is already deleted."), code="deleted")
        bucket = purpose_named(PROFILE_IMAGE_PURPOSE).bucket
        images = File.objects.filter(user=locked, is_deleted=False).filter(
            Q(bucket_name=bucket) | Q(pk=locked.profile_image_file_id)
        )
        for image in images:
            file_delete(file=image, by=locked)  # while still active: the service checks that
        Subscription.objects.filter(user=locked).delete()
        NotificationPreference.objects.filter(user=locked).delete()
        EmailAddress.objects.filter(user=locked).delete()
        SocialAccount.objects.filter(user=locked).delete()

        locked.first_name = ""
        locked.last_name = ""
        locked.email = deleted_email(locked)
        locked.phone = None
        locked.profile_image = None
        locked.profile_image_file = None
        locked.push_subscription = None
        locked.marketing_opt_in = False
        locked.set_unusable_password()
        locked.is_active = False
        locked.deleted_at = timezone.now()
        locked.save()
    profile.refresh_from_db()
    return profile


def password_confirms(profile: AbstractBaseUser, value: str) -> bool:
    """Someone without a usable password (social log-in only) confirms by
    typing their e-mail address instead."""
    if profile.has_usable_password():
        return profile.check_password(value)
    return bool(value) and value.strip().lower() == profile.email.lower()


# --- roles ------------------------------------------------------------------


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


# --- role access codes ------------------------------------------------------


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
