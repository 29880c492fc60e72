"""Reads of the community app for the post pages: one post with what its page
shows, in a fixed number of queries whatever the number of comments, likes or
attachments."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.profile_services import public_name
from community.models import Comment, Like, Post, PostAttachment
from core.db import SubqueryCount


def visible_posts(user, journey) -> QuerySet[Post]:
    """The posts of ``journey`` that ``user`` may open (hidden ones only for
    their author and the journey's teachers)."""
    return Post.objects.visible_to(user).filter(journey=journey)


def post_for(user, journey, post_id) -> Post:
    """The post with its author, team and mission, its like count and whether
    ``user`` likes it; 404 when ``user`` may not see it (as for a missing one)."""
    posts = (
        visible_posts(user, journey)
        .select_related(
            "user__profile_image_file",
            "team",
            "mission_instance__mission",
            "mission_instance__journey_week",
            "journey",
        )
        .annotate(
            like_count=SubqueryCount(Like.objects.filter(post=OuterRef("pk"))),
            liked_by_me=Exists(Like.objects.filter(post=OuterRef("pk"), user_id=user.pk)),
        )
    )
    post = get_object_or_404(posts, pk=post_id)
    post.author_name = public_name(post.user)
    return post


def comment_for(user, journey, comment_id, *, own: bool = False) -> Comment:
    """A comment on a post ``user`` may see (``own``: only ``user``'s); else 404."""
    comments = Comment.objects.filter(post__in=visible_posts(user, journey)).select_related(
        "post__journey", "post__user", "user__profile_image_file"
    )
    if own:
        comments = comments.filter(user=user)
    comment = get_object_or_404(comments, pk=comment_id)
    comment.author_name = public_name(comment.user)
    return comment


def attachments_of(post: Post) -> list[PostAttachment]:
    """The post's live attachments, images first (they are shown inline)."""
    rows = list(
        PostAttachment.objects.filter(post=post, file__is_deleted=False)
        .select_related("file")
        .order_by("created_at", "id")
    )
    return sorted(rows, key=lambda row: row.file.file_type != "image")


def comments_of(post: Post) -> list[Comment]:
    rows = list(
        Comment.objects.filter(post=post)
        .select_related("user__profile_image_file")
        .order_by("created_at", "id")
    )
    for comment in rows:
        comment.author_name = public_name(comment.user)
    return rows


def comment_count(post: Post) -> int:
    return Comment.objects.filter(post=post).count()


@dataclass(frozen=True)
class Neighbours:
    previous: Post | None  # the post before this one (older)
    next: Post | None  # the post after it (newer)


def neighbours_of(user, post: Post) -> Neighbours:
    """The posts just before and after ``post`` in its journey, among those
    ``user`` may see, in (created_at, id) order: one query."""
    posts = (
        visible_posts(user, post.journey_id).exclude(pk=post.pk).only("id", "title", "created_at")
    )
    older = posts.filter(
        Q(created_at__lt=post.created_at) | Q(created_at=post.created_at, id__lt=post.pk)
    ).order_by("-created_at", "-id")[:1]
    newer = posts.filter(
        Q(created_at__gt=post.created_at) | Q(created_at=post.created_at, id__gt=post.pk)
    ).order_by("created_at", "id")[:1]
    rows = list(older.union(newer, all=True))
    previous = next((row for row in rows if _is_before(row, post)), None)
    following = next((row for row in rows if not _is_before(row, post)), None)
    return Neighbours(previous=previous, next=following)


def _is_before(row: Post, post: Post) -> bool:
    # UUIDs compare like PostgreSQL compares them (by their bytes).
    return (row.created_at, row.pk) < (post.created_at, post.pk)
