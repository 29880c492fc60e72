"""Reads of the community app: one post with what its page shows, and one
page of a journey's feed, each in a fixed number of queries whatever the number
of posts, comments, likes or attachments.

The feed is sorted by newest or most liked, optionally searched, and paged by
key: the posts with their counts (correlated subqueries), the thumbnails of that
page (one query, none when no post on it has an image), and, when searching, the
matching authors (one query).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery
from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextChoices,
    TextField,
    Value,
)
from django.db.models.functions import Concat
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from accounts.selectors import AVATAR_FIELDS, PUBLIC_NAME_FIELDS, fields_through, public_name
from community.answers import AnswerInput
from community.models import (
    POST_SEARCH_VECTOR,
    Comment,
    Like,
    Post,
    PostAnswer,
    PostAttachment,
    hidden_post_arguments,
    post_audience_arguments,
)
from core.db import SubqueryCount
from core.keyset import BadCursor, cursor_decode, cursor_encode, newer_than, older_than
from core.links import AddressOf
from core.statements import Statement
from files.links import file_url
from files.models import File, FileType
from missions.models import MissionQuestion, QuestionKind
from missions.selectors import questions_of


def visible_posts(user, journey) -> QuerySet[Post]:
    """The posts of ``journey`` (from ``journeys.access.journey_for``) that
    ``user`` may open (hidden ones only for their author and the journey's
    teachers)."""
    return Post.objects.of_open_journey(journey, user)


def post_for(user, journey, post_id) -> Post:
    """The post with its author, team and mission, its like count and whether
    ``user`` likes it; 404 when ``user`` may not see it (as for a missing one)."""
    post = _POST.first(
        journey_id=journey.pk, post_id=post_id, liker_id=user.pk, **hidden_post_arguments(user)
    )
    if post is None:
        raise Http404
    # The caller's journey, not a join: each table joined here cost PostgreSQL
    # more time to plan than the whole query takes to run.
    post.journey = journey
    post.author_name = public_name(post.user)
    return post


def _post(*, journey_id, post_id, liker_id, **hidden) -> QuerySet:
    return (
        Post.objects.in_open_journey(journey_id, **hidden)
        .select_related(
            "user__profile_image_file",
            "team",
            "mission_instance__mission",
            "mission_instance__journey_week",
        )
        .annotate(
            like_count=SubqueryCount(Like.objects.filter(post=OuterRef("pk"))),
            liked_by_me=Exists(Like.objects.filter(post=OuterRef("pk"), user_id=liker_id)),
            # A mission of questions' post: its page shows the answers one by one.
            has_answers=Exists(PostAnswer.objects.filter(post=OuterRef("pk"))),
        )
        .filter(pk=post_id)
    )


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
    rows = _ATTACHMENTS.all(post_id=post.pk)
    return sorted(rows, key=lambda row: row.file.file_type != "image")


def own_images_and_documents(
    attachments: list[PostAttachment],
) -> tuple[list[PostAttachment], list[PostAttachment]]:
    """A post's own attachments, images and the rest; an answer's images are
    shown with its question (``answer_sheet``)."""
    own = [row for row in attachments if row.answer_id is None]
    return (
        [row for row in own if row.file.file_type == "image"],
        [row for row in own if row.file.file_type != "image"],
    )


def comments_of(post: Post) -> list[Comment]:
    rows = _COMMENTS.all(post_id=post.pk)
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
    rows = _NEIGHBOURS.all(
        journey_id=post.journey_id,
        post_id=post.pk,
        created_at=post.created_at,
        **hidden_post_arguments(user),
    )
    previous = next((row for row in rows if _is_before(row, post)), None)
    following = next((row for row in rows if not _is_before(row, post)), None)
    return Neighbours(previous=previous, next=following)


def _neighbours(*, journey_id, post_id, created_at, **hidden) -> QuerySet:
    posts = (
        Post.objects.in_open_journey(journey_id, **hidden)
        .exclude(pk=post_id)
        .only("id", "title", "created_at")
    )
    older = posts.filter(older_than("created_at", created_at, post_id))
    older = older.order_by("-created_at", "-id")[:1]
    newer = posts.filter(newer_than("created_at", created_at, post_id))
    newer = newer.order_by("created_at", "id")[:1]
    return older.union(newer, all=True)


# A post page's statements, compiled once per process (core.statements).
_POST = Statement(_post, values=("journey_id", "post_id", "liker_id", "user_id"))
_ATTACHMENTS = Statement(
    lambda *, post_id: (
        PostAttachment.objects.filter(post_id=post_id, file__is_deleted=False)
        .select_related("file")
        .order_by("created_at", "id")
    ),
    values=("post_id",),
)
_COMMENTS = Statement(
    lambda *, post_id: (
        Comment.objects.filter(post_id=post_id)
        .select_related("user__profile_image_file")
        .order_by("created_at", "id")
    ),
    values=("post_id",),
)
# Its generic plan walks the index from the post both ways (0.1 ms); under Row
# Level Security PostgreSQL would plan it again at every request (0.5 ms).
_NEIGHBOURS = Statement(
    _neighbours, values=("journey_id", "post_id", "created_at", "user_id"), generic_plan=True
)


def _is_before(row: Post, post: Post) -> bool:
    # UUIDs compare like PostgreSQL compares them (by their bytes).
    return (row.created_at, row.pk) < (post.created_at, post.pk)


# --- the feed ------------------------------------------------------------


FEED_PAGE_SIZE = 20
# Longer input is cut: nobody types a paragraph into a search box, and a
# bounded query keeps the tsquery small.
SEARCH_MAX_LENGTH = 100
SEARCH_MAX_TERMS = 8


class FeedSort(TextChoices):
    NEWEST = "newest", _("Newest")
    MOST_LIKED = "liked", _("Most liked")


@dataclass(frozen=True)
class FeedCursor:
    """Where a page ended. The newest sort pages on (created_at, id); the most
    liked sort on (like_count, created_at, id). The id breaks ties, so two posts
    with the same time or the same number of likes are neither repeated nor skipped."""

    created_at: dt.datetime
    id: uuid.UUID
    like_count: int | None = None  # set for the most-liked sort only

    def encode(self) -> str:
        leading = () if self.like_count is None else (self.like_count,)
        return cursor_encode(*leading, created_at=self.created_at, id=self.id)

    @classmethod
    def decode(cls, raw: str, sort: FeedSort) -> FeedCursor:
        most_liked = sort == FeedSort.MOST_LIKED
        leading, created_at, pk = cursor_decode(raw, leading=1 if most_liked else 0)
        if most_liked and not leading[0].isdigit():
            raise BadCursor(raw)
        like_count = int(leading[0]) if most_liked else None
        return cls(created_at=created_at, id=pk, like_count=like_count)


@dataclass(frozen=True)
class FeedPage:
    posts: list[Post]
    next_cursor: str | None
    is_first: bool


# --- search ------------------------------------------------------------------

# Letters and digits of any script (Hangul included); everything else, quotes,
# "&", "|", ":", "!", parentheses, separates terms, so no input can break the
# tsquery syntax.
_TERM = re.compile(r"[^\W_]+")


def clean_search(raw: str | None) -> str:
    return (raw or "").strip()[:SEARCH_MAX_LENGTH]


def prefix_tsquery(text: str) -> str | None:
    """A tsquery in PostgreSQL's syntax matching every term as a prefix
    ("미션" → ``'미션':*``, which matches "미션을"), or None when the text has no
    searchable term. Terms hold only letters and digits, so quoting is safe."""
    terms = _TERM.findall(text)[:SEARCH_MAX_TERMS]
    if not terms:
        return None
    return " & ".join(f"'{term}':*" for term in terms)


def _author_ids(journey_posts: QuerySet, text: str) -> list:
    """Authors of the journey's posts whose public name contains ``text``:
    "김민지" (family name first), "Emma Smith", or either part alone. Deleted
    accounts have no public name, so they never match. Fetched first so the post
    query can OR a plain ``user_id IN (…)`` with the full-text match, which
    PostgreSQL can answer from two indexes."""
    name_matches = (
        Q(user__first_name__icontains=text)
        | Q(user__last_name__icontains=text)
        | Q(family_first__icontains=text)
        | Q(given_first__icontains=text)
    )
    return list(
        journey_posts.filter(user__deleted_at__isnull=True)
        .alias(
            family_first=Concat("user__last_name", "user__first_name", output_field=TextField()),
            given_first=Concat(
                "user__first_name", Value(" "), "user__last_name", output_field=TextField()
            ),
        )
        .filter(name_matches)
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )


# --- the page ----------------------------------------------------------------


def _first_image_id() -> Subquery:
    # Files attached in one submission share created_at (the transaction's
    # now()); their ids are a sequence, so they keep the upload order.
    images = PostAttachment.objects.filter(
        post=OuterRef("pk"), file__file_type=FileType.IMAGE, file__is_deleted=False
    ).order_by("created_at", "file_id")
    return Subquery(images.values("file_id")[:1])


def feed_posts(*, user, journey, sort: FeedSort = FeedSort.NEWEST, search: str = "") -> QuerySet:
    """The journey's posts ``user`` may see (hidden ones only for their author and
    the teachers), in the sort's order (the most-liked sort with ``like_count``).
    No page cut yet, and none of what a card shows (``_with_card_details``)."""
    posts = Post.objects.visible_to(user).filter(journey=journey)
    text = clean_search(search)
    if text:
        # The vector is the GIN index's own expression (posts_search_idx), so
        # PostgreSQL can answer the match from the index.
        posts = posts.alias(search=POST_SEARCH_VECTOR).filter(_search_q(posts, text))
    return _in_feed_order(posts, sort)


def _in_feed_order(posts: QuerySet, sort: FeedSort) -> QuerySet:
    if sort == FeedSort.MOST_LIKED:
        liked = posts.annotate(like_count=_like_count())
        return liked.order_by("-like_count", "-created_at", "-id")
    return posts.order_by("-created_at", "-id")


def _feed_keys(*, journey_id, sort, size, created_at, post_id, like_count, **audience) -> QuerySet:
    """The keys of a feed page without a search, after the cursor
    (``created_at``, ``post_id``, ``like_count``) when there is one."""
    journey_posts = Post.objects.visible_to_audience(**audience).filter(journey_id=journey_id)
    posts = _in_feed_order(journey_posts, sort)
    if created_at is not None:
        cursor = FeedCursor(created_at=created_at, id=post_id, like_count=like_count)
        posts = _after(posts, cursor, sort)
    return posts.values_list("pk", flat=True)[:size]


# The feed's two statements, compiled once per process (core.statements): the
# cards alone took 2.2 ms a page to build and compile, for 0.9 ms of SQL.
# The keys' generic plan walks the journey's newest posts from the cursor; under
# Row Level Security PostgreSQL would plan it again at every page (0.35 ms for 0.1).
_FEED_KEYS = Statement(
    _feed_keys,
    values=("journey_id", "user_id", "organization_id", "created_at", "post_id", "like_count"),
    generic_plan=True,
)
_FILES = Statement(lambda *, ids: File.objects.filter(pk__in_array=ids), values=("ids",))
_FEED_CARDS = Statement(
    lambda *, keys: _with_card_details(Post.objects.filter(pk__in_array=keys)), values=("keys",)
)


def _like_count() -> SubqueryCount:
    return SubqueryCount(Like.objects.filter(post=OuterRef("pk")))


def _with_card_details(posts: QuerySet) -> QuerySet:
    """What a feed card shows besides the post: author, team, mission,
    ``like_count``, ``comment_count`` and ``first_image_id``."""
    return (
        posts.select_related("user__profile_image_file", "team", "mission_instance__mission")
        .only(*CARD_FIELDS)
        .annotate(
            like_count=_like_count(),
            comment_count=SubqueryCount(Comment.objects.filter(post=OuterRef("pk"))),
            first_image_id=_first_image_id(),
        )
    )


# What a feed card shows (templates/community/_feed_card.html): twenty cards
# with every column of five tables (the author's password hash, the mission's
# description) cost more to load than to find.
CARD_FIELDS = (
    "journey",
    "user",
    "team",
    "mission_instance",
    "title",
    "content",
    "view_count",
    "is_hidden",
    "is_team_submission",
    "achievement_status",
    "created_at",
    *fields_through("user", PUBLIC_NAME_FIELDS + AVATAR_FIELDS),
    "team__name",
    "mission_instance__mission",
    "mission_instance__mission__name",
)


def _search_q(journey_posts: QuerySet, text: str) -> Q:
    """Full-text match on title and content (the queryset must carry the alias
    ``search``) OR an author whose name matches."""
    match = Q(pk__in=[])  # matches nothing
    tsquery = prefix_tsquery(text)
    if tsquery is not None:
        match |= Q(search=SearchQuery(tsquery, search_type="raw", config="simple"))
    authors = _author_ids(journey_posts, text)
    if authors:
        match |= Q(user_id__in=authors)
    return match


def _after(posts: QuerySet, cursor: FeedCursor, sort: FeedSort) -> QuerySet:
    # Most liked: counts are read at each request, so a post liked between two
    # pages may move across the page boundary; the newest order never changes.
    older = older_than("created_at", cursor.created_at, cursor.id)
    if sort == FeedSort.MOST_LIKED:
        return posts.filter(
            Q(like_count__lt=cursor.like_count) | (Q(like_count=cursor.like_count) & older)
        )
    return posts.filter(older)


def feed_page(
    *,
    user,
    journey,
    sort: FeedSort = FeedSort.NEWEST,
    search: str = "",
    after: str | None = None,
    page_size: int | None = None,
) -> FeedPage:
    """One page of the feed, after the cursor ``after`` (raises ``BadCursor`` for
    one we did not write). Two queries (none when the feed is empty) and one
    for the page's images when it has any. Each post also gets ``like_count``,
    ``comment_count``, ``author_name``, ``url`` and ``thumbnail_url`` (its
    first image attachment's address, or None)."""
    page_size = page_size or FEED_PAGE_SIZE
    cursor = FeedCursor.decode(after, sort) if after else None
    # The page's keys first, then its cards by key: in one query, the joins of
    # the cards and the access check took PostgreSQL longer to plan (4 ms) than
    # both queries take to run.
    keys = _page_keys(
        user=user, journey=journey, sort=sort, search=search, cursor=cursor, size=page_size + 1
    )
    has_more = len(keys) > page_size
    keys = keys[:page_size]
    cards = {post.pk: post for post in _FEED_CARDS.all(keys=keys)} if keys else {}
    rows = [cards[key] for key in keys if key in cards]
    _decorate(rows, journey)
    for post in rows:
        post.card_key = _card_key(post, user)
    next_cursor = None
    if has_more:
        last = rows[-1]
        next_cursor = FeedCursor(
            created_at=last.created_at,
            id=last.id,
            like_count=last.like_count if sort == FeedSort.MOST_LIKED else None,
        ).encode()
    return FeedPage(posts=rows, next_cursor=next_cursor, is_first=cursor is None)


def _page_keys(*, user, journey, sort, search, cursor: FeedCursor | None, size: int) -> list:
    if clean_search(search):  # a search's statement depends on its words
        posts = feed_posts(user=user, journey=journey, sort=sort, search=search)
        if cursor is not None:
            posts = _after(posts, cursor, sort)
        return list(posts.values_list("pk", flat=True)[:size])
    return _FEED_KEYS.all(
        journey_id=journey.pk,
        sort=sort,
        size=size,
        created_at=cursor.created_at if cursor else None,
        post_id=cursor.id if cursor else None,
        like_count=cursor.like_count if cursor else None,
        **post_audience_arguments(user),
    )


def _card_key(post: Post, viewer) -> tuple:
    """Everything a feed card shows (templates/community/_feed_card.html), as
    the key its drawn HTML is kept under (core.fragments)."""
    return (
        post.pk,
        post.title,
        post.content,
        post.is_hidden,
        post.created_at,
        post.url,
        post.thumbnail_url,
        post.author_name,
        post.user.image_url,
        post.team.name if post.is_team_post else None,
        post.mission_instance.mission.name if post.mission_instance_id else None,
        post.like_count,
        post.comment_count,
        post.view_count,
        post.achievement_status,
        # Waiting or not achieved shows only to the author and the teachers.
        bool(viewer.is_teacher or post.user_id == viewer.pk),
    )


def _decorate(posts: list[Post], journey) -> None:
    """Give each post ``author_name`` (the public name: "Deleted user" for a closed
    account), ``url`` (its page) and ``thumbnail_url``. One query for the page's
    first images; their addresses come from files.links, so a private attachment
    is served by the download view, which checks access."""
    image_ids = [post.first_image_id for post in posts if post.first_image_id]
    files = {file.pk: file for file in _FILES.all(ids=image_ids)} if image_ids else {}
    post_url = AddressOf("community:post_detail", journey.pk)
    for post in posts:
        post.author_name = public_name(post.user)
        post.url = post_url(post.pk)
        image = files.get(post.first_image_id)
        post.thumbnail_url = file_url(image) if image is not None else None


def answers_of(post: Post) -> dict:
    """``post``'s answers as the answering form shows them again, by question id."""
    return {
        row.question_id: AnswerInput(text=row.text, choices=tuple(row.choices))
        for row in PostAnswer.objects.filter(post_id=post.pk)
    }


@dataclass(frozen=True)
class SheetOption:
    text: str
    chosen: bool
    correct: bool


@dataclass(frozen=True)
class SheetRow:
    """One question of a mission and a post's answer to it, as the grading
    panel (and the post, once graded) shows them."""

    number: int
    question: MissionQuestion
    answer: PostAnswer | None
    options: tuple[SheetOption, ...]
    images: tuple[PostAttachment, ...]

    @property
    def open_question(self) -> bool:
        """Graded by the teacher (not a choice question)."""
        return self.question.kind != QuestionKind.MULTIPLE_CHOICE


def answer_sheet(post: Post, attachments: list[PostAttachment]) -> list[SheetRow]:
    """Each question of ``post``'s mission with the post's answer, its chosen
    options against the correct ones and its images (from ``attachments``,
    the post's); empty for a post without questions. Two statements."""
    if post.mission_instance_id is None:
        return []
    questions = questions_of(post.mission_instance.mission)
    if not questions:
        return []
    answers = {row.question_id: row for row in PostAnswer.objects.filter(post_id=post.pk)}
    images_of: dict = {}
    for attachment in attachments:
        if attachment.answer_id is not None:
            images_of.setdefault(attachment.answer_id, []).append(attachment)
    sheet = []
    for number, question in enumerate(questions, start=1):
        answer = answers.get(question.pk)
        chosen = set(answer.choices) if answer else set()
        options = tuple(
            SheetOption(option["text"], index in chosen, bool(option.get("correct")))
            for index, option in enumerate(question.options)
        )
        images = tuple(images_of.get(answer.pk, ())) if answer else ()
        sheet.append(SheetRow(number, question, answer, options, images))
    return sheet


def proposed_score(sheet: list[SheetRow]) -> int:
    """The score the grading panel proposes: the choices' points as scored,
    plus full points for each open question answered (the teacher lowers it
    where an answer falls short)."""
    total = 0
    for row in sheet:
        if not row.open_question:
            total += (row.answer.auto_points or 0) if row.answer else 0
        elif row.answer and (row.answer.text or row.images):
            total += row.question.points
    return total
