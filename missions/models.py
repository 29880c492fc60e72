"""Mission templates and their scheduled instances in journey weeks."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.db import (
    PostgresEnumField,
    TextLineField,
    created_at_field,
    updated_at_field,
    uuid_pk,
)


class AchievementStatus(models.TextChoices):
    """How a submission of a mission was graded (the seed's ``posts.achievement_status``,
    a column of community's posts): defined with the missions, whose progress it
    is, so missions and everything above them can name it."""

    PENDING = "pending", _("Waiting for grading")
    ACHIEVED = "achieved", _("Achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")


class MissionType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    TEAM = "team", _("Team")


class MissionStatus(models.TextChoices):
    """The seed's ``mission_status`` enum. An instance uses the lifecycle values
    (not started → in progress → completed); a student's own progress comes from
    their post (DESIGN.md)."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")


class Mission(models.Model):
    """A reusable assignment template of an organization."""

    id = uuid_pk()
    name = TextLineField(_("name"))
    mission_type = TextLineField(_("type"), null=True, blank=True, choices=MissionType.choices)
    points = models.IntegerField(_("points"), null=True, blank=True, default=0, db_default=0)
    description = models.TextField(_("description (Markdown)"), null=True, blank=True)
    created_at = created_at_field()
    updated_at = updated_at_field()
    # Addition to the seed: tenant scoping (see the migration).
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="missions",
        verbose_name=_("organization"),
    )

    class Meta:
        db_table = "missions"
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gte=0),
                name="missions_points_not_negative",
                violation_error_message=_("Points cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MissionInstanceQuerySet(models.QuerySet):
    def open_at(self, moment: dt.datetime) -> MissionInstanceQuerySet:
        """Instances accepting submissions at ``moment``: release ≤ moment < expiry."""
        return self.filter(release_date__lte=moment, expiry_date__gt=moment)


class JourneyMissionInstance(models.Model):
    """A mission scheduled into a journey week, open from release to expiry."""

    id = uuid_pk()
    journey_week = models.ForeignKey(
        "journeys.JourneyWeek",
        on_delete=models.CASCADE,
        related_name="mission_instances",
        verbose_name=_("week"),
    )
    mission = models.ForeignKey(
        Mission,
        on_delete=models.RESTRICT,
        related_name="instances",
        verbose_name=_("mission"),
    )
    release_date = models.DateTimeField(_("opens at"), null=True, blank=True)
    expiry_date = models.DateTimeField(_("closes at"), null=True, blank=True)
    status = PostgresEnumField(
        _("status"),
        enum_name="mission_status",
        choices=MissionStatus.choices,
        null=True,
        blank=True,
        default=MissionStatus.NOT_STARTED,
        db_default=MissionStatus.NOT_STARTED,
    )
    # The seed has the column without a foreign key; we add one (see the migration).
    journey = models.ForeignKey(
        "journeys.Journey",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mission_instances",
        verbose_name=_("journey"),
    )
    created_at = created_at_field()
    updated_at = updated_at_field()

    objects = MissionInstanceQuerySet.as_manager()

    class Meta:
        db_table = "journey_mission_instances"
        verbose_name = _("scheduled mission")
        verbose_name_plural = _("scheduled missions")
        ordering = ["release_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expiry_date__gt=F("release_date")),
                name="mission_instances_release_before_expiry",
                violation_error_message=_("A mission must open before it closes."),
            ),
        ]
        indexes = [
            # The plan tab and the status beat task read instances by time.
            models.Index(fields=["journey", "release_date"], name="mission_inst_journey_rel_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.mission} ({self.journey_week})"

    def is_open(self, moment: dt.datetime | None = None) -> bool:
        """Does it accept submissions now (release ≤ now < expiry)? An instance
        without both dates never does: the teacher has not scheduled it yet."""
        moment = moment or timezone.now()
        if self.release_date is None or self.expiry_date is None:
            return False
        return self.release_date <= moment < self.expiry_date

    def has_opened(self, moment: dt.datetime | None = None) -> bool:
        moment = moment or timezone.now()
        return self.release_date is not None and self.release_date <= moment

    def has_closed(self, moment: dt.datetime | None = None) -> bool:
        moment = moment or timezone.now()
        return self.expiry_date is not None and self.expiry_date <= moment

    @property
    def is_team_mission(self) -> bool:
        return self.mission.mission_type == MissionType.TEAM


class NoticeKind(models.TextChoices):
    RELEASED = "released", _("Mission opened")
    DEADLINE = "deadline", _("Deadline reminder")


class MissionNotice(models.Model):
    """A notice about a mission instance that one person must get only once
    (the "mission opened" note, the 24-hour reminder). Not in the seed: the
    unique row is what makes the beat task safe to run twice or concurrently."""

    id = uuid_pk()
    mission_instance = models.ForeignKey(
        JourneyMissionInstance,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("mission"),
    )
    profile = models.ForeignKey(
        "accounts.Profile",
        on_delete=models.CASCADE,
        related_name="mission_notices",
        verbose_name=_("receiver"),
    )
    kind = TextLineField(_("kind"), choices=NoticeKind.choices)
    created_at = created_at_field()

    class Meta:
        db_table = "mission_notices"
        verbose_name = _("mission notice")
        verbose_name_plural = _("mission notices")
        constraints = [
            models.UniqueConstraint(
                fields=["mission_instance", "profile", "kind"], name="mission_notices_once"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=NoticeKind.values), name="mission_notices_kind_check"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.mission_instance} → {self.profile}"


class MissionReminder(models.Model):
    """A teacher's "remind" for one student and mission instance. Not in the
    seed: one row per day at most (the unique key) keeps a teacher's repeated
    clicks from flooding a student."""

    id = uuid_pk()
    mission_instance = models.ForeignKey(
        JourneyMissionInstance,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("mission"),
    )
    profile = models.ForeignKey(
        "accounts.Profile",
        on_delete=models.CASCADE,
        related_name="mission_reminders",
        verbose_name=_("student"),
    )
    sent_by = models.ForeignKey(
        "accounts.Profile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    # The day in the academy's zone (Asia/Seoul by default), set by the service.
    sent_on = models.DateField(_("day"))
    created_at = created_at_field()

    class Meta:
        db_table = "mission_reminders"
        verbose_name = _("mission reminder")
        verbose_name_plural = _("mission reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["mission_instance", "profile", "sent_on"],
                name="mission_reminders_once_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mission_instance} → {self.profile} ({self.sent_on})"


class QuestionKind(models.TextChoices):
    """What a question asks for (the original's later ``mission_questions.type``)."""

    ESSAY = "essay", _("Essay")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    IMAGE_UPLOAD = "image_upload", _("Image upload")
    MIXED = "mixed", _("Text and images")


# Kinds whose answer holds text, and kinds whose answer holds images.
TEXT_KINDS = (QuestionKind.ESSAY, QuestionKind.MIXED)
IMAGE_KINDS = (QuestionKind.IMAGE_UPLOAD, QuestionKind.MIXED)


class MissionQuestion(models.Model):
    """One question of a mission, in order (missions/questions.py composes
    them). A mission with questions is answered question by question, and its
    points are the sum of its questions' points; one without keeps the single
    free-text form. Per kind: character limits and a placeholder (essay,
    mixed), options with the correct ones and single or multiple select
    (multiple choice), how many images (image upload, mixed)."""

    id = uuid_pk()
    mission = models.ForeignKey(
        Mission,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("mission"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = TextLineField(_("type"), choices=QuestionKind.choices)
    text = models.TextField(_("question"))
    points = models.PositiveSmallIntegerField(_("points"), default=0)
    required = models.BooleanField(_("required"), default=True)
    placeholder = TextLineField(_("placeholder"), blank=True, default="")
    min_chars = models.PositiveIntegerField(_("minimum characters"), null=True, blank=True)
    max_chars = models.PositiveIntegerField(_("maximum characters"), null=True, blank=True)
    # [{"text": "…", "correct": true}, …] in the order shown.
    options = models.JSONField(_("options"), default=list, blank=True)
    multiple_select = models.BooleanField(_("several answers may be chosen"), default=False)
    max_images = models.PositiveSmallIntegerField(_("number of images"), null=True, blank=True)
    created_at = created_at_field()
    updated_at = updated_at_field()

    class Meta:
        db_table = "mission_questions"
        verbose_name = _("mission question")
        verbose_name_plural = _("mission questions")
        ordering = ["mission", "position"]
        constraints = [
            # Deferred: reordering swaps two positions inside one transaction.
            models.UniqueConstraint(
                fields=["mission", "position"],
                name="mission_questions_one_per_position",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values),
                name="mission_questions_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(min_chars__isnull=True)
                | Q(max_chars__isnull=True)
                | Q(min_chars__lte=F("max_chars")),
                name="mission_questions_char_limits_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text[:40]}"

    @property
    def asks_text(self) -> bool:
        return self.kind in TEXT_KINDS

    @property
    def asks_images(self) -> bool:
        return self.kind in IMAGE_KINDS

    @property
    def correct_options(self) -> list[int]:
        """Indexes of the correct options (multiple choice)."""
        return [index for index, option in enumerate(self.options) if option.get("correct")]
