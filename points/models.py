"""Points rows: one per profile (or team) and mission instance."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.db import created_at_field, updated_at_field, uuid_pk


class UserPoint(models.Model):
    id = uuid_pk()
    profile = models.ForeignKey(
        "accounts.Profile",
        on_delete=models.CASCADE,
        related_name="points",
        verbose_name=_("student"),
    )
    mission_instance = models.ForeignKey(
        "missions.JourneyMissionInstance",
        on_delete=models.CASCADE,
        related_name="user_points",
        verbose_name=_("mission"),
    )
    # A post deleted by a teacher revokes its points.
    post = models.ForeignKey(
        "community.Post",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="user_points",
        verbose_name=_("post"),
    )
    total_points = models.IntegerField(_("points"), null=True, blank=True, default=0, db_default=0)
    created_at = created_at_field()
    updated_at = updated_at_field()

    class Meta:
        db_table = "user_points"
        verbose_name = _("student points")
        verbose_name_plural = _("student points")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "mission_instance"], name="user_points_one_per_instance"
            ),
        ]
        indexes = [
            # Leaderboard: sum per profile over a journey's instances, index-only.
            models.Index(
                fields=["mission_instance", "profile"],
                include=["total_points"],
                name="user_points_leaderboard_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile}: {self.total_points}"


class TeamPoint(models.Model):
    id = uuid_pk()
    team = models.ForeignKey(
        "teams.Team", on_delete=models.CASCADE, related_name="points", verbose_name=_("team")
    )
    mission_instance = models.ForeignKey(
        "missions.JourneyMissionInstance",
        on_delete=models.CASCADE,
        related_name="team_points",
        verbose_name=_("mission"),
    )
    post = models.ForeignKey(
        "community.Post",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="team_point_rows",
        verbose_name=_("post"),
    )
    total_points = models.IntegerField(_("points"), null=True, blank=True, default=0, db_default=0)
    created_at = created_at_field()
    updated_at = updated_at_field()

    class Meta:
        db_table = "team_points"
        verbose_name = _("team points")
        verbose_name_plural = _("team points")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "mission_instance"], name="team_points_one_per_instance"
            ),
        ]
        indexes = [
            models.Index(
                fields=["mission_instance", "team"],
                include=["total_points"],
                name="team_points_leaderboard_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.total_points}"
