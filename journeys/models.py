"""Journeys (cohort courses, "클라스"), their weeks and enrolments."""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.db import (
    RandomToken,
    TextLineField,
    created_at_field,
    new_random_token,
    updated_at_field,
    uuid_pk,
)
from files.links import display_url


class JourneyQuerySet(models.QuerySet):
    def visible_to(self, user) -> JourneyQuerySet:
        """Students see the journeys they are enrolled in; teachers and admins
        see their organization's. Anyone else sees nothing."""
        return self.visible_to_audience(**audience_arguments(user))

    def visible_to_audience(self, audience: str, *, user_id, organization_id) -> JourneyQuerySet:
        """``visible_to`` from what it needs of the person (``journey_audience``
        and two ids), so a compiled statement can bind the ids."""
        if audience == NOBODY:
            return self.none()
        if audience == EVERY_JOURNEY:
            return self
        if audience == ORGANIZATION:
            return self.filter(organization_id=organization_id)
        # EXISTS rather than a join: a join on memberships would also narrow
        # any later Count("memberships") to this one student.
        enrolled = UserJourney.objects.filter(journey_id=OuterRef("pk"), user_id=user_id)
        return self.filter(Exists(enrolled), organization_id=organization_id)


# Which journeys a person sees (JourneyQuerySet.visible_to_audience).
NOBODY, EVERY_JOURNEY, ORGANIZATION, ENROLLED = "nobody", "every", "organization", "enrolled"


def journey_audience(user) -> str:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    if user.is_superuser:
        return EVERY_JOURNEY
    if user.role in (Role.TEACHER, Role.ADMIN):
        return ORGANIZATION
    return ENROLLED


def audience_arguments(user) -> dict:
    """``visible_to_audience``'s arguments for ``user``: the audience and the
    ids its rule compares, None where it compares none (a compiled statement,
    core.statements, binds only those)."""
    audience = journey_audience(user)
    return {
        "audience": audience,
        "user_id": user.pk if audience == ENROLLED else None,
        "organization_id": user.organization_id if audience in (ORGANIZATION, ENROLLED) else None,
    }


class Journey(models.Model):
    id = uuid_pk()
    name = TextLineField(_("name"))
    date_start = models.DateField(_("start date"), null=True, blank=True)
    date_end = models.DateField(_("end date"), null=True, blank=True)
    image_url = models.TextField(_("cover image URL (legacy)"), null=True, blank=True)
    image_file = models.ForeignKey(
        "files.File",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cover image"),
    )
    created_at = created_at_field()
    updated_at = updated_at_field()
    # Addition to the seed: tenant scoping (see the migration).
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="journeys",
        verbose_name=_("organization"),
    )
    # Addition to the seed: the secret of the journey's invite link (see the
    # migration). Regenerating it invalidates every link shared before.
    invite_token = models.TextField(
        _("invite token"),
        unique=True,
        default=new_random_token,
        db_default=RandomToken(),
        editable=False,
    )

    objects = JourneyQuerySet.as_manager()

    class Meta:
        db_table = "journeys"
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")
        ordering = ["-date_start", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_end__gte=F("date_start")),
                name="journeys_dates_in_order",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def cover_url(self) -> str | None:
        """The cover image's address: the stored file, else the legacy ``image_url``
        (http(s) or a site path only). Lists: ``select_related("image_file")``."""
        return display_url(self.image_file, self.image_url)


class UserJourney(models.Model):
    """Enrolment of a person in a journey."""

    id = uuid_pk()
    user = models.ForeignKey(
        "accounts.Profile",
        on_delete=models.CASCADE,
        related_name="journey_memberships",
        verbose_name=_("user"),
    )
    journey = models.ForeignKey(
        Journey, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("journey")
    )
    role_in_journey = TextLineField(
        _("role in journey"), null=True, blank=True, default="user", db_default="user"
    )
    joined_at = created_at_field()
    created_at = created_at_field()
    updated_at = updated_at_field()

    class Meta:
        db_table = "user_journeys"
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "journey"], name="user_journeys_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.journey}"


class JourneyWeek(models.Model):
    id = uuid_pk()
    journey = models.ForeignKey(
        Journey, on_delete=models.CASCADE, related_name="weeks", verbose_name=_("journey")
    )
    name = TextLineField(_("name"))
    week_number = models.IntegerField(_("week number"), null=True, blank=True)
    created_at = created_at_field()
    updated_at = updated_at_field()

    class Meta:
        db_table = "journey_weeks"
        verbose_name = _("journey week")
        verbose_name_plural = _("journey weeks")
        ordering = ["journey", "week_number"]
        constraints = [
            # Deferred, so reordering weeks can swap two numbers in one transaction.
            models.UniqueConstraint(
                fields=["journey", "week_number"],
                name="journey_weeks_number_uniq",
                deferrable=models.Deferrable.DEFERRED,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.journey} · {self.name}"


class ClassVersion(models.Model):
    """A number PostgreSQL raises whenever something a class-wide read depends
    on changes (enrolments, people's names and roles, teams, mission instances,
    posts, points, reminders: triggers, see the migrations named
    ``class_versions``). ``journeys.class_cache`` keeps such reads in the cache
    under the journey's current number, so a change, from whatever path (a
    service, Django admin, plain SQL, a cascade), makes them read again."""

    journey = models.OneToOneField(
        Journey,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="class_version",
        verbose_name=_("journey"),
    )
    version = models.BigIntegerField(_("version"), default=0, db_default=0)

    class Meta:
        db_table = "journey_class_versions"
        db_table_comment = "Raised by triggers when a journey's class-wide data changes"
        verbose_name = _("class version")
        verbose_name_plural = _("class versions")

    def __str__(self) -> str:
        return f"{self.journey_id}: {self.version}"
