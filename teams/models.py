"""Teams inside a journey and their members."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.db import TextLineField, created_at_field, updated_at_field, uuid_pk


class Team(models.Model):
    id = uuid_pk()
    journey = models.ForeignKey(
        "journeys.Journey",
        on_delete=models.CASCADE,
        related_name="teams",
        verbose_name=_("journey"),
    )
    name = TextLineField(_("name"))
    description = models.TextField(_("description"), null=True, blank=True)
    created_at = created_at_field()
    updated_at = updated_at_field()

    class Meta:
        db_table = "teams"
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["journey", "name"]
        constraints = [
            models.UniqueConstraint(fields=["journey", "name"], name="teams_name_uniq_in_journey"),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    id = uuid_pk()
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="members", verbose_name=_("team")
    )
    user = models.ForeignKey(
        "accounts.Profile",
        on_delete=models.CASCADE,
        related_name="team_memberships",
        verbose_name=_("user"),
    )
    is_leader = models.BooleanField(
        _("leader"), null=True, blank=True, default=False, db_default=False
    )
    joined_at = created_at_field()
    created_at = created_at_field()
    updated_at = updated_at_field()

    class Meta:
        db_table = "team_members"
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["team", "-is_leader", "joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="team_members_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.team}"
