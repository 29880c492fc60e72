"""Writes of a person's own profile: editing it (with the profile image, stored
through the files service) and closing the account for good.

Each service is one transaction, validates its input and raises
``ValidationError`` for bad values and ``PermissionDenied`` for a caller who may
not do it, with a message fit to show.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import (
    Profile,
)
from core.moments import is_known_language, validate_zone
from files.models import File
from files.purposes import purpose as purpose_named
from files.services import file_delete, file_upload
from notifications.models import NotificationPreference, Subscription

DELETED_EMAIL_DOMAIN = "deleted.invalid"


PROFILE_IMAGE_PURPOSE = "profile_image"


def profile_update(
    *,
    profile: Profile,
    first_name: str | None,
    last_name: str | None,
    phone: str | None,
    marketing_opt_in: bool,
    language: str | None,
    timezone_name: str | None,
    image: UploadedFile | None = None,
    remove_image: bool = False,
) -> Profile:
    """Save what a person may change about themselves. A new ``image`` is
    stored through the files service (``FileRejected`` if it is refused, and
    nothing changes); the image it replaces, or the one removed with
    ``remove_image``, is soft-deleted. ``language`` and ``timezone_name`` are
    what every page and message for them uses (``core.moments``); None (or
    empty) leaves it to the browser and the site's default zone. An unknown
    language or zone raises ``ValidationError`` before anything changes."""
    if profile.deleted_at is not None or not profile.is_active:
        raise PermissionDenied(_("This account is closed."))
    language, timezone_name = language or None, timezone_name or None
    if language is not None and not is_known_language(language):
        raise ValidationError({"language": _("Choose one of the languages in the list.")})
    if timezone_name is not None:
        try:
            validate_zone(timezone_name)
        except ValidationError as error:
            raise ValidationError({"timezone": error.messages}) from None
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
        locked.language, locked.timezone = language, timezone_name
        fields = ["first_name", "last_name", "phone", "marketing_opt_in", "updated_at"]
        fields += ["language", "timezone"]
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
        # Where someone lives says something about them, too.
        locked.language = None
        locked.timezone = None
        locked.set_unusable_password()
        locked.is_active = False
        locked.deleted_at = timezone.now()
        locked.save()
    profile.refresh_from_db()
    return profile
