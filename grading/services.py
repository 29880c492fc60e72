"""Writes of the grading dashboard: grading a submission (alone or in bulk),
hiding, showing again and deleting a post, with the points and notifications
each one brings.

Every service is one transaction that starts by locking the post
(``SELECT … FOR UPDATE``): two teachers grading the same post at the same
moment are served one after the other, and the second one sees the first's
grade (its change counts as a regrade). Points go through
``points.services`` in the same transaction, so a grade and its points commit
or roll back together.

Only teachers and admins of the post's academy may call these
(``PermissionDenied`` otherwise); views answer 404 before that. A refused
input raises ``GradingError`` with a message fit to show, and nothing changes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _

from accounts.models import Profile
from community.models import AchievementStatus, Comment, Post
from community.notices import post_link
from community.services import COMMENT_MAX_LENGTH, InvalidInput, comment_create
from core.errors import ServiceError
from core.moments import format_moment
from files.services import file_delete
from notifications.services import notification_send, notifications_send
from notifications.types import NotificationDraft
from points.services import points_award, points_revoke
from teams.models import TeamMember

HIDDEN_REASON_MAX_LENGTH = 500
GRADES = (AchievementStatus.ACHIEVED, AchievementStatus.NOT_ACHIEVED)


class GradingError(ServiceError):
    """A refused grading or moderation; ``message`` says why."""


# --- who may, and what a post is worth ---------------------------------------


def may_grade(profile: Profile, post: Post) -> bool:
    """A teacher or admin of the academy the post's journey belongs to."""
    return bool(
        profile.is_authenticated
        and profile.is_teacher
        and post.journey_id is not None
        and post.journey.organization_id == profile.organization_id
    )


def _check_grader(profile: Profile, post: Post) -> None:
    if not may_grade(profile, post):
        raise PermissionDenied(_("Only the teachers of this journey's academy can do this."))


def mission_points(post: Post) -> int:
    """The most a submission can score: its mission's points (0 when unset)."""
    return (post.mission_instance.mission.points or 0) if post.mission_instance else 0


def _locked(post_id: uuid.UUID) -> Post:
    return (
        Post.objects.select_for_update(of=("self",))
        .select_related("journey", "team", "user", "mission_instance__mission")
        .get(pk=post_id)
    )


# --- messages to the student -------------------------------------------------


def _lazily(build: Callable[[], str]) -> Promise:
    """A message built when it is rendered: ``notification_send`` renders it in
    the receiver's language, so every ``gettext`` inside ``build`` runs then."""
    return lazy(build, str)()


def _grade_sentence(post: Post, *, now: dt.datetime, receiver: Profile) -> str:
    mission = post.mission_instance.mission.name
    team = post.is_team_post
    if post.achievement_status == AchievementStatus.ACHIEVED:
        if team:
            text = _("Your team's submission for “%(mission)s” was graded: achieved, %(score)s PT.")
        else:
            text = _("Your submission for “%(mission)s” was graded: achieved, %(score)s PT.")
        return text % {"mission": mission, "score": post.score}
    instance = post.mission_instance
    if instance.is_open(now):
        if team:
            text = _(
                "Your team's submission for “%(mission)s” was graded: not achieved. "
                "Your team can improve it and resubmit until %(date)s."
            )
        else:
            text = _(
                "Your submission for “%(mission)s” was graded: not achieved. "
                "You can improve it and resubmit until %(date)s."
            )
        # The deadline on the receiver's clock (team members may live apart).
        return text % {"mission": mission, "date": format_moment(instance.expiry_date, receiver)}
    if team:
        text = _("Your team's submission for “%(mission)s” was graded: not achieved.")
    else:
        text = _("Your submission for “%(mission)s” was graded: not achieved.")
    return text % {"mission": mission}


def _grading_message(post: Post, *, regraded: bool, now: dt.datetime, receiver: Profile) -> Promise:
    def build() -> str:
        sentence = _grade_sentence(post, now=now, receiver=receiver)
        if regraded:
            return _("Your grade was changed. %(result)s") % {"result": sentence}
        return sentence

    return _lazily(build)


def grading_notification(
    post: Post, *, receiver: Profile, regraded: bool, now: dt.datetime
) -> NotificationDraft:
    """What ``receiver`` (one of ``grading_receivers``) is told when ``post`` is
    graded at ``now``; the demo builds its past grades with it too."""
    return NotificationDraft(
        type="grading",
        message=_grading_message(post, regraded=regraded, now=now, receiver=receiver),
        link=post_link(post),
        payload={
            "post_id": str(post.pk),
            "status": post.achievement_status,
            "score": post.score,
            "regraded": regraded,
        },
    )


def grading_receivers(post: Post) -> list[Profile]:
    """The author, or for a team submission every current member of the team."""
    if post.is_team_post:
        rows = TeamMember.objects.filter(team_id=post.team_id).select_related("user")
        members = [row.user for row in rows]
        if members:
            return members
    return [post.user]


def _notify_grade(post: Post, *, grader: Profile, regraded: bool, now: dt.datetime) -> None:
    drafts = [
        (receiver, grading_notification(post, receiver=receiver, regraded=regraded, now=now))
        for receiver in grading_receivers(post)
    ]
    notifications_send(drafts=drafts, actor=grader)


def hidden_notification(post: Post, *, reason: str) -> NotificationDraft:
    """What the author is told when a teacher hides ``post`` for ``reason``."""
    title = post.title
    return NotificationDraft(
        type="moderation",
        message=_lazily(
            lambda: (
                _("A teacher hid your post “%(title)s”. Reason: %(reason)s")
                % {"title": title, "reason": reason}
            )
        ),
        link=post_link(post),
        payload={"post_id": str(post.pk), "action": "hide"},
    )


def _notify_moderation(post: Post, *, by: Profile, message: Promise, link: str, action: str):
    notification_send(
        receiver=post.user,
        type="moderation",
        message=message,
        link=link,
        actor=by,
        payload={"post_id": str(post.pk), "action": action},
    )


# --- grading -----------------------------------------------------------------


@dataclass(frozen=True)
class GradeResult:
    post: Post
    regraded: bool  # it had a grade before this one
    comment: Comment | None  # the feedback, when there was some


def clean_score(post: Post, status: str, score: int | None) -> int:
    """The score to store: required for "achieved", 0 by default for "not
    achieved", and always between 0 and the mission's points."""
    if status not in GRADES:
        raise GradingError(_("Choose “achieved” or “not achieved”."))
    most = mission_points(post)
    if score is None:
        if status == AchievementStatus.ACHIEVED:
            raise GradingError(
                _("Give a score between 0 and %(max)d for an achieved mission.") % {"max": most}
            )
        return 0
    if not 0 <= score <= most:
        raise GradingError(
            _(
                "The score must be between 0 and %(max)d (this mission's points); "
                "you gave %(score)d."
            )
            % {"max": most, "score": score}
        )
    return score


def _apply_grade(post: Post, *, grader: Profile, status: str, score: int, now: dt.datetime) -> bool:
    """Grade a locked post and settle its points; True when it was a regrade."""
    regraded = post.is_graded
    post.achievement_status = status
    post.score = score
    post.graded_at = now
    post.graded_by = grader
    post.save(update_fields=["achievement_status", "score", "graded_at", "graded_by", "updated_at"])
    if status == AchievementStatus.ACHIEVED:
        points_award(post=post, score=score)
    else:
        points_revoke(post=post)
    return regraded


def post_grade(
    *,
    post: Post,
    grader: Profile,
    achievement_status: str,
    score: int | None = None,
    feedback: str = "",
    now: dt.datetime | None = None,
) -> GradeResult:
    """Grade (or regrade) a submission: set its achievement and score, award or
    revoke its points, post ``feedback`` as the grader's comment, and tell the
    author (every member, for a team submission)."""
    now = now or timezone.now()
    feedback = (feedback or "").strip()
    if len(feedback) > COMMENT_MAX_LENGTH:
        raise GradingError(
            _("Feedback can be at most %(max)d characters (it has %(count)d).")
            % {"max": COMMENT_MAX_LENGTH, "count": len(feedback)}
        )
    with transaction.atomic():
        locked = _locked(post.pk)
        _check_grader(grader, locked)
        if locked.mission_instance_id is None:
            raise GradingError(_("This post is not a mission submission, so it has no grade."))
        score = clean_score(locked, achievement_status, score)
        regraded = _apply_grade(
            locked, grader=grader, status=achievement_status, score=score, now=now
        )
        comment = None
        if feedback:
            try:
                comment = comment_create(
                    post=locked, author=grader, content=feedback, notify_author=False
                )
            except InvalidInput as error:
                raise GradingError(error.message) from None
        _notify_grade(locked, grader=grader, regraded=regraded, now=now)
    return GradeResult(post=locked, regraded=regraded, comment=comment)


@dataclass(frozen=True)
class BulkResult:
    graded: list[Post]
    ignored: int  # ids that are not gradable submissions of the grader's academy


def posts_bulk_achieve(
    *, post_ids: Iterable[uuid.UUID], grader: Profile, now: dt.datetime | None = None
) -> BulkResult:
    """Mark every listed submission achieved with its mission's full points,
    in one transaction. Ids of other academies' posts, of posts that are not
    submissions, or of no post at all are skipped and counted."""
    if not grader.is_teacher:
        raise PermissionDenied(_("Only teachers can grade."))
    now = now or timezone.now()
    wanted = set(post_ids)
    with transaction.atomic():
        # Locked in id order, so two bulk gradings never wait on each other in a circle.
        posts = list(
            Post.objects.select_for_update(of=("self",))
            .select_related("journey", "team", "user", "mission_instance__mission")
            .filter(
                pk__in=wanted,
                journey__organization_id=grader.organization_id,
                mission_instance__isnull=False,
            )
            .order_by("pk")
        )
        for post in posts:
            regraded = _apply_grade(
                post,
                grader=grader,
                status=AchievementStatus.ACHIEVED,
                score=mission_points(post),
                now=now,
            )
            _notify_grade(post, grader=grader, regraded=regraded, now=now)
    return BulkResult(graded=posts, ignored=len(wanted) - len(posts))


# --- moderation ----------------------------------------------------------------


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = " ".join((reason or "").split())
    if required and not reason:
        raise GradingError(_("Say why you hide this post: its author will read the reason."))
    if len(reason) > HIDDEN_REASON_MAX_LENGTH:
        raise GradingError(
            _("The reason can be at most %(max)d characters (it has %(count)d).")
            % {"max": HIDDEN_REASON_MAX_LENGTH, "count": len(reason)}
        )
    return reason


def post_hide(*, post: Post, by: Profile, reason: str) -> Post:
    """Hide a post from the journey (its author and the teachers still see it)
    and tell the author why. Hiding a hidden post only updates the reason."""
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        locked = _locked(post.pk)
        _check_grader(by, locked)
        locked.is_hidden = True
        locked.hidden_reason = reason
        locked.save(update_fields=["is_hidden", "hidden_reason", "updated_at"])
        draft = hidden_notification(locked, reason=reason)
        notification_send(receiver=locked.user, actor=by, **draft.send_kwargs())
    return locked


def post_unhide(*, post: Post, by: Profile) -> Post:
    """Show a hidden post again, forget the reason, and tell the author."""
    with transaction.atomic():
        locked = _locked(post.pk)
        _check_grader(by, locked)
        if not locked.is_hidden:
            return locked
        locked.is_hidden = False
        locked.hidden_reason = None
        locked.save(update_fields=["is_hidden", "hidden_reason", "updated_at"])
        title = locked.title
        message = _lazily(
            lambda: _("A teacher showed your post “%(title)s” again.") % {"title": title}
        )
        _notify_moderation(locked, by=by, message=message, link=post_link(locked), action="unhide")
    return locked


def post_remove(*, post: Post, by: Profile, reason: str = "") -> None:
    """Delete a post as a teacher, graded or not: its points are revoked, its
    comments, likes and attachments go with it, and the author is told."""
    reason = _clean_reason(reason, required=False)
    with transaction.atomic():
        locked = _locked(post.pk)
        _check_grader(by, locked)
        points_revoke(post=locked)
        files = [row.file for row in locked.attachments.select_related("file")]
        title, author, journey_id = locked.title, locked.user, locked.journey_id

        def build() -> str:
            text = _("A teacher deleted your post “%(title)s”.") % {"title": title}
            if reason:
                text += " " + _("Reason: %(reason)s") % {"reason": reason}
            return text

        notification_send(
            receiver=author,
            type="moderation",
            message=_lazily(build),
            link=reverse("missions:plan", args=[journey_id]),
            actor=by,
            payload={"post_id": str(locked.pk), "action": "delete"},
        )
        locked.delete()
        for file in files:
            # The files service lets only the uploader or an admin retire a
            # file; a teacher's delete leaves it unlinked (and unreachable).
            with contextlib.suppress(PermissionDenied):
                file_delete(file=file, by=by)
