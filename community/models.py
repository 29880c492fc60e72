"""Posts (mission submissions and feed entries), comments and likes."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sqeeze.db import TextLineField, created_at_field, updated_at_field, uuid_pk


class AchievementStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for grading")
    ACHIEVED = "achieved", _("Achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")


class Post(models.Model):
    id = uuid_pk()
    mission_instance = models.ForeignKey(
        "missions.JourneyMissionInstance",
        # RESTRICT: a scheduled mission with submissions cannot be detached,
        # but deleting the whole journey still removes both.
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("mission"),
    )
    user = models.ForeignKey(
        "accounts.Profile",
        # Accounts are anonymised, not deleted: posts stay with "deleted user".
        on_delete=models.PROTECT,
        related_name="posts",
        verbose_name=_("author"),
    )
    team = models.ForeignKey(
        "teams.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("team"),
    )
    title = TextLineField(_("title"))
    content = models.TextField(_("content"), null=True, blank=True)
    file_url = models.TextField(_("attachment URL (legacy)"), null=True, blank=True)
    score = models.IntegerField(_("score"), null=True, blank=True)
    view_count = models.IntegerField(_("views"), default=0, db_default=0)
    is_hidden = models.BooleanField(_("hidden"), default=False, db_default=False)
    is_team_submission = models.BooleanField(
        _("team submission"), null=True, blank=True, default=False, db_default=False
    )
    achievement_status = TextLineField(
        _("achievement"),
        null=True,
        blank=True,
        choices=AchievementStatus.choices,
        default=AchievementStatus.PENDING,
        db_default=AchievementStatus.PENDING,
    )
    team_points = models.IntegerField(
        _("team points"), null=True, blank=True, default=0, db_default=0
    )
    created_at = created_at_field()
    updated_at = updated_at_field()
    journey = models.ForeignKey(
        "journeys.Journey",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("journey"),
    )

    class Meta:
        db_table = "posts"
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(achievement_status__in=AchievementStatus.values),
                name="posts_achievement_status_check",
            ),
        ]
        indexes = [
            # Journey feed: newest visible posts first, keyset on (created_at, id).
            models.Index(
                "journey",
                models.F("created_at").desc(),
                models.F("id").desc(),
                condition=Q(is_hidden=False),
                name="posts_feed_idx",
            ),
            # Grading queue: pending submissions, oldest first.
            models.Index(
                fields=["created_at", "id"],
                condition=Q(achievement_status="pending"),
                name="posts_grading_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Comment(models.Model):
    id = uuid_pk()
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="comments", verbose_name=_("post")
    )
    user = models.ForeignKey(
        "accounts.Profile",
        on_delete=models.PROTECT,
        related_name="comments",
        verbose_name=_("author"),
    )
    content = models.TextField(_("content"))
    created_at = created_at_field()
    updated_at = updated_at_field()

    class Meta:
        db_table = "comments"
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.content[:60]


class Like(models.Model):
    id = uuid_pk()
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="likes", verbose_name=_("post")
    )
    user = models.ForeignKey(
        "accounts.Profile", on_delete=models.CASCADE, related_name="likes", verbose_name=_("user")
    )
    created_at = created_at_field()

    class Meta:
        db_table = "likes"
        verbose_name = _("like")
        verbose_name_plural = _("likes")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="likes_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ♥ {self.post}"


class PostAttachment(models.Model):
    """A file attached to a post. The seed keeps only ``posts.file_url``; this
    link lets the download view answer "may this person see this file?" through
    the post's journey, and lets a post carry several files."""

    id = uuid_pk()
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("post")
    )
    file = models.ForeignKey(
        "files.File",
        on_delete=models.CASCADE,
        related_name="post_attachments",
        verbose_name=_("file"),
    )
    created_at = created_at_field()

    class Meta:
        db_table = "post_attachments"
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["post", "file"], name="post_attachments_once"),
        ]

    def __str__(self) -> str:
        return f"{self.post} · {self.file}"
