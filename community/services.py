"""Writes of the community app: submitting, editing and deleting posts,
comments, likes and view counts, with the notifications they send (what
each says, and who a comment notifies: ``community.notices``).

Every service is one transaction, checks its input and raises a
``CommunityError`` (a message fit to show) when it refuses; nothing is changed
then. Views check who may *see* a post (404) before calling these; the services
check who may *change* it again, so no caller can skip the rule.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Profile, Role
from community.answers import AnswerInput, answers_as_text, answers_check, answers_save
from community.mentions import MentionIndex, mention_index_for
from community.models import AchievementStatus, Comment, Like, Post, PostAnswer, PostAttachment
from community.notices import (
    comment_notices,
    like_notification,
    post_mention_notices,
    submission_notification,
)
from core.errors import ServiceError
from core.moments import format_moment
from files.services import FileRejected, file_delete, file_upload
from journeys.models import UserJourney
from missions.models import JourneyMissionInstance
from missions.selectors import my_team_id
from notifications.services import notification_send_grouped, notifications_send

TITLE_MAX_LENGTH = 100
COMMENT_MAX_LENGTH = 2000
MAX_ATTACHMENTS = 10
ATTACHMENT_PURPOSE = "post_attachment"


# --- errors -----------------------------------------------------------------


class CommunityError(ServiceError):
    """A refused change to a post, a comment or a like; ``message`` says why."""


class SubmissionRefused(CommunityError):
    """This person cannot submit for this mission (now)."""


class NotOpen(SubmissionRefused):
    """The mission is not accepting submissions: not open yet, or closed."""


class NoTeam(SubmissionRefused):
    """A team mission, and the student has no team in the journey."""


class AlreadySubmitted(SubmissionRefused):
    """One submission per student (or team) and mission; ``post`` is it."""

    def __init__(self, message: str, post: Post) -> None:
        super().__init__(message)
        self.post = post


class PostLocked(CommunityError):
    """The post was graded (or is otherwise past changing)."""


class InvalidInput(CommunityError):
    """A title, comment or attachment that cannot be saved as it is."""


# --- helpers ----------------------------------------------------------------


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise InvalidInput(_("Give your post a title."))
    if len(title) > TITLE_MAX_LENGTH:
        raise InvalidInput(
            _("The title can be at most %(max)d characters (it has %(count)d).")
            % {"max": TITLE_MAX_LENGTH, "count": len(title)}
        )
    return title


def _is_enrolled_student(profile: Profile, journey_id) -> bool:
    if profile.role != Role.USER or not profile.is_active:
        return False
    return (
        UserJourney.objects.filter(journey_id=journey_id, user=profile)
        .exclude(role_in_journey__in=[Role.TEACHER, Role.ADMIN])
        .exists()
    )


def journey_teachers(journey) -> Iterable[Profile]:
    """Who hears about submissions: the teachers and admins of the journey's academy."""
    return Profile.objects.filter(
        organization_id=journey.organization_id,
        role__in=[Role.TEACHER, Role.ADMIN],
        is_active=True,
        deleted_at__isnull=True,
    )


def may_edit_post(post: Post, profile: Profile, team_id=None) -> bool:
    """The author, or for a team submission any current member of that team
    (``team_id``: ``profile``'s team in the post's journey)."""
    if post.user_id == profile.pk:
        return True
    return post.is_team_post and post.team_id == team_id


def may_delete_post(post: Post, profile: Profile) -> bool:
    return post.user_id == profile.pk


def may_delete_comment(comment: Comment, profile: Profile, journey) -> bool:
    """Its author, or a teacher (or admin) of the journey's academy."""
    if comment.user_id == profile.pk:
        return True
    return profile.is_teacher and profile.organization_id == journey.organization_id


# --- submitting -------------------------------------------------------------


def _check_open(instance: JourneyMissionInstance, now: dt.datetime, person: Profile) -> None:
    """Refuse a mission that is not open, naming its dates on ``person``'s clock."""
    if instance.release_date is None or instance.expiry_date is None:
        raise NotOpen(_("This mission is not scheduled yet, so it does not take submissions."))
    if not instance.has_opened(now):
        raise NotOpen(
            _("This mission opens on %(date)s. You can submit from then.")
            % {"date": format_moment(instance.release_date, person)}
        )
    if instance.has_closed(now):
        raise NotOpen(
            _("This mission closed on %(date)s and no longer takes submissions.")
            % {"date": format_moment(instance.expiry_date, person)}
        )


def _existing_submission(instance, author: Profile, team_id) -> Post | None:
    posts = Post.objects.filter(mission_instance=instance)
    if team_id is not None:
        return posts.filter(team_id=team_id, is_team_submission=True).first()
    return (
        posts.filter(user=author)
        .filter(Q(is_team_submission=False) | Q(is_team_submission__isnull=True))
        .first()
    )


def _already_submitted(instance, existing: Post) -> AlreadySubmitted:
    if instance.is_team_mission:
        message = _("Your team has already submitted this mission. Here is the submission.")
    else:
        message = _("You have already submitted this mission. Here is your submission.")
    return AlreadySubmitted(message, existing)


def submission_check(
    *, author: Profile, instance: JourneyMissionInstance, now: dt.datetime | None = None
):
    """Raise the reason ``author`` cannot submit for ``instance`` now (a
    ``SubmissionRefused``); else return their team's id for a team mission
    (None for an individual one). The submit page asks before showing its form."""
    now = now or timezone.now()
    if not _is_enrolled_student(author, instance.journey_id):
        raise SubmissionRefused(_("Only students enrolled in this journey can submit missions."))
    team_id = None
    if instance.is_team_mission:
        team_id = my_team_id(profile=author, journey_id=instance.journey_id)
        if team_id is None:
            raise NoTeam(
                _(
                    "This is a team mission: create or join a team on the Team tab first, "
                    "then any member can submit for the team."
                )
            )
    existing = _existing_submission(instance, author, team_id)
    if existing is not None:
        raise _already_submitted(instance, existing)
    _check_open(instance, now, author)
    return team_id


def _attach(
    post: Post, uploader: Profile, files: Sequence[UploadedFile], answer: PostAnswer | None = None
) -> None:
    """Store ``files`` as the post's attachments (given for ``answer``, when
    they answer a question)."""
    for upload in files:
        try:
            stored = file_upload(
                uploader=uploader, uploaded_file=upload, purpose=ATTACHMENT_PURPOSE
            ).file
        except FileRejected as error:
            # Raised inside the caller's transaction: the post and the other
            # attachments are rolled back with it.
            raise InvalidInput(f"{upload.name}: {error.message}") from error
        PostAttachment.objects.create(post=post, file=stored, answer=answer)


def _attach_answer_images(post: Post, uploader: Profile, rows, answers) -> None:
    """Store each answer's new images as the post's attachments for that answer."""
    for row in rows:
        _attach(post, uploader, answers[row.question_id].images, answer=row)


def _notify_post_mentions(
    post: Post, *, actor: Profile, mentioned: set[uuid.UUID], skip: set[uuid.UUID]
) -> None:
    notices = post_mention_notices(post, actor=actor, mentioned=mentioned, skip=skip)
    if notices:
        notifications_send(drafts=notices, actor=actor)


def _notify_teachers(post: Post, *, actor: Profile, resubmitted: bool) -> None:
    draft = submission_notification(post, actor=actor, resubmitted=resubmitted)
    notifications_send(
        drafts=[(teacher, draft) for teacher in journey_teachers(post.journey)], actor=actor
    )


def post_submit(
    *,
    author: Profile,
    instance: JourneyMissionInstance,
    title: str,
    content: str = "",
    files: Sequence[UploadedFile] = (),
    now: dt.datetime | None = None,
    mentions: MentionIndex | None = None,
    questions: Sequence = (),
    answers: dict | None = None,
) -> Post:
    """Submit ``author``'s post for ``instance``: for a team mission, the team's
    one post. For a mission of questions, ``answers`` (by question id, checked
    here: ``AnswerRefusal``) are stored per question, the choices scored, and
    the post's content is made of them. Refuses (``SubmissionRefused``,
    ``InvalidInput``) when the mission is not open, the author is not an
    enrolled student or has no team, a submission exists already, or a file is
    refused; nothing is saved then.
    The journey's teachers are told, and the members its text mentions
    (``@name``, ``community.mentions``)."""
    title = _clean_title(title)
    if len(files) > MAX_ATTACHMENTS:
        raise InvalidInput(_("Attach at most %(max)d files.") % {"max": MAX_ATTACHMENTS})
    if questions:
        answers = answers_check(questions, answers or {})
        content = answers_as_text(questions, answers)
    with transaction.atomic():
        team_id = submission_check(author=author, instance=instance, now=now)
        post = Post(
            mission_instance=instance,
            journey_id=instance.journey_id,
            user=author,
            team_id=team_id,
            is_team_submission=team_id is not None,
            title=title,
            content=content or "",
            achievement_status=AchievementStatus.PENDING,
        )
        try:
            with transaction.atomic():
                post.save(force_insert=True)
        except IntegrityError:
            # Someone (a teammate, or this student in another tab) won the race.
            existing = _existing_submission(instance, author, team_id)
            if existing is None:
                raise
            raise _already_submitted(instance, existing) from None
        _attach(post, author, files)
        if questions:
            rows = answers_save(post=post, questions=questions, answers=answers)
            _attach_answer_images(post, author, rows, answers)
        _notify_teachers(post, actor=author, resubmitted=False)
        mentions = mentions or mention_index_for(post.journey_id, [post.content])
        _notify_post_mentions(
            post, actor=author, mentioned=mentions.mentioned(post.content), skip={author.pk}
        )
    return post


# --- editing and deleting ---------------------------------------------------


def post_edit_check(*, post: Post, editor: Profile, now: dt.datetime | None = None) -> bool:
    """Raise why ``post`` cannot be edited now (``PostLocked``, ``NotOpen``, with
    dates on ``editor``'s clock); else return whether saving it resubmits it (it
    was graded "not achieved")."""
    if post.achievement_status == AchievementStatus.ACHIEVED:
        raise PostLocked(_("This post was graded as achieved, so it can no longer be changed."))
    if post.achievement_status != AchievementStatus.NOT_ACHIEVED:
        return False
    if post.mission_instance is None:
        raise PostLocked(_("This post was graded and can no longer be changed."))
    try:
        _check_open(post.mission_instance, now or timezone.now(), editor)
    except NotOpen as closed:
        raise NotOpen(
            _("This post was graded as not achieved. %(reason)s") % {"reason": closed.message}
        ) from None
    return True


@dataclass(frozen=True)
class PostUpdate:
    post: Post
    resubmitted: bool


def post_update(
    *,
    post: Post,
    editor: Profile,
    title: str,
    content: str = "",
    new_files: Sequence[UploadedFile] = (),
    remove_attachment_ids: Iterable[uuid.UUID] = (),
    now: dt.datetime | None = None,
    mentions: MentionIndex | None = None,
    questions: Sequence = (),
    answers: dict | None = None,
) -> PostUpdate:
    """Change a post's title, content and attachments. Pending posts can be
    edited until they are graded; an achieved post is locked; a post graded
    "not achieved" is resubmitted by editing it while the mission is still
    open: it goes back to pending, its score is cleared and the teachers are told.
    People the edit newly mentions are told (those mentioned before are not
    told again)."""
    now = now or timezone.now()
    title = _clean_title(title)
    with transaction.atomic():
        # Locked so a teacher grading at this moment and this edit do not cross.
        locked = (
            Post.objects.select_for_update(of=("self",))
            .select_related("mission_instance__mission", "journey", "team")
            .get(pk=post.pk)
        )
        team_id = my_team_id(profile=editor, journey_id=locked.journey_id)
        if not may_edit_post(locked, editor, team_id):
            raise PermissionDenied(_("Only the author (or their team) can edit this post."))
        resubmitting = post_edit_check(post=locked, editor=editor, now=now)

        removed = list(
            locked.attachments.filter(pk__in=list(remove_attachment_ids)).select_related("file")
        )
        # The post's own attachments; an answer's images count in its question.
        remaining = locked.attachments.filter(file__is_deleted=False, answer__isnull=True).count()
        remaining -= sum(1 for attachment in removed if attachment.answer_id is None)
        if remaining + len(new_files) > MAX_ATTACHMENTS:
            raise InvalidInput(
                _("A post can have at most %(max)d attachments.") % {"max": MAX_ATTACHMENTS}
            )
        if questions:
            answers = _answers_keeping(locked, questions, answers or {}, removed)
            content = answers_as_text(questions, answers)
        for attachment in removed:
            attachment.delete()
            _retire_file(attachment.file, by=editor)
        _attach(locked, editor, new_files)
        if questions:
            rows = answers_save(post=locked, questions=questions, answers=answers)
            _attach_answer_images(locked, editor, rows, answers)

        mentions = mentions or mention_index_for(locked.journey_id, [locked.content, content])
        mentioned_before = mentions.mentioned(locked.content)
        locked.title = title
        locked.content = content or ""
        fields = ["title", "content", "updated_at"]
        if resubmitting:
            locked.achievement_status = AchievementStatus.PENDING
            locked.score = None
            fields += ["achievement_status", "score"]
        locked.save(update_fields=fields)
        if resubmitting:
            _notify_teachers(locked, actor=editor, resubmitted=True)
        _notify_post_mentions(
            locked,
            actor=editor,
            mentioned=mentions.mentioned(locked.content),
            skip=mentioned_before | {editor.pk, locked.user_id},
        )
    return PostUpdate(post=locked, resubmitted=resubmitting)


def _answers_keeping(post: Post, questions, answers: dict, removed) -> dict:
    """``answers`` checked, each counting the images its answer keeps (those
    it had, less the ones being removed)."""
    gone = {attachment.pk for attachment in removed}
    kept: dict = {}
    images = post.attachments.filter(answer__isnull=False, file__is_deleted=False)
    for attachment_id, question_id in images.values_list("pk", "answer__question_id"):
        if attachment_id not in gone:
            kept[question_id] = kept.get(question_id, 0) + 1
    with_kept = {
        question.pk: replace(
            answers.get(question.pk) or AnswerInput(), kept_images=kept.get(question.pk, 0)
        )
        for question in questions
    }
    return answers_check(questions, with_kept)


def _retire_file(file, *, by: Profile) -> None:
    """Soft-delete a removed attachment's file when ``by`` may (its uploader);
    a teammate's upload is only unlinked, and stays its uploader's."""
    with contextlib.suppress(PermissionDenied):
        file_delete(file=file, by=by)


def post_delete(*, post: Post, by: Profile) -> None:
    """Delete ``by``'s own post while it waits for grading (with its comments,
    likes and attachments). A graded post stays: it carries a grade and points."""
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if not may_delete_post(locked, by):
            raise PermissionDenied(_("Only the author can delete this post."))
        if locked.is_graded:
            raise PostLocked(_("This post was already graded, so it can no longer be deleted."))
        files = [attachment.file for attachment in locked.attachments.select_related("file")]
        locked.delete()
        for file in files:
            _retire_file(file, by=by)


# --- comments ---------------------------------------------------------------


def _clean_comment(content: str) -> str:
    content = (content or "").strip()
    if not content:
        raise InvalidInput(_("Write something before sending the comment."))
    if len(content) > COMMENT_MAX_LENGTH:
        raise InvalidInput(
            _("A comment can be at most %(max)d characters (it has %(count)d).")
            % {"max": COMMENT_MAX_LENGTH, "count": len(content)}
        )
    return content


def _notify_comment(
    comment: Comment, *, mentioned: set[uuid.UUID], skip: set[uuid.UUID], notify_author: bool
) -> None:
    notices = comment_notices(comment, mentioned=mentioned, skip=skip, notify_author=notify_author)
    notifications_send(drafts=notices, actor=comment.user)


def comment_create(
    *,
    post: Post,
    author: Profile,
    content: str,
    mentions: MentionIndex | None = None,
    notify_author: bool = True,
) -> Comment:
    """Add ``author``'s comment to ``post``. The people it mentions (``@name``,
    see ``community.mentions``) get a "mention" notification, the post's author
    a "comment" one (once, even when also mentioned; never for their own comment).
    ``notify_author=False`` when the caller tells the author itself (grading
    feedback arrives with the grading notification)."""
    content = _clean_comment(content)
    mentions = mentions or mention_index_for(post.journey_id, [content])
    with transaction.atomic():
        comment = Comment.objects.create(post=post, user=author, content=content)
        _notify_comment(
            comment,
            mentioned=mentions.mentioned(content),
            skip={author.pk},
            notify_author=notify_author,
        )
    return comment


def comment_update(
    *, comment: Comment, editor: Profile, content: str, mentions: MentionIndex | None = None
) -> Comment:
    """Change ``editor``'s own comment; people newly mentioned by the edit are
    notified (those mentioned before are not notified again)."""
    if comment.user_id != editor.pk:
        raise PermissionDenied(_("Only its author can edit a comment."))
    content = _clean_comment(content)
    mentions = mentions or mention_index_for(comment.post.journey_id, [comment.content, content])
    with transaction.atomic():
        before = mentions.mentioned(comment.content)
        comment.content = content
        comment.save(update_fields=["content", "updated_at"])
        _notify_comment(
            comment,
            mentioned=mentions.mentioned(content),
            skip=before | {editor.pk},
            notify_author=False,
        )
    return comment


def comment_delete(*, comment: Comment, by: Profile) -> None:
    """Delete a comment: its author, or a teacher of the journey's academy."""
    if not may_delete_comment(comment, by, comment.post.journey):
        raise PermissionDenied(_("You cannot delete this comment."))
    comment.delete()


# --- likes ------------------------------------------------------------------


@dataclass(frozen=True)
class LikeState:
    liked: bool
    count: int


def _like_count(post: Post) -> int:
    return Like.objects.filter(post=post).count()


def like_set(*, post: Post, user: Profile, liked: bool) -> LikeState:
    """Like or unlike ``post`` (saying which, so a double click or two tabs end
    where the person meant). The database keeps one like per person: the insert
    is ``ON CONFLICT DO NOTHING``. A new like notifies the author in the app,
    grouped per post; unliking notifies nobody."""
    with transaction.atomic():
        if liked:
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO likes (id, post_id, user_id, created_at) "
                    "VALUES (gen_random_uuid(), %s, %s, now()) "
                    "ON CONFLICT (post_id, user_id) DO NOTHING RETURNING id",
                    [post.pk, user.pk],
                )
                inserted = cursor.fetchone() is not None
            if inserted:
                _notify_like(post, liker=user)
        else:
            Like.objects.filter(post=post, user=user).delete()
        return LikeState(liked=liked, count=_like_count(post))


def like_toggle(*, post: Post, user: Profile) -> LikeState:
    """Flip ``user``'s like on ``post``."""
    liked = Like.objects.filter(post=post, user=user).exists()
    return like_set(post=post, user=user, liked=not liked)


def _notify_like(post: Post, *, liker: Profile) -> None:
    others = Like.objects.filter(post=post).exclude(user_id__in=[liker.pk, post.user_id]).count()
    draft = like_notification(post, liker=liker, others=others)
    notification_send_grouped(receiver=post.user, actor=liker, **draft.send_kwargs())


# --- views ------------------------------------------------------------------


def post_view_record(*, post: Post, viewer: Profile, day: dt.date | None = None) -> bool:
    """Count ``viewer``'s visit: once per post and day (the viewer's calendar
    day). True when this visit was the day's first, and the count went up."""
    day = day or timezone.localdate()
    # One statement, so atomic on its own: every page view runs it, and a
    # transaction around two would cost two more round trips.
    with connection.cursor() as cursor:
        cursor.execute(_VIEW_RECORD_SQL, {"post": post.pk, "viewer": viewer.pk, "day": day})
        return cursor.fetchone() is not None


# The day's first view inserts its row and raises the post's count; a later
# one inserts nothing, so updates nothing and returns no row. A later view is
# the usual case, and it is found before inserting: a row offered to INSERT
# runs its trigger (post_views' organization_id, read from the post under
# RLS) even when ON CONFLICT then drops it. ON CONFLICT still settles two
# first views at the same moment.
_VIEW_RECORD_SQL = f"""
WITH first_view AS (
    INSERT INTO post_views (id, post_id, viewer_id, viewed_on, created_at)
    SELECT gen_random_uuid(), %(post)s, %(viewer)s, %(day)s, now()
    WHERE NOT EXISTS (
        SELECT 1 FROM post_views
        WHERE post_id = %(post)s AND viewer_id = %(viewer)s AND viewed_on = %(day)s
    )
    ON CONFLICT (post_id, viewer_id, viewed_on) DO NOTHING
    RETURNING post_id
)
UPDATE {Post._meta.db_table} SET view_count = view_count + 1
WHERE id IN (SELECT post_id FROM first_view)
RETURNING id
"""
