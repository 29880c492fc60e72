"""Writes of the journeys app: joining through an invite link, and replacing
that link. Each service is one transaction and raises ``PermissionDenied``,
with a message fit to show, for a person who may not do it."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Profile, Role
from journeys.models import Journey, UserJourney
from journeys.selectors import can_manage_journey
from notifications.services import notification_send
from sqeeze.db import new_random_token


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
            link=reverse("journeys:plan", args=[journey.pk]),
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
