"""The teachers' grading dashboard, at /grading/: the queue of submissions,
grading one ("save" or "save and next", keyboard shortcuts in
static/js/grading.js), bulk "mark achieved", hiding, showing again and
deleting a post.

Every view answers 404 to anyone who is not a teacher or admin of the post's
academy (students included), exactly like a missing post. With htmx the
grading panel is swapped in place and the address follows the post shown;
without JavaScript every form is a normal POST followed by a redirect.
"""

from __future__ import annotations

import dataclasses
import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from community import selectors as post_selectors
from community.models import AchievementStatus, Post
from core.keyset import BadCursor
from core.links import AddressOf
from grading import services
from grading.forms import GradeForm, HideForm, RemoveForm
from grading.selectors import (
    QueueFilters,
    QueueRow,
    QueueState,
    decorate,
    filter_choices,
    moderatable_posts,
    neighbours_in_queue,
    next_to_grade,
    post_to_grade,
    queue_count,
    queue_page,
)
from grading.services import GradingError, mission_points


def teachers_only(view):
    """404 for anyone but a teacher or admin, whatever the method: to a student
    a grading URL is one that does not exist (checked before the method is)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_teacher:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _queue_url(filters: QueueFilters) -> str:
    return reverse("grading:queue") + filters.query()


def _grade_url_of(post_id: uuid.UUID, filters: QueueFilters) -> str:
    return reverse("grading:grade", args=[post_id]) + filters.query()


def _grade_url(post: Post, filters: QueueFilters) -> str:
    return _grade_url_of(post.pk, filters)


def _link_rows(rows: list[QueueRow], filters: QueueFilters) -> None:
    """Each row's link to its grading page, in the same filtered queue, and
    the key its drawn HTML is kept under (core.fragments): every value of the
    row, and whether the queue shows grading states (not in the pending one)."""
    grade_url, query = AddressOf("grading:grade"), filters.query()
    shows_state = filters.state != QueueState.PENDING
    for row in rows:
        row.url = grade_url(row.pk) + query
        row.row_key = (*(getattr(row, name) for name in _ROW_FIELDS), shows_state)


_ROW_FIELDS = tuple(field.name for field in dataclasses.fields(QueueRow))


def _gradable(request: HttpRequest, post_id) -> Post:
    post = post_to_grade(request.user, post_id)
    if post is None:
        raise Http404
    return post


def _moderatable(request: HttpRequest, post_id) -> Post:
    return get_object_or_404(moderatable_posts(request.user).select_related("journey"), pk=post_id)


# --- the queue ----------------------------------------------------------------------


@login_required
@teachers_only
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    filters = QueueFilters.from_query(request.GET)
    after = request.GET.get("after") or None
    try:
        page = queue_page(request.user, filters, after=after)
    except BadCursor:
        return HttpResponseBadRequest(_("This page of the queue does not exist."))
    _link_rows(page.posts, filters)
    context = {
        "page": page,
        "filters": filters,
        "states": QueueState,
        "count": queue_count(request.user, filters),
        "choices": filter_choices(request.user, filters),
    }
    if request.htmx and after:
        return render(request, "grading/queue.html#queue-page", context)
    return render(request, "grading/queue.html", context)


@login_required
@teachers_only
@require_POST
def bulk_achieve(request: HttpRequest) -> HttpResponse:
    filters = QueueFilters.from_query(request.GET)
    raw_ids = request.POST.getlist("post")
    ids, malformed = set(), 0
    for raw in raw_ids:
        try:
            ids.add(uuid.UUID(raw))
        except ValueError:
            malformed += 1
    if not raw_ids:
        messages.error(request, _("Select the submissions to mark achieved first."))
        return redirect(_queue_url(filters))
    result = services.posts_bulk_achieve(post_ids=ids, grader=request.user)
    graded = len(result.graded)
    if graded:
        messages.success(
            request,
            ngettext(
                "%(count)d submission marked achieved with full points.",
                "%(count)d submissions marked achieved with full points.",
                graded,
            )
            % {"count": graded},
        )
    ignored = result.ignored + malformed
    if ignored:
        messages.warning(
            request,
            ngettext(
                "%(count)d selected submission was skipped: it is not one you can grade.",
                "%(count)d selected submissions were skipped: they are not ones you can grade.",
                ignored,
            )
            % {"count": ignored},
        )
    return redirect(_queue_url(filters))


# --- grading one post ---------------------------------------------------------------


def _initial(post: Post, proposed: int | None) -> dict:
    """A graded post's grade; else the mission's points, or for a mission of
    questions the score its answers propose (``proposed``)."""
    graded = post.is_graded
    if graded and post.score is not None:
        score = post.score
    else:
        score = proposed if proposed is not None else mission_points(post)
    return {"achievement_status": post.achievement_status if graded else None, "score": score}


def _panel_context(
    request: HttpRequest,
    post: Post,
    filters: QueueFilters,
    *,
    form: GradeForm | None = None,
    hide_form: HideForm | None = None,
    flash: str = "",
) -> dict:
    attachments = post_selectors.attachments_of(post)
    sheet = post_selectors.answer_sheet(post, attachments)
    images, documents = post_selectors.own_images_and_documents(attachments)
    points = mission_points(post)
    proposed = post_selectors.proposed_score(sheet) if sheet else None
    return {
        "post": post,
        "filters": filters,
        "points": points,
        "sheet": sheet,
        "proposed": proposed,
        "form": form or GradeForm(max_points=points, initial=_initial(post, proposed)),
        "hide_form": hide_form or HideForm(),
        "images": images,
        "documents": documents,
        "comments": post_selectors.comments_of(post),
        "neighbours": neighbours_in_queue(request.user, filters, post),
        "count": queue_count(request.user, filters),
        "statuses": AchievementStatus,
        "flash": flash,
    }


def _render_panel(request: HttpRequest, context: dict, *, push: str | None = None) -> HttpResponse:
    # htmx asking to restore a page from history (its cache missed) needs the
    # whole page, not the panel.
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "grading/grade.html#grading-panel", context)
        if push:
            response["HX-Push-Url"] = push
    else:
        response = render(request, "grading/grade.html", context)
    # The same address answers a panel or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _saved_message(post: Post) -> str:
    if post.achievement_status == AchievementStatus.ACHIEVED:
        return _("Saved: “%(title)s” achieved, %(score)s PT.") % {
            "title": post.title,
            "score": post.score,
        }
    return _("Saved: “%(title)s” not achieved.") % {"title": post.title}


@login_required
@teachers_only
@require_http_methods(["GET", "POST"])
def grade(request: HttpRequest, post_id) -> HttpResponse:
    post = _gradable(request, post_id)
    filters = QueueFilters.from_query(request.GET)
    if request.method == "GET":
        return _render_panel(request, _panel_context(request, post, filters))

    form = GradeForm(request.POST, max_points=mission_points(post))
    if form.is_valid():
        try:
            result = services.post_grade(
                post=post,
                grader=request.user,
                achievement_status=form.cleaned_data["achievement_status"],
                score=form.cleaned_data["score"],
                feedback=form.cleaned_data["feedback"],
            )
        except GradingError as error:
            form.add_error(None, error.message)
        else:
            return _after_grading(request, result.post, filters)
    return _render_panel(request, _panel_context(request, post, filters, form=form))


def _after_grading(request: HttpRequest, graded: Post, filters: QueueFilters) -> HttpResponse:
    """ "Save" shows the post again; "save and next" the next one in the queue,
    or the queue itself once it is done."""
    saved = _saved_message(graded)
    if request.POST.get("then") != "next":
        target = graded.pk
    else:
        target = next_to_grade(request.user, filters, graded)
        if target is None:
            messages.success(request, saved + " " + _("Nothing else is waiting in this queue."))
            url = _queue_url(filters)
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    url = _grade_url_of(target, filters)
    if not request.htmx:
        messages.success(request, saved)
        return redirect(url)
    post = _gradable(request, target)
    return _render_panel(request, _panel_context(request, post, filters, flash=saved), push=url)


# --- moderation ---------------------------------------------------------------------


def _back_to_panel(
    request: HttpRequest, post: Post, filters: QueueFilters, *, flash: str = "", hide_form=None
) -> HttpResponse:
    """After hiding or showing: the grading panel again (htmx), or a redirect to
    it. A post that is not a submission goes back to its own page."""
    if post.mission_instance_id is None:
        if flash:
            messages.success(request, flash)
        url = reverse("community:post_detail", args=[post.journey_id, post.pk])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if request.htmx:
        fresh = _gradable(request, post.pk)
        context = _panel_context(request, fresh, filters, flash=flash, hide_form=hide_form)
        return _render_panel(request, context)
    if hide_form is not None:
        for error in hide_form.errors.get("reason", []):
            messages.error(request, error)
    elif flash:
        messages.success(request, flash)
    return redirect(_grade_url(post, filters))


@login_required
@teachers_only
@require_POST
def post_hide(request: HttpRequest, post_id) -> HttpResponse:
    post = _moderatable(request, post_id)
    filters = QueueFilters.from_query(request.GET)
    form = HideForm(request.POST)
    if form.is_valid():
        try:
            services.post_hide(post=post, by=request.user, reason=form.cleaned_data["reason"])
        except GradingError as error:
            form.add_error("reason", error.message)
    if form.errors:
        return _back_to_panel(request, post, filters, hide_form=form)
    return _back_to_panel(
        request, post, filters, flash=_("The post is hidden; its author was told why.")
    )


@login_required
@teachers_only
@require_POST
def post_unhide(request: HttpRequest, post_id) -> HttpResponse:
    post = _moderatable(request, post_id)
    filters = QueueFilters.from_query(request.GET)
    services.post_unhide(post=post, by=request.user)
    return _back_to_panel(
        request, post, filters, flash=_("The post is visible again; its author was told.")
    )


@login_required
@teachers_only
@require_http_methods(["GET", "POST"])
def post_remove(request: HttpRequest, post_id) -> HttpResponse:
    post = _moderatable(request, post_id)
    filters = QueueFilters.from_query(request.GET)
    form = RemoveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_remove(post=post, by=request.user, reason=form.cleaned_data["reason"])
        except GradingError as error:
            form.add_error("reason", error.message)
        else:
            messages.success(
                request,
                _("“%(title)s” was deleted, with its points; its author was told.")
                % {"title": post.title},
            )
            return redirect(_queue_url(filters))
    context = {"post": decorate(post), "form": form, "filters": filters}
    return render(request, "grading/confirm_delete.html", context)
