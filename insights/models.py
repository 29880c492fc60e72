"""Saved insight reports: a teacher's named view of a journey's class
insights (which answers: a week, a mission, a question) and the word groups it
charts, each a name, a colour and the words it adds up (the original app's
"custom word groups" and "saved reports"). The counts themselves are not
stored: the worker's count in the cache is read through them
(insights/counting.py), so a report is always as fresh as the answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.db import TextLineField, created_at_field, updated_at_field, uuid_pk

# A colour as the chart draws it: "#rrggbb" in lower case (an SVG fill
# attribute, never a style; checked by the database too).
COLOUR_PATTERN = r"^#[0-9a-f]{6}$"


class InsightReport(models.Model):
    """A named report of a journey's insights, shared by its teachers. Its
    week, mission and question narrow the answers it reads; each is cleared
    (the report widens) rather than the report lost when its target goes."""

    id = uuid_pk()
    journey = models.ForeignKey(
        "journeys.Journey",
        on_delete=models.CASCADE,
        related_name="insight_reports",
        verbose_name=_("journey"),
    )
    name = TextLineField(_("name"))
    week = models.ForeignKey(
        "journeys.JourneyWeek",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("week"),
    )
    mission_instance = models.ForeignKey(
        "missions.JourneyMissionInstance",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mission"),
    )
    question = models.ForeignKey(
        "missions.MissionQuestion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("question"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = created_at_field()
    updated_at = updated_at_field()

    class Meta:
        db_table = "insight_reports"
        verbose_name = _("insight report")
        verbose_name_plural = _("insight reports")
        ordering = ["journey", "name"]
        constraints = [
            models.UniqueConstraint(
                "journey", Lower("name"), name="insight_reports_one_name_per_journey"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class InsightWordGroup(models.Model):
    """One group of a report: its words' counts added up, drawn in its colour."""

    id = uuid_pk()
    report = models.ForeignKey(
        InsightReport,
        on_delete=models.CASCADE,
        related_name="groups",
        verbose_name=_("report"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = TextLineField(_("name"))
    colour = TextLineField(_("colour"))
    # ["기쁘다", "행복", "happy"]: words as the count writes them (insights/words.py).
    words = models.JSONField(_("words"), default=list)
    created_at = created_at_field()
    updated_at = updated_at_field()

    class Meta:
        db_table = "insight_word_groups"
        verbose_name = _("word group")
        verbose_name_plural = _("word groups")
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "position"], name="insight_word_groups_one_per_position"
            ),
            models.CheckConstraint(
                condition=Q(colour__regex=COLOUR_PATTERN), name="insight_word_groups_colour_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.name
