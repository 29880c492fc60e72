"""The post pages, under /journeys/<journey_id>/: the Feed tab (newest first or
most liked, searchable, paged by key; "More" appends the next page in place
with htmx, or opens it as a page of its own without JavaScript), submitting a
mission, a post with its attachments, likes and comments, editing and deleting.

Every view starts with ``journey_for`` (404 unless the person may see the
journey) and finds posts and comments through ``community.selectors`` (404
unless they may see them). Who may *change* something is checked here (404 for
someone else's post or comment) and again in the service. Every form works
without JavaScript; with htmx, likes and comments update in place.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import public_name
from community import selectors, services
from community.answers import AnswerRefusal
from community.forms import AnswersForm, CommentForm, PostForm
from community.mentions import (
    MentionIndex,
    members_to_mention,
    mention_hint,
    mention_index_for,
)
from community.models import AchievementStatus, Comment, Post
from community.notices import post_link
from community.selectors import FeedSort, clean_search, feed_page
from core.keyset import BadCursor
from files.upload_handlers import UploadTooLarge, upload_limit
from journeys.access import journey_for
from missions.models import JourneyMissionInstance
from missions.selectors import my_team_id, questions_of
from teams.models import Team

EDIT_GRACE_SECONDS = 5


def _too_large(request: HttpRequest, error: UploadTooLarge) -> HttpResponse:
    # Back to the same form; the text typed is restored from the browser draft.
    messages.error(request, error.message)
    return redirect(request.path)


attachment_upload_limit = upload_limit(
    purpose=services.ATTACHMENT_PURPOSE,
    max_files=services.MAX_ATTACHMENTS,
    on_too_large=_too_large,
)


def _post_url(post: Post, anchor: str = "") -> str:
    return post_link(post) + (f"#{anchor}" if anchor else "")


# --- submitting -------------------------------------------------------------


def _render_submit(
    request, journey, instance, *, form=None, refusal=None, team=None, answers_form=None
) -> HttpResponse:
    context = {
        "answers_form": answers_form,
        "team": team,
        "journey": journey,
        "active_tab": "plan",
        "instance": instance,
        "form": form,
        "refusal": refusal,
        "needs_team": isinstance(refusal, services.NoTeam),
    }
    return render(request, "community/submit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@attachment_upload_limit
def post_submit(request: HttpRequest, journey_id, instance_id) -> HttpResponse:
    journey = journey_for(request.user, journey_id)
    instance = get_object_or_404(
        JourneyMissionInstance.objects.select_related("mission", "journey_week"),
        pk=instance_id,
        journey=journey,
    )
    try:
        team_id = services.submission_check(author=request.user, instance=instance)
    except services.AlreadySubmitted as refusal:
        messages.info(request, refusal.message)
        return redirect(_post_url(refusal.post))
    except services.SubmissionRefused as refusal:
        return _render_submit(request, journey, instance, refusal=refusal)

    team = Team.objects.filter(pk=team_id).first() if team_id else None
    form = PostForm(request.POST or None, request.FILES or None)
    # A mission of questions is answered question by question.
    questions = questions_of(instance.mission)
    answers_form = _answers_form(request, questions)
    if request.method == "POST" and form.is_valid() and _valid(answers_form):
        mentions = mention_index_for(journey.pk, [form.cleaned_data["content"]])
        try:
            post = services.post_submit(
                author=request.user,
                instance=instance,
                title=form.cleaned_data["title"],
                content=form.cleaned_data["content"],
                files=form.cleaned_data["files"],
                mentions=mentions,
                questions=questions,
                answers=answers_form.answers() if answers_form else None,
            )
        except services.AlreadySubmitted as refusal:
            messages.info(request, refusal.message)
            return redirect(_post_url(refusal.post))
        except services.SubmissionRefused as refusal:
            return _render_submit(request, journey, instance, refusal=refusal)
        except AnswerRefusal as refusal:
            answers_form.add_problems(refusal.problems)
        except services.InvalidInput as error:
            form.add_error("files", error.message)
        else:
            messages.success(request, _("Submitted! Your teacher will grade it soon."))
            _tell_unmatched_mentions(request, mentions, post.content)
            return redirect(_post_url(post))
    return _render_submit(
        request, journey, instance, form=form, team=team, answers_form=answers_form
    )


def _answers_form(request, questions, answers=None) -> AnswersForm | None:
    """The answering form of a mission of questions, showing ``answers`` (an
    edit's); None for a mission without questions."""
    if not questions:
        return None
    return AnswersForm(
        request.POST or None, request.FILES or None, questions=questions, answers=answers
    )


def _valid(answers_form: AnswersForm | None) -> bool:
    return answers_form is None or answers_form.is_valid()


def _tell_unmatched_mentions(request: HttpRequest, mentions: MentionIndex, text: str) -> None:
    hint = mention_hint(mentions, text)
    if hint:
        messages.info(request, hint)


# --- the post page ----------------------------------------------------------


def _decorate_comment(comment: Comment, *, viewer, journey, mentions: MentionIndex) -> Comment:
    comment.html = mentions.render(comment.content)
    # Saving stamps updated_at a moment after the database's created_at; only a
    # later save is an edit.
    comment.edited = bool(
        comment.created_at
        and comment.updated_at
        and (comment.updated_at - comment.created_at).total_seconds() > EDIT_GRACE_SECONDS
    )
    comment.editable = comment.user_id == viewer.pk
    comment.deletable = services.may_delete_comment(comment, viewer, journey)
    return comment


def _post_page_context(request: HttpRequest, journey, post: Post) -> dict:
    viewer = request.user
    team_id = my_team_id(profile=viewer, journey_id=journey.pk)
    comments = selectors.comments_of(post)
    mentions = mention_index_for(journey.pk, [comment.content for comment in comments])
    comments = [
        _decorate_comment(comment, viewer=viewer, journey=journey, mentions=mentions)
        for comment in comments
    ]
    attachments = selectors.attachments_of(post)
    sheet = selectors.answer_sheet(post, attachments) if post.has_answers else []
    images, documents = selectors.own_images_and_documents(attachments)
    editable = services.may_edit_post(post, viewer, team_id)
    resubmittable = False
    if editable:
        try:
            resubmittable = services.post_edit_check(post=post, editor=viewer)
        except services.CommunityError:
            editable = False
    return {
        "journey": journey,
        "active_tab": "feed",
        "post": post,
        "sheet": sheet,
        # Right and wrong: for the teachers, and for its author (or team) once graded.
        "show_results": viewer.is_teacher
        or (
            post.is_graded and (post.user_id == viewer.pk or (team_id and post.team_id == team_id))
        ),
        "images": images,
        "documents": documents,
        "comments": comments,
        "comment_count": len(comments),
        "comment_form": CommentForm(),
        "neighbours": selectors.neighbours_of(viewer, post),
        "can_edit": editable,
        "can_resubmit": resubmittable,
        "can_delete": services.may_delete_post(post, viewer) and not post.is_graded,
        "share_url": request.build_absolute_uri(_post_url(post)),
        "statuses": AchievementStatus,
    }


@login_required
@require_http_methods(["GET", "HEAD"])
def post_detail(request: HttpRequest, journey_id, post_id) -> HttpResponse:
    journey = journey_for(request.user, journey_id)
    post = selectors.post_for(request.user, journey, post_id)
    # A HEAD request (link previews, checkers) is not a reader.
    if request.method == "GET" and services.post_view_record(post=post, viewer=request.user):
        post.view_count += 1
    return render(request, "community/post_detail.html", _post_page_context(request, journey, post))


# --- editing and deleting posts ---------------------------------------------


def _editable_post(request: HttpRequest, journey_id, post_id):
    journey = journey_for(request.user, journey_id)
    post = selectors.post_for(request.user, journey, post_id)
    team_id = my_team_id(profile=request.user, journey_id=journey.pk)
    if not services.may_edit_post(post, request.user, team_id):
        raise Http404  # someone else's post: as if it did not exist
    return journey, post


@login_required
@require_http_methods(["GET", "POST"])
@attachment_upload_limit
def post_edit(request: HttpRequest, journey_id, post_id) -> HttpResponse:
    journey, post = _editable_post(request, journey_id, post_id)
    try:
        resubmitting = services.post_edit_check(post=post, editor=request.user)
    except services.CommunityError as refusal:
        messages.error(request, refusal.message)
        return redirect(_post_url(post))

    attachments = selectors.attachments_of(post)
    form = PostForm(
        request.POST or None,
        request.FILES or None,
        attachments=attachments,
        initial={"title": post.title, "content": post.content},
    )
    questions = questions_of(post.mission_instance.mission) if post.mission_instance else []
    answers_form = _answers_form(
        request, questions, selectors.answers_of(post) if questions else None
    )
    if request.method == "POST" and form.is_valid() and _valid(answers_form):
        mentions = mention_index_for(journey.pk, [post.content, form.cleaned_data["content"]])
        try:
            result = services.post_update(
                post=post,
                editor=request.user,
                title=form.cleaned_data["title"],
                content=form.cleaned_data["content"],
                new_files=form.cleaned_data["files"],
                remove_attachment_ids=form.cleaned_data.get("remove") or [],
                mentions=mentions,
                questions=questions,
                answers=answers_form.answers() if answers_form else None,
            )
        except (services.PostLocked, services.NotOpen) as refusal:
            messages.error(request, refusal.message)
            return redirect(_post_url(post))
        except AnswerRefusal as refusal:
            answers_form.add_problems(refusal.problems)
        except services.InvalidInput as error:
            form.add_error("files", error.message)
        else:
            if result.resubmitted:
                messages.success(
                    request, _("Resubmitted! It is waiting for grading again; your teacher knows.")
                )
            else:
                messages.success(request, _("Your changes are saved."))
            _tell_unmatched_mentions(request, mentions, result.post.content)
            return redirect(_post_url(post))
    context = {
        "journey": journey,
        "active_tab": "feed",
        "post": post,
        "form": form,
        "answers_form": answers_form,
        "attachments": attachments,
        "resubmitting": resubmitting,
    }
    return render(request, "community/post_edit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def post_delete(request: HttpRequest, journey_id, post_id) -> HttpResponse:
    journey = journey_for(request.user, journey_id)
    post = selectors.post_for(request.user, journey, post_id)
    if not services.may_delete_post(post, request.user):
        raise Http404
    if post.is_graded:
        messages.error(request, _("This post was already graded, so it can no longer be deleted."))
        return redirect(_post_url(post))
    if request.method == "POST":
        try:
            services.post_delete(post=post, by=request.user)
        except services.CommunityError as refusal:
            messages.error(request, refusal.message)
            return redirect(_post_url(post))
        messages.success(request, _("Your post was deleted."))
        return redirect("missions:plan", journey.pk)
    context = {"journey": journey, "active_tab": "feed", "post": post}
    return render(request, "community/post_confirm_delete.html", context)


# --- likes ------------------------------------------------------------------


@login_required
@require_POST
def like_toggle(request: HttpRequest, journey_id, post_id) -> HttpResponse:
    journey = journey_for(request.user, journey_id)
    post = selectors.post_for(request.user, journey, post_id)
    action = request.POST.get("action")
    if action in ("like", "unlike"):
        state = services.like_set(post=post, user=request.user, liked=action == "like")
    else:
        state = services.like_toggle(post=post, user=request.user)
    if request.htmx:
        post.like_count, post.liked_by_me = state.count, state.liked
        context = {"journey": journey, "post": post}
        return render(request, "community/post_detail.html#like-button", context)
    return redirect(_post_url(post, "likes"))


# --- comments ---------------------------------------------------------------


@login_required
@require_POST
def comment_create(request: HttpRequest, journey_id, post_id) -> HttpResponse:
    journey = journey_for(request.user, journey_id)
    post = selectors.post_for(request.user, journey, post_id)
    form = CommentForm(request.POST)
    comment = None
    mentions = mention_index_for(journey.pk, [request.POST.get("content", "")])
    if form.is_valid():
        try:
            comment = services.comment_create(
                post=post,
                author=request.user,
                content=form.cleaned_data["content"],
                mentions=mentions,
            )
        except services.InvalidInput as error:
            form.add_error("content", error.message)
    if request.htmx:
        context = {"journey": journey, "post": post, "comment_form": form}
        if comment is None:
            return render(request, "community/post_detail.html#comment-form", context)
        # Beside the fresh form: what the comment's @words that named nobody became.
        context["mention_hint"] = mention_hint(mentions, comment.content)
        comment.author_name = public_name(request.user)
        context |= {
            "comment": _decorate_comment(
                comment, viewer=request.user, journey=journey, mentions=mentions
            ),
            "comment_form": CommentForm(),
            "comment_count": selectors.comment_count(post),
        }
        return render(request, "community/_comment_created.html", context)
    if comment is None:
        for error in form.errors.get("content", []):
            messages.error(request, error)
        return redirect(_post_url(post, "comment-form"))
    _tell_unmatched_mentions(request, mentions, comment.content)
    return redirect(_post_url(post, f"comment-{comment.pk}"))


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, journey_id, comment_id) -> HttpResponse:
    journey = journey_for(request.user, journey_id)
    comment = selectors.comment_for(request.user, journey, comment_id, own=True)
    post = comment.post
    # The comment as it was (its mentions were notified then) and as edited.
    mentions = mention_index_for(journey.pk, [comment.content, request.POST.get("content", "")])
    form = CommentForm(request.POST or None, initial={"content": comment.content})
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_update(
                comment=comment,
                editor=request.user,
                content=form.cleaned_data["content"],
                mentions=mentions,
            )
            saved = True
        except services.InvalidInput as error:
            form.add_error("content", error.message)
    context = {
        "journey": journey,
        "active_tab": "feed",
        "post": post,
        "form": form,
        "comment": comment,
    }
    if request.htmx:
        if saved or request.GET.get("cancel"):
            _decorate_comment(comment, viewer=request.user, journey=journey, mentions=mentions)
            return render(request, "community/post_detail.html#comment", context)
        return render(request, "community/comment_edit.html#comment-edit-form", context)
    if saved:
        messages.success(request, _("Your comment is updated."))
        _tell_unmatched_mentions(request, mentions, comment.content)
        return redirect(_post_url(post, f"comment-{comment.pk}"))
    return render(request, "community/comment_edit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def comment_delete(request: HttpRequest, journey_id, comment_id) -> HttpResponse:
    journey = journey_for(request.user, journey_id)
    comment = selectors.comment_for(request.user, journey, comment_id)
    if not services.may_delete_comment(comment, request.user, journey):
        raise Http404  # someone else's comment, for a student: as if missing
    post = comment.post
    if request.method == "GET":
        context = {"journey": journey, "active_tab": "feed", "post": post, "comment": comment}
        return render(request, "community/comment_confirm_delete.html", context)
    services.comment_delete(comment=comment, by=request.user)
    if request.htmx:
        context = {"comment_count": selectors.comment_count(post), "oob": True}
        return render(request, "community/post_detail.html#comment-count", context)
    messages.success(request, _("The comment was deleted."))
    return redirect(_post_url(post, "comments"))


# --- @mention suggestions ----------------------------------------------------


@login_required
@require_GET
def mention_suggestions(request: HttpRequest, journey_id) -> HttpResponse:
    """The members a writer who typed ``@q`` may mean, as a list to pick from
    (static/js/mentions.js asks for it as they type)."""
    journey = journey_for(request.user, journey_id)
    query = request.GET.get("q", "")
    people = members_to_mention(journey.pk, query)
    context = {"people": people, "query": query[:60]}
    return render(request, "community/_mention_suggestions.html", context)


# --- the feed tab ----------------------------------------------------------


def _sort_from(raw: str | None) -> FeedSort:
    # An unknown sort is not worth an error page: the default order is shown.
    return FeedSort(raw) if raw in FeedSort.values else FeedSort.NEWEST


@login_required
@require_GET
def feed(request: HttpRequest, journey_id) -> HttpResponse:
    journey = journey_for(request.user, journey_id)
    sort = _sort_from(request.GET.get("sort"))
    search = clean_search(request.GET.get("q"))
    after = request.GET.get("after") or None
    try:
        page = feed_page(user=request.user, journey=journey, sort=sort, search=search, after=after)
    except BadCursor:
        return HttpResponseBadRequest(_("This page of the feed does not exist."))
    context = {
        "journey": journey,
        "active_tab": "feed",
        "page": page,
        "sort": sort,
        "sorts": FeedSort,
        "search": search,
    }
    if request.htmx and after:
        # "More" swaps its own button for the next page's cards (and next button).
        response = render(request, "community/feed.html#feed-page", context)
    else:
        response = render(request, "community/feed.html", context)
    # The same URL answers a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response
