"""Writes of the journeys app: joining through an invite link and replacing
that link; for teachers, creating, editing and deleting journeys, adding and
removing members and e-mailing them. Each service is one transaction and
raises ``PermissionDenied``, with a message fit to show, for a person who may
not do it, and ``ValidationError`` (per field where there is one) for bad input."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.functional import lazy
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Profile, Role
from accounts.selectors import public_name
from core.db import new_random_token
from core.moments import language_of
from files.models import File
from files.services import file_delete, file_upload
from journeys.models import Journey, UserJourney
from journeys.selectors import can_manage_journey, email_receivers
from notifications.services import notification_send, notifications_send
from notifications.types import NotificationDraft


@dataclass(frozen=True)
class JoinResult:
    enrolment: UserJourney
    created: bool  # False: the person was already enrolled


def join_refusal(*, journey: Journey, user: Profile) -> str | None:
    """Why ``user`` may not join ``journey`` through its invite link, or None.
    Only students of the journey's own organization may."""
    if not user.is_active or user.organization_id is None:
        return gettext("Your account cannot join journeys yet.")
    if user.organization_id != journey.organization_id:
        return gettext(
            "This journey belongs to another academy: only its own students can join it."
        )
    if user.role != Role.USER:
        # Teachers and admins of the academy see its journeys without enrolling.
        return gettext("Teachers and admins do not join journeys: they see them all.")
    return None


def journey_join(*, journey: Journey, user: Profile) -> JoinResult:
    """Enrol ``user`` (a student of the journey's organization) in ``journey``.

    Idempotent: joining twice, or twice at once, leaves one enrolment and
    welcomes the person once. Anybody else is refused (``PermissionDenied``)
    with the reason from ``join_refusal``.
    """
    refusal = join_refusal(journey=journey, user=user)
    if refusal is not None:
        raise PermissionDenied(refusal)
    with transaction.atomic():
        existing = UserJourney.objects.filter(user=user, journey=journey).first()
        if existing is not None:
            return JoinResult(existing, created=False)
        try:
            # A savepoint: the unique constraint settles two joins at once.
            with transaction.atomic():
                enrolment = UserJourney.objects.create(user=user, journey=journey)
        except IntegrityError:
            return JoinResult(UserJourney.objects.get(user=user, journey=journey), created=False)
        notification_send(
            receiver=user,
            type="invite",
            message=_welcome_message(journey.name),
            link=reverse("missions:plan", args=[journey.pk]),
            payload={"journey_id": str(journey.pk)},
        )
    return JoinResult(enrolment, created=True)


def _welcome(journey_name: str) -> str:
    return gettext("Welcome to %(journey)s! Your missions are on the plan.") % {
        "journey": journey_name
    }


# Lazy: notification_send renders it in the receiver's language.
_welcome_message = lazy(_welcome, str)


def journey_invite_regenerate(*, journey: Journey, by: Profile) -> str:
    """Give ``journey`` a new invite token, so every link shared before stops
    working. Only its organization's teachers and admins may; returns the token."""
    if not can_manage_journey(by, journey):
        raise PermissionDenied(_("Only the journey's teachers can change its invite link."))
    with transaction.atomic():
        journey.invite_token = new_random_token()
        journey.save(update_fields=["invite_token", "updated_at"])
    return journey.invite_token


# --- managing journeys (teachers and admins of the organization) ---------------------------
#
# The views check access first (``journeys.access.managed_journey_for``); the
# services check again, so no other caller can skip it.

JOURNEY_NAME_MAX_LENGTH = 100
EMAIL_SUBJECT_MAX_LENGTH = 150
EMAIL_MESSAGE_MAX_LENGTH = 10_000
JOURNEY_COVER_PURPOSE = "journey_cover"


def _require_manager(by: Profile, journey: Journey) -> None:
    if not can_manage_journey(by, journey):
        raise PermissionDenied(_("Only the journey's teachers can do this."))


def _clean_journey_fields(
    *, name: str, date_start: dt.date | None, date_end: dt.date | None
) -> str:
    """The name to store; ``ValidationError`` (per field) for a missing name or
    date, a name too long, or an end before the start."""
    name = " ".join((name or "").split())
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = gettext("Give the journey a name.")
    elif len(name) > JOURNEY_NAME_MAX_LENGTH:
        errors["name"] = gettext("A journey name can have at most %(limit)d characters.") % {
            "limit": JOURNEY_NAME_MAX_LENGTH
        }
    if date_start is None:
        errors["date_start"] = gettext("Enter the start date.")
    if date_end is None:
        errors["date_end"] = gettext("Enter the end date.")
    elif date_start is not None and date_end < date_start:
        errors["date_end"] = gettext("The end date cannot be before the start date.")
    if errors:
        raise ValidationError(errors)
    return name


def _store_cover(*, by: Profile, cover: UploadedFile | None) -> File | None:
    # Before the transaction: file_upload talks to the storage and must not hold
    # a transaction open. A refused image raises FileRejected, nothing changes.
    if cover is None:
        return None
    return file_upload(uploader=by, uploaded_file=cover, purpose=JOURNEY_COVER_PURPOSE).file


def _retire_cover(file: File | None, *, by: Profile) -> None:
    """Soft-delete a cover that is no longer used. A cover another teacher
    uploaded may only be deleted by them or an admin (files.services): then it
    simply stays, unused, which harms nobody."""
    if file is None:
        return
    with contextlib.suppress(PermissionDenied):
        file_delete(file=file, by=by)


def journey_create(
    *,
    by: Profile,
    name: str,
    date_start: dt.date | None,
    date_end: dt.date | None,
    cover: UploadedFile | None = None,
) -> Journey:
    """Create a journey in ``by``'s own organization (never another one: there
    is nothing to choose). ``cover`` is stored through the files service."""
    if not (by.is_active and by.is_teacher and by.organization_id is not None):
        raise PermissionDenied(_("Only teachers and admins of an academy can create journeys."))
    name = _clean_journey_fields(name=name, date_start=date_start, date_end=date_end)
    cover_file = _store_cover(by=by, cover=cover)
    with transaction.atomic():
        return Journey.objects.create(
            organization_id=by.organization_id,
            name=name,
            date_start=date_start,
            date_end=date_end,
            image_file=cover_file,
        )


def journey_update(
    *,
    journey: Journey,
    by: Profile,
    name: str,
    date_start: dt.date | None,
    date_end: dt.date | None,
    cover: UploadedFile | None = None,
    remove_cover: bool = False,
) -> Journey:
    """Change a journey's name and dates; replace its cover with ``cover`` or
    take it away (``remove_cover``). The cover it had is soft-deleted."""
    _require_manager(by, journey)
    name = _clean_journey_fields(name=name, date_start=date_start, date_end=date_end)
    new_cover = _store_cover(by=by, cover=cover)
    with transaction.atomic():
        locked = (
            Journey.objects.select_for_update(of=("self",))
            .select_related("image_file")
            .get(pk=journey.pk)
        )
        locked.name, locked.date_start, locked.date_end = name, date_start, date_end
        fields = ["name", "date_start", "date_end", "updated_at"]
        if new_cover is not None or remove_cover:
            old_cover = locked.image_file
            locked.image_file = new_cover
            # The legacy address would show through again once the file is gone.
            locked.image_url = None
            fields += ["image_file", "image_url"]
            _retire_cover(old_cover, by=by)
        locked.save(update_fields=fields)
    return locked


def journey_delete(*, journey: Journey, by: Profile) -> None:
    """Delete ``journey`` with everything in it: weeks, scheduled missions,
    posts with their comments and likes, points, teams and enrolments
    (``selectors.journey_delete_summary`` counts them for the confirmation).
    Mission templates stay in the library."""
    _require_manager(by, journey)
    with transaction.atomic():
        locked = Journey.objects.select_for_update().filter(pk=journey.pk).first()
        if locked is None:
            return  # deleted meanwhile (a double click): the outcome is the same
        locked.delete()


# --- members ---------------------------------------------------------------------------------


def _added(journey_name: str) -> str:
    return gettext("You were added to %(journey)s.") % {"journey": journey_name}


# Lazy: notification_send renders it in the receiver's language.
_added_message = lazy(_added, str)


def journey_members_add(
    *, journey: Journey, by: Profile, people: Iterable[Profile]
) -> list[UserJourney]:
    """Enrol ``people`` (active people of the journey's organization) in
    ``journey`` and tell each "You were added to …" with a link to the plan.
    People already enrolled are skipped. If one of them may not be added
    (another organization, a closed account), nobody is (``ValidationError``).
    Returns the enrolments made."""
    _require_manager(by, journey)
    people = list({person.pk: person for person in people}.values())
    if not people:
        raise ValidationError(gettext("Choose at least one person to add."))
    if any(not _may_be_enrolled(person, journey) for person in people):
        raise ValidationError(
            gettext("Only active people of this journey's academy can be added to it.")
        )
    added: list[UserJourney] = []
    with transaction.atomic():
        for person in people:
            try:
                # A savepoint each: someone joining through the invite link at
                # this moment makes the unique constraint refuse that one row only.
                with transaction.atomic():
                    enrolment = UserJourney.objects.create(
                        user=person, journey=journey, role_in_journey=person.role
                    )
            except IntegrityError:
                continue
            added.append(enrolment)
        welcome = NotificationDraft(
            type="invite",
            message=_added_message(journey.name),
            link=reverse("missions:plan", args=[journey.pk]),
            payload={"journey_id": str(journey.pk)},
        )
        notifications_send(drafts=[(row.user, welcome) for row in added], actor=by)
    return added


def _may_be_enrolled(person: Profile, journey: Journey) -> bool:
    return (
        person.is_active
        and person.deleted_at is None
        and person.organization_id == journey.organization_id
    )


@functools.cache
def _member_removed_handlers() -> tuple[Callable[..., None], ...]:
    return tuple(import_string(path) for path in settings.JOURNEY_MEMBER_REMOVED_HANDLERS)


def journey_member_remove(*, journey: Journey, by: Profile, user: Profile) -> None:
    """Take ``user`` out of ``journey`` and out of its teams (the lead passes on
    as when they leave). Their posts, comments and points stay.

    Teams sit above journeys, so their part is done by the handlers named in
    ``settings.JOURNEY_MEMBER_REMOVED_HANDLERS``, inside this transaction."""
    _require_manager(by, journey)
    with transaction.atomic():
        # The enrolment first, as the team services lock it: no deadlock with a
        # student joining or leaving a team at the same moment.
        enrolment = (
            UserJourney.objects.select_for_update().filter(journey=journey, user=user).first()
        )
        if enrolment is None:
            raise ValidationError(gettext("This person is not a member of the journey."))
        for handler in _member_removed_handlers():
            handler(journey=journey, user=user)
        enrolment.delete()


def journey_members_email(*, journey: Journey, by: Profile, subject: str, message: str) -> int:
    """E-mail ``message`` (plain text) to every enrolled member with an active
    account, one e-mail each, through Django's mail API (the configured backend
    writes them into ``email_queue``). Replies go to ``by``. The sender is not
    mailed their own message. Returns how many e-mails were queued."""
    _require_manager(by, journey)
    subject = " ".join((subject or "").split())  # a subject is one line
    message = (message or "").strip()
    errors: dict[str, str] = {}
    if not subject:
        errors["subject"] = gettext("Write a subject.")
    elif len(subject) > EMAIL_SUBJECT_MAX_LENGTH:
        errors["subject"] = gettext("A subject can have at most %(limit)d characters.") % {
            "limit": EMAIL_SUBJECT_MAX_LENGTH
        }
    if not message:
        errors["message"] = gettext("Write a message.")
    elif len(message) > EMAIL_MESSAGE_MAX_LENGTH:
        errors["message"] = gettext("A message can have at most %(limit)d characters.") % {
            "limit": EMAIL_MESSAGE_MAX_LENGTH
        }
    if errors:
        raise ValidationError(errors)

    receivers = list(email_receivers(journey, sender=by))
    if not receivers:
        raise ValidationError(gettext("Nobody to e-mail: the journey has no other members yet."))
    full_subject = f"[{journey.name}] {subject}"
    bodies: dict[str, str] = {}  # one rendering per language, not per person
    mails = []
    for person in receivers:
        language = language_of(person)
        if language not in bodies:
            bodies[language] = message + "\n\n-- \n" + _email_footer(journey, by, language)
        mails.append(
            EmailMessage(
                subject=full_subject,
                body=bodies[language],
                to=[person.mailbox],
                reply_to=[by.email],
            )
        )
    with transaction.atomic():
        return get_connection().send_messages(mails)


def _email_footer(journey: Journey, by: Profile, language: str) -> str:
    with translation.override(language):
        return gettext(
            "%(sender)s wrote this to the members of %(journey)s on Sqeeze. "
            "Reply to this e-mail to answer them."
        ) % {"sender": public_name(by), "journey": journey.name}
