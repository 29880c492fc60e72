"""Posts (mission submissions and feed entries), comments and likes."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Func, Q
from django.utils.translation import gettext_lazy as _

from core.db import TextLineField, created_at_field, updated_at_field, uuid_pk
from journeys.models import Journey, audience_arguments
from missions.models import AchievementStatus

__all__ = ["AchievementStatus", "Comment", "Like", "Post", "PostAttachment", "PostView"]


# The feed's full-text search: one expression for the index and the query, so
# PostgreSQL can use the index. 'simple' because titles mix Korean and English;
# queries use prefix terms, so "미션" finds "미션을".
class PostDocument(Func):
    """A post's words for the text search: ``sqeeze_post_document(title,
    content)`` (migration 0009), the "simple" configuration's tsvector of both.
    A function of ours rather than Django's SearchVector, whose COALESCE
    PostgreSQL treats as leaky: under Row Level Security a condition may use an
    index only if it is leakproof (core.rls.LEAKPROOF_FUNCTIONS)."""

    function = "sqeeze_post_document"
    output_field = SearchVectorField()


POST_SEARCH_VECTOR = PostDocument("title", "content")


class PostQuerySet(models.QuerySet):
    def visible_to(self, user) -> PostQuerySet:
        """Posts of the journeys ``user`` may see; hidden ones only for their
        author and the journey's teachers. Anything else reads as missing (404)."""
        return self.visible_to_audience(**post_audience_arguments(user))

    def visible_to_audience(
        self, audience: str, *, user_id, organization_id, sees_hidden: bool
    ) -> PostQuerySet:
        """``visible_to`` from what it needs of the person
        (``post_audience_arguments``), so a compiled statement can bind the ids."""
        journeys = Journey.objects.visible_to_audience(
            audience, user_id=user_id, organization_id=organization_id
        )
        posts = self.filter(journey__in=journeys)
        return posts if sees_hidden else posts.filter(Q(is_hidden=False) | Q(user_id=user_id))

    def of_open_journey(self, journey: Journey, user) -> PostQuerySet:
        """Posts of ``journey``, which ``user`` may open (the caller has it
        from ``journeys.access.journey_for``), that ``user`` may see: as
        ``visible_to``, without asking PostgreSQL again which journeys those
        are (a subquery in every statement of a post page)."""
        return self.in_open_journey(journey.pk, **hidden_post_arguments(user))

    def in_open_journey(self, journey_id, *, sees_hidden: bool, user_id) -> PostQuerySet:
        """``of_open_journey`` from ids (``hidden_post_arguments``), so a
        compiled statement can bind them."""
        posts = self.filter(journey_id=journey_id)
        return posts if sees_hidden else posts.filter(Q(is_hidden=False) | Q(user_id=user_id))


def hidden_post_arguments(user) -> dict:
    """Whether ``user`` sees hidden posts (the teachers do), and else their
    id: a student sees their own hidden posts."""
    sees_hidden = bool(user.is_authenticated and user.is_teacher)
    return {"sees_hidden": sees_hidden, "user_id": None if sees_hidden else user.pk}


def post_audience_arguments(user) -> dict:
    """``PostQuerySet.visible_to_audience``'s arguments for ``user``."""
    arguments = audience_arguments(user)
    hidden = hidden_post_arguments(user)
    arguments["sees_hidden"] = hidden["sees_hidden"]
    if not hidden["sees_hidden"]:
        arguments["user_id"] = hidden["user_id"]
    return arguments


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
    # Additions to the seed (migration 0004): who graded last and when (the
    # grading queue, regrades, the digest), and why a teacher hid the post.
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)
    graded_by = models.ForeignKey(
        "accounts.Profile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("graded by"),
    )
    hidden_reason = models.TextField(_("reason for hiding"), null=True, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        db_table = "posts"
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Journey feed: newest posts first, keyset on (created_at, id). Not
            # partial on is_hidden: a student's feed also shows their own hidden
            # posts (NOT is_hidden OR user_id = me) and a teacher's shows all,
            # which a partial index cannot answer; hidden posts are few, so the
            # scan filters them out on the way down the index.
            models.Index(
                "journey",
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="posts_journey_newest_idx",
            ),
            # Grading queue: a journey's submissions waiting for grading, oldest
            # first. Per journey, because the queue reads an academy's journeys
            # one by one (grading/selectors.py); feed posts, "pending" by
            # default, are left out.
            models.Index(
                fields=["journey", "created_at", "id"],
                condition=Q(achievement_status="pending", mission_instance__isnull=False),
                name="posts_grading_journey_idx",
            ),
            GinIndex(POST_SEARCH_VECTOR, name="posts_search_idx"),
            # "Most liked" sort and my posts on the home page.
            models.Index(fields=["user", "-created_at"], name="posts_author_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(achievement_status__in=AchievementStatus.values),
                name="posts_achievement_status_check",
            ),
            # One submission per student and mission instance...
            models.UniqueConstraint(
                fields=["mission_instance", "user"],
                condition=Q(mission_instance__isnull=False)
                & (Q(is_team_submission=False) | Q(is_team_submission__isnull=True)),
                name="posts_one_submission_per_student",
                violation_error_message=_("You have already submitted this mission."),
            ),
            # ...and one per team for a team mission, whoever of the team submits.
            models.UniqueConstraint(
                fields=["mission_instance", "team"],
                condition=Q(mission_instance__isnull=False, is_team_submission=True),
                name="posts_one_submission_per_team",
                violation_error_message=_("Your team has already submitted this mission."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_graded(self) -> bool:
        """Graded achieved or not achieved (not waiting any more)."""
        return self.achievement_status in (
            AchievementStatus.ACHIEVED,
            AchievementStatus.NOT_ACHIEVED,
        )

    @property
    def is_team_post(self) -> bool:
        """A team's submission, by one member for the whole team (its points,
        grade and notices go to the team). False for a team submission whose
        team was deleted since: there is no team left to credit or tell."""
        return bool(self.is_team_submission and self.team_id)


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


class PostView(models.Model):
    """One viewer's visit to a post on one day (Asia/Seoul calendar day of the
    viewer): ``posts.view_count`` grows only when a row is new, so reloading
    does not inflate it."""

    id = uuid_pk()
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="views", verbose_name=_("post")
    )
    viewer = models.ForeignKey(
        "accounts.Profile",
        on_delete=models.CASCADE,
        related_name="post_views",
        verbose_name=_("viewer"),
    )
    viewed_on = models.DateField(_("day"))
    created_at = created_at_field()

    class Meta:
        db_table = "post_views"
        verbose_name = _("post view")
        verbose_name_plural = _("post views")
        constraints = [
            models.UniqueConstraint(
                fields=["post", "viewer", "viewed_on"], name="post_views_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.viewer} · {self.post} · {self.viewed_on}"


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
    # An image given as the answer to one question (a mission of questions);
    # None for the post's own attachments.
    answer = models.ForeignKey(
        "PostAnswer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="images",
        verbose_name=_("answer"),
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


class PostAnswer(models.Model):
    """A post's answer to one question of its mission (community/answers.py
    checks and scores it): the text (essay, mixed), the chosen options'
    positions (multiple choice), its images (``images``: the post's
    attachments given for it). A choice question is scored when the answer is
    saved: ``is_correct`` and ``auto_points`` (the question's points or 0);
    open questions keep both empty for the teacher to grade."""

    id = uuid_pk()
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="answers", verbose_name=_("post")
    )
    # PROTECT: a question with answers is never deleted (missions/questions.py
    # refuses it once the mission has submissions; the database agrees).
    question = models.ForeignKey(
        "missions.MissionQuestion",
        on_delete=models.PROTECT,
        related_name="answers",
        verbose_name=_("question"),
    )
    text = models.TextField(_("answer"), blank=True, default="")
    choices = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("chosen options"),
        default=list,
        blank=True,
    )
    is_correct = models.BooleanField(_("correct"), null=True, blank=True)
    auto_points = models.PositiveSmallIntegerField(_("points scored"), null=True, blank=True)
    created_at = created_at_field()
    updated_at = updated_at_field()

    class Meta:
        db_table = "post_answers"
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["post", "question"], name="post_answers_once"),
        ]

    def __str__(self) -> str:
        return f"{self.post} · {self.question}"
