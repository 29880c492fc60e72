"""Reads about scheduled missions, seen by one student."""

from __future__ import annotations

from django.db.models import Case, OuterRef, Q, QuerySet, Subquery, TextChoices, Value, When
from django.utils.translation import gettext_lazy as _

from community.models import AchievementStatus, Post
from missions.models import JourneyMissionInstance
from teams.models import TeamMember


class Progress(TextChoices):
    """A student's progress on one instance, from their (or their team's) post
    (DESIGN.md: none → not started, pending → submitted, …)."""

    NOT_STARTED = "not_started", _("Not started")
    SUBMITTED = "submitted", _("Submitted")
    ACHIEVED = "achieved", _("Achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")


def my_team_id(*, profile, journey_id) -> object | None:
    """The id of ``profile``'s team in the journey, or None (one team per journey)."""
    return (
        TeamMember.objects.filter(user=profile, team__journey_id=journey_id)
        .values_list("team_id", flat=True)
        .first()
    )


def own_posts_q(*, profile, team_id) -> Q:
    """Posts that count as mine: my individual submissions, and my team's
    submissions for team missions (whoever of the team submitted them)."""
    mine = Q(user=profile) & (Q(is_team_submission=False) | Q(is_team_submission__isnull=True))
    if team_id is None:
        return mine
    return mine | Q(team_id=team_id, is_team_submission=True)


def instances_with_progress(*, journey, profile, team_id=None) -> QuerySet[JourneyMissionInstance]:
    """The journey's instances in plan order, each annotated with ``my_post_id``,
    ``my_post_status`` (achievement status or None) and ``my_progress``
    (a ``Progress`` value). Two queries whatever the number of instances: pass
    ``team_id`` (from ``my_team_id``) to make it one."""
    if team_id is None:
        team_id = my_team_id(profile=profile, journey_id=journey.pk)
    own = (
        Post.objects.filter(mission_instance=OuterRef("pk"))
        .filter(own_posts_q(profile=profile, team_id=team_id))
        .order_by("-created_at")
    )
    return (
        JourneyMissionInstance.objects.filter(journey=journey)
        .select_related("mission", "journey_week")
        .annotate(
            my_post_id=Subquery(own.values("id")[:1]),
            my_post_status=Subquery(own.values("achievement_status")[:1]),
        )
        .annotate(
            my_progress=Case(
                When(my_post_id__isnull=True, then=Value(Progress.NOT_STARTED)),
                When(my_post_status=AchievementStatus.ACHIEVED, then=Value(Progress.ACHIEVED)),
                When(
                    my_post_status=AchievementStatus.NOT_ACHIEVED,
                    then=Value(Progress.NOT_ACHIEVED),
                ),
                default=Value(Progress.SUBMITTED),
            )
        )
        .order_by("journey_week__week_number", "release_date", "id")
    )
