"""What the community app tells people about posts: the notification of a
submission, a comment, a mention and a like (each a ``NotificationDraft``), and
who a new comment notifies.

``community.services`` sends them with ``notification_send``; the demo
(``sqeeze.demo``) builds its past with the same functions, so its notifications
say exactly what the app's say. Messages are lazy: ``notification_send``
renders each in its receiver's language.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.urls import reverse
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy, ngettext_lazy

from accounts.models import Profile
from accounts.selectors import public_name
from community.models import Comment, Post
from notifications.types import NotificationDraft


def post_link(post: Post) -> str:
    return reverse("community:post_detail", args=[post.journey_id, post.pk])


def comment_link(comment: Comment) -> str:
    return post_link(comment.post) + f"#comment-{comment.pk}"


def _interpolated(template: Promise, **params) -> Promise:
    """A lazy message with its placeholders filled in when it is rendered, so
    ``notification_send`` writes it in the receiver's language."""
    # ``template % params``, not ``str(template) % params``: a lazy ngettext
    # picks its singular or plural form from the params.
    return lazy(lambda: str(template % params), str)()


def submission_notification(post: Post, *, actor: Profile, resubmitted: bool) -> NotificationDraft:
    """What the journey's teachers (``community.services.journey_teachers``) are
    told when ``actor`` submits ``post``, or resubmits it after a "not achieved"."""
    mission = post.mission_instance.mission.name if post.mission_instance else ""
    params = {"name": public_name(actor), "title": post.title, "mission": mission}
    if post.is_team_post:
        params["team"] = post.team.name
        template = (
            gettext_lazy("%(name)s resubmitted “%(title)s” (%(mission)s) for team %(team)s.")
            if resubmitted
            else gettext_lazy("%(name)s submitted “%(title)s” (%(mission)s) for team %(team)s.")
        )
    else:
        template = (
            gettext_lazy("%(name)s resubmitted “%(title)s” (%(mission)s).")
            if resubmitted
            else gettext_lazy("%(name)s submitted “%(title)s” (%(mission)s).")
        )
    return NotificationDraft(
        type="submission",
        message=_interpolated(template, **params),
        link=post_link(post),
        payload={"post_id": str(post.pk), "resubmitted": resubmitted},
    )


def comment_notification(comment: Comment) -> NotificationDraft:
    """What a post's author is told of ``comment`` on it."""
    post = comment.post
    return NotificationDraft(
        type="comment",
        message=_interpolated(
            gettext_lazy("%(name)s commented on your post “%(title)s”."),
            name=public_name(comment.user),
            title=post.title,
        ),
        link=comment_link(comment),
        payload={"post_id": str(post.pk), "comment_id": str(comment.pk)},
    )


def mention_notification(comment: Comment) -> NotificationDraft:
    """What someone ``comment`` mentions is told."""
    post = comment.post
    return NotificationDraft(
        type="mention",
        message=_interpolated(
            gettext_lazy("%(name)s mentioned you in a comment on “%(title)s”."),
            name=public_name(comment.user),
            title=post.title,
        ),
        link=comment_link(comment),
        payload={"post_id": str(post.pk), "comment_id": str(comment.pk)},
    )


def post_mention_notices(
    post: Post, *, actor: Profile, mentioned: Iterable[uuid.UUID], skip: set[uuid.UUID]
) -> list[tuple[Profile, NotificationDraft]]:
    """Who ``post`` notifies of being mentioned in it by ``actor`` (its author,
    or a teammate editing it): each person it mentions (``mentioned``, less
    ``skip``) who may open it."""
    draft = NotificationDraft(
        type="mention",
        message=_interpolated(
            gettext_lazy("%(name)s mentioned you in the post “%(title)s”."),
            name=public_name(actor),
            title=post.title,
        ),
        link=post_link(post),
        payload={"post_id": str(post.pk)},
    )
    return [(person, draft) for person in _mentioned_people(post, mentioned, skip)]


def _mentioned_people(
    post: Post, mentioned: Iterable[uuid.UUID], skip: set[uuid.UUID]
) -> list[Profile]:
    """The people of ``mentioned`` (less ``skip``) who may open ``post``: one query."""
    people = Profile.objects.filter(pk__in=set(mentioned) - skip).order_by("pk")
    return [person for person in people if _may_open(post, person)]


def _may_open(post: Post, profile: Profile) -> bool:
    """Could ``profile`` open the post a notification links to? Hidden posts:
    only the author and teachers."""
    return not post.is_hidden or post.user_id == profile.pk or profile.is_teacher


def comment_notices(
    comment: Comment,
    *,
    mentioned: Iterable[uuid.UUID],
    skip: set[uuid.UUID],
    notify_author: bool,
) -> list[tuple[Profile, NotificationDraft]]:
    """Who ``comment`` notifies, and with what: each person it mentions
    (``mentioned``, less ``skip``) who may open the post gets a "mention"; the
    post's author a "comment", once (not when mentioned too), unless
    ``notify_author`` is False."""
    post = comment.post
    draft = mention_notification(comment)
    notices = [(person, draft) for person in _mentioned_people(post, mentioned, skip)]
    if notify_author and post.user_id not in {person.pk for person, _draft in notices}:
        notices.append((post.user, comment_notification(comment)))
    return notices


def like_notification(post: Post, *, liker: Profile, others: int) -> NotificationDraft:
    """What a post's author is told when ``liker`` likes it, ``others`` people
    (not the author) having liked it already. Sent grouped: it rewrites the
    author's unread like notification of the post."""
    name, title = public_name(liker), post.title
    if others:
        message = _interpolated(
            ngettext_lazy(
                "%(name)s and %(count)d other liked your post “%(title)s”.",
                "%(name)s and %(count)d others liked your post “%(title)s”.",
                "count",
            ),
            name=name,
            count=others,
            title=title,
        )
    else:
        message = _interpolated(
            gettext_lazy("%(name)s liked your post “%(title)s”."), name=name, title=title
        )
    return NotificationDraft(
        type="like",
        message=message,
        link=post_link(post),
        payload={"post_id": str(post.pk), "likes": others + 1},
    )
